package store

import (
	"context"
	"database/sql/driver"
	"strings"
	"unicode/utf8"

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
// (Close, Ping, ResetSession) are pgx's own; BeginTx is pgx's but for the statements a
// write transaction begins and commits with (below).
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
// take a boolean for an integer. Text, alone or in a batch's array, goes as PostgreSQL
// can keep it (pgText).
// Everything else goes to pgx as it is.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case bool:
		nv.Value = int64(0)
		if v {
			nv.Value = int64(1)
		}
		return nil
	case string:
		nv.Value = pgText(v)
	case []string: // the texts of a batch (pgIndexText)
		var clean []string
		for i, t := range v {
			if c := pgText(t); c != t {
				if clean == nil {
					clean = append([]string(nil), v...)
				}
				clean[i] = c
			}
		}
		if clean != nil {
			nv.Value = clean
		}
	}
	return c.Conn.CheckNamedValue(nv)
}

// pgText is s as PostgreSQL's text can hold it. A message is text from a stranger: an
// email's body decoded from a charset it lied about, a NUL in a webhook's JSON. SQLite
// keeps such bytes as they are; PostgreSQL refuses the whole statement (invalid byte
// sequence for encoding "UTF8", or a NUL), and the message, the sync's batch with it,
// would be refused at every sync. Bytes that are not UTF-8, and NUL, become U+FFFD (the
// replacement character a reader shows for what could not be read).
func pgText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// A write transaction on PostgreSQL begins and commits with more than BEGIN and COMMIT:
// an ingest's plan settings (pgIngestPlans) and the notification of the other hosts
// (pgNotify). Each set goes with its BEGIN or COMMIT in one string of the simple
// protocol, one round trip, where a statement apiece was a round trip apiece: two of the
// fourteen or so of a group commit of singles, and one of every other write's.
// database/sql's BeginTx knows no such thing; the statements reach pgConn.BeginTx by the
// context.

type pgTxStatementsKey struct{}

type pgTxStatements struct{ begin, commit string }

// withTxStatements is ctx carrying the statements a write transaction (ingest, or not)
// begins and commits with; ctx itself on SQLite.
func (db *DB) withTxStatements(ctx context.Context, ingest bool) context.Context {
	if db.d.engine() != "postgres" {
		return ctx
	}
	s := pgTxStatements{commit: db.pgNotify() + "; COMMIT"}
	if ingest {
		s.begin = "BEGIN; " + pgIngestPlans
	}
	return context.WithValue(ctx, pgTxStatementsKey{}, s)
}

// BeginTx begins with the statements ctx carries (withTxStatements), as pgx's own BeginTx
// does otherwise.
func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	s, ok := ctx.Value(pgTxStatementsKey{}).(pgTxStatements)
	if !ok || opts != (driver.TxOptions{}) {
		return c.Conn.BeginTx(ctx, opts)
	}
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	tx, err := c.Conn.Conn().BeginTx(ctx, pgx.TxOptions{BeginQuery: s.begin, CommitQuery: s.commit})
	if err != nil {
		return nil, err
	}
	return pgTx{ctx: ctx, tx: tx}, nil
}

// pgTx is the driver's transaction of pgConn.BeginTx: pgx's, ended in ctx, as the
// driver's own.
type pgTx struct {
	ctx context.Context
	tx  pgx.Tx
}

func (t pgTx) Commit() error   { return t.tx.Commit(t.ctx) }
func (t pgTx) Rollback() error { return t.tx.Rollback(t.ctx) }
