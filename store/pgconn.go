package store

import (
	"context"
	"database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL connection of the store: pgx's database/sql connection, with every
// statement rebound from the store's SQLite form as it is prepared or run (see rebind),
// and Go bools sent as the 0/1 the store's flag columns hold. Wrapping the driver rather
// than each call keeps one code path: db.sql.QueryContext, a Tx's prepared statements,
// and the raw rows of statRows all meet the same rewrite.

var pgRebinds rebindCache

// pgConnector connects with cfg and wraps each connection.
func pgConnector(cfg pgx.ConnConfig) driver.Connector {
	return connector{stdlib.GetConnector(cfg)}
}

type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is a pgx connection taking the store's SQL. The methods it does not name
// (Close, BeginTx, Ping, ResetSession) are pgx's own.
type pgConn struct{ *stdlib.Conn }

var (
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
)

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(pgRebinds.get(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, pgRebinds.get(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, pgRebinds.get(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, pgRebinds.get(query), args)
}

// CheckNamedValue sends a bool as 0 or 1: the store's flags (spam, hidden, deleted,
// undone…) are integer columns on both engines, and PostgreSQL, unlike SQLite, does not
// take a boolean for an integer. Everything else goes to pgx as it is.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
		return nil
	}
	return c.Conn.CheckNamedValue(nv)
}
