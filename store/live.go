package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Live changes: a screen must learn within a second that something was committed, by
// this process (another session, sync, serve) or by another one on the same file (an
// import). Two ways in, one per distance:
//
//   - OnCommit is called by Tx after every commit of this process: at once, no polling.
//   - A VersionWatch reads PRAGMA data_version on a connection of its own. SQLite changes
//     that number when any other connection, of this process or another, has committed
//     since the last read on the same connection; so the watch holds its connection for
//     its whole life (a number read on one pooled connection means nothing on the next).

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
	db      *DB
	conn    *sql.Conn
	version int64
}

// ErrWatchUnsupported means the database cannot say whether another process committed:
// PostgreSQL has no data_version. Commits of this process still reach OnCommit.
var ErrWatchUnsupported = errors.New("watching for other processes' changes is not supported on PostgreSQL yet")

// WatchVersion opens a watch on a connection of its own; Close gives the connection back.
func (db *DB) WatchVersion(ctx context.Context) (*VersionWatch, error) {
	if db.d.engine() != "sqlite" {
		// TODO(issue 15): LISTEN/NOTIFY (pg_notify on commit), which another change brings.
		return nil, fmt.Errorf("watch %s for changes: %w", db.path, ErrWatchUnsupported)
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
// the watch opened).
func (w *VersionWatch) Changed(ctx context.Context) (bool, error) {
	v, err := w.read(ctx)
	if err != nil {
		return false, err
	}
	changed := v != w.version
	w.version = v
	return changed, nil
}

func (w *VersionWatch) read(ctx context.Context) (int64, error) {
	var v int64
	if err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("watch %s for changes: %w", w.db.path, err)
	}
	return v, nil
}

// Close ends the watch.
func (w *VersionWatch) Close() error { return w.conn.Close() }
