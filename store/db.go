// Package store keeps triage's data in SQLite (modernc.org/sqlite, pure Go), or in
// PostgreSQL (pgx) when given a postgres:// URL. It is the only package that speaks SQL:
// schema, migrations and every query live here, once for both engines (see dialect.go).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
)

// DB is an open triage database.
type DB struct {
	sql      *sql.DB
	d        dialect
	path     string // the file, or the URL without its password
	readOnly bool
	common   commonTextCache        // which full-text queries match many messages; see commonText
	onCommit atomic.Pointer[func()] // see OnCommit in live.go
	// writers is this process's queue for the write lock: one slot, taken by Tx before
	// BEGIN and given back after COMMIT. Left to SQLite, every writer of the process polls
	// the lock (the busy handler sleeps and retries), in no order; under fifty agents some
	// waited past the 10 s busy timeout and their action was refused. A goroutine blocked
	// on a channel is served first come, first served. Other processes still meet the busy
	// timeout.
	writers chan struct{}
	// ingesters, on PostgreSQL, are the slots of IngestTx; nil on SQLite.
	ingesters chan struct{}
	// ingestGate keeps this process's other writes apart from its ingest transactions
	// (PostgreSQL): a Tx holds it whole, an IngestTx shared. Ingest's locks keep two
	// ingests off one conversation; the other writes (a reply, a close, a reply that
	// failed) do not take them, and one of them beside an ingest of the same conversation
	// could leave an answer unlinked.
	ingestGate sync.RWMutex
	live       pgLive        // PostgreSQL: this DB's name in the notifications of its commits (live_postgres.go)
	sends      sendLocks     // PostgreSQL: the outbox entries this DB is sending (outbox.go)
	fsends     fileSendLocks // SQLite: the same, as locks on a file (sendlock_file.go)
	prepared   stmtCache     // SQLite: statements prepared once for every transaction (stmtcache.go)
}

// ErrReadOnly means the database was opened read-only (no permission to write it), so
// nothing can be changed; reads still work.
var ErrReadOnly = errors.New("database is read-only (no permission to write it); nothing was changed")

// ErrWriterBusy means another process held the database's write lock for longer than the
// busy timeout (10 s): an import, a sync or a serve of another triage. Nothing was changed.
var ErrWriterBusy = errors.New("the database is being written by another process")

// writerBusyError says in words who holds the write lock, and what to do.
type writerBusyError struct {
	path string
	err  error
}

func (e *writerBusyError) Error() string {
	return "another triage is writing to " + e.path + "; try again when it has finished"
}

func (e *writerBusyError) Is(target error) bool { return target == ErrWriterBusy }

func (e *writerBusyError) Unwrap() error { return e.err }

// writerBusy turns a lock waited for past the timeout (SQLite's "database is locked",
// PostgreSQL's lock_timeout) into a *writerBusyError naming the database; other errors
// are returned as they are.
func (db *DB) writerBusy(err error) error {
	if db.d.busy(err) {
		return &writerBusyError{path: db.path, err: err}
	}
	return err
}

// busyTimeoutMS is how long a write waits for another process's write lock before it is
// refused with ErrWriterBusy (a variable so a test can shorten it).
var busyTimeoutMS = 10000

// Open opens (creating if needed) the database at path and brings its schema up to date.
// A database written by a newer triage is refused and left untouched. A path that is a
// postgres:// or postgresql:// URL opens that PostgreSQL database (see
// dialect_postgres.go); anything else is the file of a SQLite database.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false, Options{})
}

// Options are what OpenWith may be told besides the path.
type Options struct {
	// Upgrading, if set, is called before a database with data written by an older
	// triage is brought up to date: some migrations rewrite an index, which takes
	// seconds at a million messages, and a person should know why nothing shows yet.
	Upgrading func(from, to int)
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, o Options) (*DB, error) {
	return open(ctx, path, false, o)
}

// OpenReadOnly opens an existing database for reading only: every write fails with
// ErrReadOnly. Open falls back to it by itself when the file exists but may not be written.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true, Options{})
}

func open(ctx context.Context, path string, readOnly bool, o Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: no path given")
	}
	if isPostgresURL(path) {
		return openPostgres(ctx, path, readOnly, o)
	}
	return openSQLite(ctx, path, readOnly, o)
}

// openSQLite opens the SQLite database in the file at path.
func openSQLite(ctx context.Context, path string, readOnly bool, o Options) (*DB, error) {
	if !readOnly {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("open database %s: %w", path, err)
			}
		}
		// Create the file ourselves so it is 0600 from its first byte, before SQLite opens it.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
			// It exists but we may not write it (its mode, or a read-only file system):
			// open it read-only so reading still works.
			if rf, rerr := os.Open(path); rerr == nil {
				f, err, readOnly = rf, nil, true
			}
		}
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		f.Close()
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}

	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	if readOnly {
		q.Add("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "synchronous(NORMAL)")
	// A small page cache per connection and no memory-mapped reads: the UI stays at the
	// same memory at 10,000 messages and at a million (counting a view of 100,000
	// conversations filled a 32 MiB cache, and mapped pages count as the process's own).
	// Reads then come from the kernel's file cache, which costs statistics little: they
	// read one index in order. A bulk load raises the cache of its own connection.
	q.Add("_pragma", "cache_size(-1024)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if readOnly {
		// A WAL database needs its -shm file to be read; when the folder may not be
		// written either, SQLite cannot make one, and the file can only be read as it is.
		var v int
		if err := sqldb.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			sqldb.Close()
			q.Add("immutable", "1")
			if sqldb, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode()); err != nil {
				return nil, fmt.Errorf("open database %s: %w", path, err)
			}
		}
	}
	db := &DB{sql: sqldb, d: sqliteDialect{}, path: path, readOnly: readOnly, writers: make(chan struct{}, 1)}
	if err := db.sql.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, diskFull(path, err))
	}
	if err := db.migrate(ctx, o.Upgrading); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, diskFull(path, err))
	}
	return db, nil
}

// Path is the file the database lives in; for PostgreSQL, its URL without the password.
func (db *DB) Path() string { return db.path }

// ReadOnly reports whether the database was opened read-only.
func (db *DB) ReadOnly() bool { return db.readOnly }

// Close closes the database.
func (db *DB) Close() error {
	db.sends.close()
	db.fsends.close()
	return db.sql.Close()
}

// Tx runs fn in one immediate transaction, committing when fn returns nil and rolling
// back otherwise, so every person's action lands whole or not at all.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.runTx(ctx, db.writers, fn)
}

// gate is how a transaction of queue holds ingestGate, and what lets it go.
func (db *DB) gate(queue chan struct{}) func() {
	if queue == db.ingesters {
		db.ingestGate.RLock()
		return db.ingestGate.RUnlock
	}
	db.ingestGate.Lock()
	return db.ingestGate.Unlock
}

// IngestTx is Tx for storing messages. On SQLite it is Tx. On PostgreSQL up to
// IngestWriters of them run at once, as other hosts' do: ingest's own locks
// (ingest_locks.go) keep two off one conversation. The process's other writes still wait
// for them, and they for those (ingestGate).
func (db *DB) IngestTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.ingesters == nil {
		return db.Tx(ctx, fn)
	}
	return db.runTx(ctx, db.ingesters, fn)
}

// IngestWriters is how many IngestTx can run at once: 1 on SQLite, one writer at a time.
func (db *DB) IngestWriters() int { return max(cap(db.ingesters), 1) }

func (db *DB) runTx(ctx context.Context, queue chan struct{}, fn func(tx *Tx) error) error {
	if db.readOnly {
		return fmt.Errorf("write to %s: %w", db.path, ErrReadOnly)
	}
	release, err := db.queueWriter(ctx, queue)
	if err != nil {
		return err
	}
	defer release()
	defer db.gate(queue)() // after the queue: a Tx waits for ingests in flight, at most IngestWriters
	sqltx, err := db.sql.BeginTx(db.withTxStatements(ctx, queue == db.ingesters), nil)
	if err != nil {
		if errors.Is(db.writerBusy(err), ErrWriterBusy) {
			return db.writerBusy(err)
		}
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{tx: sqltx, d: db.d, stmts: map[string]*sql.Stmt{}, db: db}
	err = fn(tx)
	if err == nil {
		err = tx.flushConversations(ctx)
	}
	if err != nil {
		tx.closeStmts()
		sqltx.Rollback()
		if db.d.busy(err) {
			// PostgreSQL waits for another's row lock at the statement that needs it,
			// not at BEGIN: past lock_timeout it is the same refusal.
			return db.writerBusy(err)
		}
		return err
	}
	tx.closeStmts()
	if err := sqltx.Commit(); err != nil {
		if errors.Is(db.writerBusy(err), ErrWriterBusy) {
			return db.writerBusy(err)
		}
		return fmt.Errorf("commit to %s: %w", db.path, err)
	}
	db.committed()
	return nil
}

// queueWriter waits for this process's turn to write (see DB.writers) and returns what
// gives the turn back; it gives up when ctx ends, having changed nothing.
func (db *DB) queueWriter(ctx context.Context, queue chan struct{}) (release func(), err error) {
	select {
	case queue <- struct{}{}:
		return func() { <-queue }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("write to %s: %w", db.path, ctx.Err())
	}
}

// ReadTx runs fn in a read transaction: one snapshot of the database, and no write lock,
// so it neither waits for a writer nor keeps one waiting (import --dry-run). Whatever fn
// writes fails; the transaction is always rolled back.
func (db *DB) ReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqltx, err := db.sql.BeginTx(ctx, db.d.readTx())
	if err != nil {
		return fmt.Errorf("begin reading: %w", err)
	}
	tx := &Tx{tx: sqltx, d: db.d, stmts: map[string]*sql.Stmt{}, readOnly: true, db: db}
	defer func() {
		tx.closeStmts()
		sqltx.Rollback()
	}()
	return fn(tx)
}

// Tx is a transaction in progress. Statements it prepares are reused for its lifetime,
// which makes large imports cheap.
type Tx struct {
	tx       *sql.Tx
	d        dialect
	db       *DB // whose prepared statements it uses (stmtcache.go)
	stmts    map[string]*sql.Stmt
	accounts map[string]int64 // (channel, handle) -> id, for the life of the transaction
	// dirty are the conversations ingest touched: their queue columns are recomputed once,
	// before commit, instead of after every message of a batch.
	dirty map[int64]*convEntry
	ing   *ingestCache // what ingest learnt in this transaction; see ingestCache
	text  textBatch    // full text waiting to be indexed; see indexText
	pend  pendingRows  // message rows waiting to be written together; see writeHeld
	locks ingestLocks  // PostgreSQL: what ingest locked against other writers; see lockBatch
	// readOnly: a ReadTx, which takes no lock (a dry run neither waits nor keeps waiting)
	readOnly bool
	bulk     *bulkLoad // indexes to build again before commit; see BulkLoad
}

func (tx *Tx) flushConversations(ctx context.Context) error {
	if err := tx.writeHeld(ctx); err != nil {
		return err
	}
	if err := tx.flushText(ctx); err != nil {
		return err
	}
	var rated []int64
	var adds queueAdds // PostgreSQL: applied in one statement
	for _, id := range tx.dirtyIDs() {
		c := tx.dirty[id]
		var err error
		switch {
		case c.fresh:
			err = tx.refreshFresh(ctx, c)
		case c.recount:
			err = tx.RefreshConversation(ctx, id)
		case tx.d.engine() == "postgres":
			adds.add(id, c.added)
		default:
			err = tx.addToQueueColumns(ctx, id, c.added)
		}
		if err != nil {
			return err
		}
		if c.rated {
			rated = append(rated, id)
			c.rated = false
		}
	}
	tx.dirty = nil
	if err := adds.apply(ctx, tx); err != nil {
		return err
	}
	if err := tx.endBulk(ctx); err != nil {
		return err
	}
	// After the bulk load's last rows are written: the rating is read from them.
	return tx.refreshRatings(ctx, rated)
}

// dirtyIDs are the conversations ingest touched. On PostgreSQL in id order: two hosts'
// writers then take the rows' locks in the same order, instead of each waiting for the
// other's.
func (tx *Tx) dirtyIDs() []int64 {
	ids := slices.AppendSeq(make([]int64, 0, len(tx.dirty)), maps.Keys(tx.dirty))
	if tx.d.engine() == "postgres" {
		slices.Sort(ids)
	}
	return ids
}

// refreshRatings sets each conversation's rating to its latest inbound message's, which
// is the review as it reads now however its versions arrived: an edit that comes before
// the review it replaces is older, and changes nothing.
func (tx *Tx) refreshRatings(ctx context.Context, convs []int64) error {
	for _, id := range convs {
		if _, err := tx.exec(ctx, `UPDATE conversations SET rating = (SELECT m.rating FROM messages m
			WHERE m.id = conversations.last_inbound_id) WHERE id = ?`, id); err != nil {
			return fmt.Errorf("rating of conversation %d: %w", id, err)
		}
	}
	return nil
}

func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := tx.stmts[query]; ok {
		return s, nil
	}
	var s *sql.Stmt
	if shared := tx.db.prepared.shared(ctx, tx.db.sql, query); shared != nil {
		s = tx.tx.StmtContext(ctx, shared)
	} else {
		var err error
		if s, err = tx.tx.PrepareContext(ctx, query); err != nil {
			return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
		}
	}
	tx.stmts[query] = s
	return s, nil
}

// The statements of a transaction are short (one row, or one conversation's rows), so
// they run without the caller's cancellation: the driver would start a goroutine to watch
// it for every statement, a fifth of the cost of an import. Ingest checks the context once
// a message instead, and begin and commit still honour it.

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := tx.writeHeld(ctx); err != nil {
		return nil, err
	}
	if !tx.d.reusesStatements() {
		return tx.tx.ExecContext(context.WithoutCancel(ctx), query, args...)
	}
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(context.WithoutCancel(ctx), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) txRow {
	if err := tx.writeHeld(ctx); err != nil {
		return txRow{err: err}
	}
	if !tx.d.reusesStatements() {
		return txRow{row: tx.tx.QueryRowContext(context.WithoutCancel(ctx), query, args...)}
	}
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return txRow{err: err}
	}
	return txRow{row: s.QueryRowContext(context.WithoutCancel(ctx), args...)}
}

// txRow is a row of queryRow, or the error that came before its statement could run.
type txRow struct {
	row *sql.Row
	err error
}

func (r txRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := tx.writeHeld(ctx); err != nil {
		return nil, err
	}
	if !tx.d.reusesStatements() {
		return tx.tx.QueryContext(context.WithoutCancel(ctx), query, args...)
	}
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(context.WithoutCancel(ctx), args...)
}

func (tx *Tx) closeStmts() {
	for _, s := range tx.stmts {
		s.Close()
	}
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
