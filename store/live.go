package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Live changes: a screen must learn within a second that something was committed, by
// this process (another session, sync, serve) or by another one on the same database (an
// import, another host on PostgreSQL). Two ways in, one per distance:
//
//   - OnCommit is called by Tx after every commit of this process: at once, no polling.
//   - A VersionWatch tells of the others' commits. On SQLite it reads PRAGMA data_version
//     on a connection of its own. SQLite changes that number when any other connection,
//     of this process or another, has committed since the last read on the same
//     connection; so the watch holds its connection for its whole life (a number read on
//     one pooled connection means nothing on the next). On PostgreSQL it listens for the
//     notifications every other DB's commits send (see live_postgres.go).

// OnCommit sets fn to be called after every transaction Tx commits (nil: none). fn runs
// on the committing goroutine and must not block.
func (db *DB) OnCommit(fn func()) {
	if fn == nil {
		db.onCommit.Store(nil)
		return
	}
	db.onCommit.Store(&fn)
}

// committed calls the OnCommit function, if any.
func (db *DB) committed() {
	if fn := db.onCommit.Load(); fn != nil {
		(*fn)()
	}
}

// VersionWatch tells whether the database changed since it last looked.
type VersionWatch struct {
	db *DB
	// SQLite: the watch's own connection, and the data_version it last read.
	conn    *sql.Conn
	version int64
	// PostgreSQL: the listener.
	pg *pgWatch
}

// WatchVersion opens a watch on a connection of its own; Close gives the connection back.
func (db *DB) WatchVersion(ctx context.Context) (*VersionWatch, error) {
	if db.d.engine() == "postgres" {
		return db.watchPostgres(ctx)
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch %s for changes: %w", db.path, err)
	}
	w := &VersionWatch{db: db, conn: conn}
	if w.version, err = w.read(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return w, nil
}

// Changed reports whether another connection committed since the last call (or since
// the watch opened). On PostgreSQL, another DB (another host or process): this DB's own
// commits are told by OnCommit alone; and a watch whose connection was lost and has come
// back reports a change, since whatever was committed meanwhile went unheard. It never
// fails there: the watch connects again by itself.
func (w *VersionWatch) Changed(ctx context.Context) (bool, error) {
	if w.pg != nil {
		return w.pg.changed(), nil
	}
	v, err := w.read(ctx)
	if err != nil {
		return false, err
	}
	changed := v != w.version
	w.version = v
	return changed, nil
}

// Seen takes what the watch would report now as seen, because a commit of this DB was
// just told by OnCommit and is not to be told again. On SQLite that commit changed
// data_version as another's would have; on PostgreSQL the watch never counts this DB's
// commits, and Seen leaves what it heard of the others to be reported by Changed.
func (w *VersionWatch) Seen(ctx context.Context) error {
	if w.pg != nil {
		return nil
	}
	_, err := w.Changed(ctx)
	return err
}

func (w *VersionWatch) read(ctx context.Context) (int64, error) {
	var v int64
	if err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("watch %s for changes: %w", w.db.path, err)
	}
	return v, nil
}

// Close ends the watch.
func (w *VersionWatch) Close() error {
	if w.pg != nil {
		w.pg.close()
		return nil
	}
	return w.conn.Close()
}
