package store

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Live changes on PostgreSQL: hosts share no file, and there is no data_version. Every
// transaction Tx commits that wrote something notifies the channel triage_changes
// (pg_notify, which PostgreSQL delivers when, and only if, the transaction commits),
// with the committing DB's origin, a random id of its own, as the payload. Each watch
// (one per hub, so one per host and database) listens on a connection of its own and
// counts the notifications of other origins: its own DB's commits are told at once by
// OnCommit, and counted twice they made every screen read twice.
//
// The watch's connection is a pgx.Conn of its own, opened with the pool's configuration,
// not a connection of the database/sql pool: a connection that has LISTENed keeps
// buffering notifications, and given back to the pool it would carry them into other
// work; and a pool connection held for the watch's life would be one fewer for queries.
// Notifications sent while the connection is down are lost: once it is back, the watch
// says "changed", and everything is read again.

// changesChannel is the channel of PostgreSQL's LISTEN/NOTIFY that commits are told on.
const changesChannel = "triage_changes"

// pgLive is what a DB on PostgreSQL is to the watches: its origin, made on first use.
type pgLive struct {
	once sync.Once
	id   string
}

// origin is the payload of this DB's notifications: random, so that two DBs, in two
// processes or in one (tests standing for two hosts), never share it.
func (l *pgLive) origin() string {
	l.once.Do(func() {
		b := make([]byte, 12)
		crand.Read(b)
		l.id = hex.EncodeToString(b)
	})
	return l.id
}

// pgNotify tells the watches of other DBs of the transaction, in the statement that
// commits it (pgTxStatements), if it wrote anything (a transaction that did has an id).
// The origin is hex: a literal as it is.
func (db *DB) pgNotify() string {
	return `SELECT pg_notify('` + changesChannel + `', '` + db.live.origin() + `') WHERE pg_current_xact_id_if_assigned() IS NOT NULL`
}

// Timings of the watch's connection (variables so tests can shorten them).
var (
	// pgWatchIdle is how long the watch waits for a notification before it asks the
	// server whether the connection still works: a link that died without a word
	// (a host or a network gone) is noticed within it and pgPingTimeout.
	pgWatchIdle   = 30 * time.Second
	pgPingTimeout = 5 * time.Second
	// pgConnectTimeout bounds one attempt to connect.
	pgConnectTimeout = 10 * time.Second
	// A lost connection is tried again after pgRetryFirst, then twice as long each time,
	// up to pgRetryMost, each wait drawn between half of it and all of it, so hosts that
	// lost the server together do not all knock at once.
	pgRetryFirst = 50 * time.Millisecond
	pgRetryMost  = 2 * time.Second
)

// pgWatch is a VersionWatch on PostgreSQL: a goroutine listening on a connection of its
// own, and the number of changes it heard that Changed has not reported yet.
type pgWatch struct {
	cfg    *pgx.ConnConfig // the pool's, password included: never printed
	origin string          // this DB's notifications, which the watch does not count
	name   string          // the database, as errors name it (no password)

	news   atomic.Int64  // notifications of others, and reconnections, not yet reported
	pid    atomic.Uint32 // the server process of the connection (0 while down): for tests
	cancel context.CancelFunc
	done   chan struct{}
}

// watchPostgres connects, listens and starts the goroutine that hears notifications.
// It fails when the first connection cannot be made.
func (db *DB) watchPostgres(ctx context.Context) (*VersionWatch, error) {
	cfg, err := db.pgConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch %s for changes: %w", db.path, err)
	}
	w := &pgWatch{cfg: cfg, origin: db.live.origin(), name: db.path, done: make(chan struct{})}
	// The copy still has the pool connection's handler, which buffered for that one:
	// the watch counts as they come, during a ping too.
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) {
		if n.Channel == changesChannel && n.Payload != w.origin {
			w.news.Add(1)
		}
	}
	conn, err := w.listen(ctx)
	if err != nil {
		return nil, err
	}
	run, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	go w.run(run, conn)
	return &VersionWatch{db: db, pg: w}, nil
}

// pgConfig is the configuration the pool's connections are made with (see openPostgres),
// read from one of them.
func (db *DB) pgConfig(ctx context.Context) (*pgx.ConnConfig, error) {
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var cfg *pgx.ConnConfig
	err = c.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("not a PostgreSQL connection (%T)", dc)
		}
		cfg = pc.Conn.Conn().Config()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "triage live changes" // as pg_stat_activity shows it
	}
	return cfg, nil
}

// listen opens the watch's connection and listens on it.
func (w *pgWatch) listen(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, pgConnectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, w.cfg)
	if err != nil {
		return nil, fmt.Errorf("watch %s for changes: %w", w.name, scrubPassword(err, w.cfg.Password))
	}
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("watch %s for changes: %w", w.name, scrubPassword(err, w.cfg.Password))
	}
	w.pid.Store(conn.PgConn().PID())
	return conn, nil
}

// run hears notifications on conn until ctx ends, connecting again whenever the
// connection is lost.
func (w *pgWatch) run(ctx context.Context, conn *pgx.Conn) {
	defer close(w.done)
	for {
		if conn == nil {
			if conn = w.reconnect(ctx); conn == nil {
				return // closed
			}
			w.news.Add(1) // what was sent while it was down is lost: read everything again
		}
		if !w.hear(ctx, conn) {
			w.pid.Store(0)
			conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// hear waits for one notification, or pgWatchIdle; it reports whether the connection
// is still good.
func (w *pgWatch) hear(ctx context.Context, conn *pgx.Conn) bool {
	wait, cancel := context.WithTimeout(ctx, pgWatchIdle)
	_, err := conn.WaitForNotification(wait) // counted by cfg.OnNotification
	cancel()
	switch {
	case err == nil:
		return true
	case ctx.Err() != nil || conn.IsClosed():
		return false
	case errors.Is(err, context.DeadlineExceeded):
		// Quiet for a while: make sure the server is still there.
		ping, cancel := context.WithTimeout(ctx, pgPingTimeout)
		defer cancel()
		return conn.Ping(ping) == nil
	default:
		return false
	}
}

// reconnect connects and listens again, waiting longer after each failure; it returns
// nil when ctx ends first.
func (w *pgWatch) reconnect(ctx context.Context) *pgx.Conn {
	wait := pgRetryFirst
	for {
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if conn, err := w.listen(ctx); err == nil {
			return conn
		}
		wait = min(2*wait, pgRetryMost)
	}
}

// changed reports whether another DB committed, or the connection came back, since the
// last call.
func (w *pgWatch) changed() bool { return w.news.Swap(0) > 0 }

// close stops the goroutine and closes its connection.
func (w *pgWatch) close() {
	w.cancel()
	<-w.done
}
