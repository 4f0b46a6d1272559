package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// postgresDialect is PostgreSQL through pgx's database/sql adapter: the engine of a team
// that outgrew one host. Its schema is migrations/postgres; the statements are the
// store's own, rebound as they are prepared (see pgConn).
type postgresDialect struct{}

var _ dialect = postgresDialect{}

func (postgresDialect) engine() string       { return "postgres" }
func (postgresDialect) migrationDir() string { return "postgres" }

// schemaVersion reads triage_schema, the one-row table of migration 0013; a database
// without it has no schema yet (0). to_regclass asks without failing, and writes nothing.
func (postgresDialect) schemaVersion(ctx context.Context, q queryer) (int, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('triage_schema') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRowContext(ctx, `SELECT version FROM triage_schema`).Scan(&v)
	return v, err
}

func (postgresDialect) setSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error {
	_, err := tx.ExecContext(ctx, `UPDATE triage_schema SET version = $1`, v)
	return err
}

// schemaLockKey is the advisory lock two triages opening one new database at once take
// before migrating it: without it both see no schema, and one fails halfway through.
const schemaLockKey = 0x7472696167650001 // "triage" and 1

func (postgresDialect) lockSchema(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLockKey))
	return err
}

// foldCase: lower() folds every letter, where SQLite's NOCASE folds ASCII only; a
// handle or a name that differs from another only in a non-ASCII letter's case matches
// it here and not there.
func (postgresDialect) foldCase(expr string) string { return "lower(" + expr + ")" }
func (postgresDialect) like() string                { return "ILIKE" }
func (postgresDialect) contains(expr string) string { return "strpos(" + expr + ", ?) > 0" }

// extremeRow: DISTINCT ON keeps the first row of each group in the order given.
func (postgresDialect) extremeRow(group, by string, greatest bool, cols, from string) string {
	order := by
	if greatest {
		order += " DESC"
	}
	return "SELECT DISTINCT ON (" + group + ") " + group + " AS conv, " + by + " AS at, " + cols + from +
		" ORDER BY " + group + ", " + order
}

// unindexed: PostgreSQL has no unary + for text, and no need of the hint.
func (postgresDialect) unindexed(expr string) string { return expr }

func (postgresDialect) inJSON(expr, param string) string {
	return expr + " IN (SELECT CAST(value AS bigint) FROM json_array_elements_text(CAST(" + param + " AS json)))"
}

func (postgresDialect) jsonRows(a, b string) string {
	return "CAST(json_agg(json_build_array(" + a + ", " + b + ")) AS text)"
}

func (postgresDialect) joinInOrder() string { return "JOIN" }

// ftsMatch: tsv holds the message's words as triage_tsvector made them (see
// fts_postgres.go and migrations/postgres/0013).
func (postgresDialect) ftsMatch() string { return "tsv @@ triage_tsquery(?)" }

func (postgresDialect) ftsInsert() string {
	return `INSERT INTO messages_fts (rowid, tsv) VALUES (?1, triage_tsvector(?2) || triage_tsvector(?3))`
}

func (postgresDialect) ftsQuery(units []textUnit) string { return pgTextQuery(units) }

// nextBatch: writers of several hosts run at once, and two reading max(batch) together
// would share a number, so that one undo took back both actions.
func (postgresDialect) nextBatch() string { return `SELECT nextval('audit_batches')` }

// readTx: PostgreSQL's default isolation gives each statement its own snapshot.
func (postgresDialect) readTx() *sql.TxOptions {
	return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
}

// busy: a lock not had within lock_timeout (set to the busy timeout at connect), or a
// transaction PostgreSQL broke off to resolve a deadlock or a serialization conflict.
func (postgresDialect) busy(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "55P03", "40P01", "40001": // lock_not_available, deadlock_detected, serialization_failure
		return true
	}
	return false
}

// bulkLoad: a bulk load copies its rows in (see bulk_postgres.go).
func (postgresDialect) bulkLoad() bool { return true }

func (postgresDialect) reusesStatements() bool { return false }

// IsPostgresURL reports whether a --db or TRIAGE_DB value names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file: a caller must not look for
// it on disk, nor print it as it is (see Redact).
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func isPostgresURL(s string) bool { return IsPostgresURL(s) }

// Redact is a --db or TRIAGE_DB value fit to print: a PostgreSQL URL without its
// password, a file path as it is. It is what DB.Path and the store's errors show.
func Redact(s string) string {
	if !IsPostgresURL(s) {
		return s
	}
	return redactURL(s)
}

// redactURL is a PostgreSQL URL fit to print: the password, if the URL holds one, is
// left out (not masked: nothing of it shows). A URL that does not parse is not shown at all.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the PostgreSQL database (its URL does not parse)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openPostgres opens the PostgreSQL database at a postgres:// URL. The password comes
// from the URL, PGPASSWORD or ~/.pgpass, as for psql (pgx reads all three).
func openPostgres(ctx context.Context, rawURL string, readOnly bool, o Options) (*DB, error) {
	name := redactURL(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx's parse errors quote the URL, password and all: say only what was wrong.
		return nil, fmt.Errorf("open database %s: the URL is not a PostgreSQL connection URL", name)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	// A write waits for another's row or table lock as long as SQLite's busy timeout,
	// then is refused with ErrWriterBusy, rather than wait forever.
	cfg.RuntimeParams["lock_timeout"] = strconv.Itoa(busyTimeoutMS)
	// The store's queries are short and many; JIT compiling one whose estimated cost is
	// high (a search of common words over the queue) took 80 ms of a 100 ms keystroke.
	cfg.RuntimeParams["jit"] = "off"
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	sqldb := sql.OpenDB(pgConnector(*cfg))
	db := &DB{sql: sqldb, d: postgresDialect{}, path: name, readOnly: readOnly, writers: make(chan struct{}, 1)}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", name, scrubPassword(err, cfg.Password))
	}
	if readOnly {
		if err := db.checkVersion(ctx); err != nil {
			sqldb.Close()
			return nil, fmt.Errorf("open database %s: %w", name, err)
		}
		return db, nil
	}
	if err := db.migrate(ctx, o.Upgrading); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", name, scrubPassword(err, cfg.Password))
	}
	return db, nil
}

// checkVersion refuses, without writing, a database this triage cannot read: a newer
// schema, or one older than its own (opened read-only, it cannot be brought up to date).
func (db *DB) checkVersion(ctx context.Context) error {
	have, err := db.d.schemaVersion(ctx, db.sql)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if err := newerSchema(have, SchemaVersion()); err != nil {
		return err
	}
	if have < SchemaVersion() {
		return readOnlyUpgrade(have)
	}
	return nil
}

// scrubPassword keeps a password out of an error's text, should a server or a driver
// ever quote it back; the error stays wrapped for errors.Is and errors.As.
func scrubPassword(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return &scrubbed{err: err, text: strings.ReplaceAll(err.Error(), password, "(password)")}
}

type scrubbed struct {
	err  error
	text string
}

func (e *scrubbed) Error() string { return e.text }
func (e *scrubbed) Unwrap() error { return e.err }

// pgTextQuery writes free text's words and phrases for triage_tsquery: one a line, the
// line's first character '*' when it is a prefix (the word being typed) and ' ' when not.
// triage_tsquery turns each into words as triage_tsvector does and requires them all,
// a phrase's words in a row, so the same text finds the same messages as FTS5 does.
func pgTextQuery(units []textUnit) string {
	var b strings.Builder
	for i, u := range units {
		if i > 0 {
			b.WriteByte('\n')
		}
		if u.prefix {
			b.WriteByte('*')
		} else {
			b.WriteByte(' ')
		}
		// Control characters separate words anyway; a newline must not end the unit,
		// and PostgreSQL refuses a NUL in text.
		b.WriteString(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, u.s))
	}
	return b.String()
}

// ftsConversation: looking up, the conversations of the matches. Probing, one look into
// the conversation's own range of keys (its messages, see ftsKey) per conversation of the
// view: PostgreSQL takes the words of a phrase for independent and guesses a few hundred
// matches where "where is my" has 15,000 at a million messages, and then builds the list
// of matches once and compares every conversation of the view with all of it (8 s). OFFSET
// 0 keeps the subquery from being turned into that join, and the tsvector made anew (|| an
// empty one) keeps it from the GIN index, which would list every match for each
// conversation: the primary key's range scan is what is left.
func (d postgresDialect) ftsConversation(conv string, probe bool) string {
	if !probe {
		return conv + " IN (SELECT " + ftsConversationID + " FROM messages_fts WHERE " + d.ftsMatch() + ")"
	}
	return "EXISTS (SELECT 1 FROM messages_fts f WHERE f.rowid BETWEEN " + conv + " << 32 AND (" + conv + " << 32) + 4294967295" +
		" AND (f.tsv || CAST('' AS tsvector)) @@ triage_tsquery(?) OFFSET 0)"
}
