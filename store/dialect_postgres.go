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

// pgIngestWriters is how many transactions storing messages one process runs at once on
// PostgreSQL (serve's writers, syncs): each is a server process of its own, and one
// writer leaves the server idle while it works, and itself idle while the server does.
// Two, not more: each writer's transactions carry fewer messages, and on the 2-core
// machine of BENCHMARKS.md four made serve slower than one.
const pgIngestWriters = 2

// pgIngestPlans opens each of those transactions. Ingest's statements look rows up by
// their keys, a batch's keys at a time: the right plan is an index probe a key, at any
// size of the tables. pgx keeps each statement prepared on its connection, and
// PostgreSQL plans a prepared statement once (a generic plan) after its fifth run, by
// the tables' sizes then. A serve started on a new inbox planned its lookups on empty
// tables: a hash join over a scan of the whole table, kept until autovacuum's ANALYZE,
// and 2 ms a lookup by 30,000 messages (a third of serve's throughput). With scans and
// hash and merge joins off in these transactions, every plan is index probes, whenever
// it was made. They go with BEGIN, in its round trip (pgTxStatements).
const pgIngestPlans = `SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off`

// pgDefaultPlans undoes pgIngestPlans, for a bulk load: its statements join whole
// batches, for which hash joins are the right plan.
const pgDefaultPlans = `SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT`

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

// pgCheckEncoding refuses a database whose encoding is not UTF8, before anything is made
// in it. A cluster made with the C locale gives its databases SQL_ASCII by default: the
// schema's first migration failed there on a collation, in words no administrator could
// act on, and a LATIN1 database would refuse every message with an emoji, at every sync.
func pgCheckEncoding(ctx context.Context, q queryer) error {
	var enc string
	if err := q.QueryRowContext(ctx, `SELECT current_setting('server_encoding')`).Scan(&enc); err != nil {
		return fmt.Errorf("read the database's encoding: %w", err)
	}
	if enc != "UTF8" {
		return fmt.Errorf("the database's encoding is %s, and triage needs UTF8 (messages hold any character): "+
			"make the database with CREATE DATABASE … ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0", enc)
	}
	return nil
}

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
	db := &DB{sql: sqldb, d: postgresDialect{}, path: name, readOnly: readOnly, writers: make(chan struct{}, 1),
		ingesters: make(chan struct{}, pgIngestWriters)}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", name, scrubPassword(err, cfg.Password))
	}
	if err := pgCheckEncoding(ctx, sqldb); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
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

// Search on PostgreSQL reads fts_words (migrations/postgres/0015), one row per word and
// conversation, through triage_text_plan: the words of the query's rarest word (a
// prefix's words), whose conversations are those that may match; the other words every
// match has; and whether having the rarest is the whole match. The GIN index answers a
// search only as a bitmap, each match a visit to messages_fts to learn its conversation,
// and cannot stop at a limit: counting "refund" up to 1,000 at a million messages read
// all 70,000 matches (191 ms). The B-tree of fts_words gives a word's conversations from
// the index alone, and tells whether a conversation has a word in one step down it.
// The plan is worked out once a statement, in the common table expression tp (ftsPlan).
const (
	pgPlanWords  = "(SELECT words FROM tp)"
	pgPlanExact  = "(SELECT exact FROM tp)"
	pgPlanOthers = "(SELECT others FROM tp)"
	// pgPlanFew: the rarest word's conversations are few enough to be listed once and
	// looked into as a hash, rather than looked up in the index for every conversation of
	// the view. Listing costs a fraction of a microsecond a conversation, a look a few;
	// the fewer a word's conversations, the longer the walk to fifty of them: "where is
	// my" in All walks 21,000 conversations to find its first fifty, listing its 15,000
	// costs less, and "ref" finds fifty in 700, where listing costs 57,000. (The
	// estimates come from a sample: the limit keeps away from the words measured.)
	pgPlanGIN = "(SELECT gin FROM tp)"
	pgPlanFew = "(SELECT est < 30000 FROM tp)"
	// pgOtherFew: the first of the other words is listed and hashed once for a count when
	// that costs less than a look into it for each of the rarest word's conversations
	// (a look costs some ten times what listing a conversation does), up to a size.
	pgOtherFew = "(SELECT other_est < least(3 * est, 60000) FROM tp)"
)

func (postgresDialect) ftsPlan() string {
	return "tp AS MATERIALIZED (SELECT * FROM triage_text_plan(?))"
}

// pgHasOthers is SQL true when conversation conv has every other word of the plan, a look
// into fts_words each (OFFSET 0: a look, not a list of all). A count's candidates were
// already narrowed by the first of them when it is short (counted, so firstDone), in its
// list hashed once (pgOtherFirst): "kettle broke" counts the 15,000 conversations of
// "broken", and a look into "kettle" for each cost more than listing its 29,000 once. A
// page looks only into the few conversations of the view that have the rarest word.
func pgHasOthers(conv string, firstDone bool) string {
	first := "EXISTS (SELECT 1 FROM fts_words q WHERE q.word = (SELECT others[1] FROM tp) AND q.conv = " + conv + " OFFSET 0)"
	if firstDone {
		first = pgOtherFew + " OR " + first
	}
	return "CASE WHEN " + pgPlanOthers + " = '{}' THEN TRUE WHEN NOT (" + first + ") THEN FALSE" +
		" ELSE NOT EXISTS (SELECT 1 FROM unnest(CAST((SELECT others[2:] FROM tp) AS text[])) AS o (w) WHERE NOT EXISTS (SELECT 1 FROM fts_words q WHERE q.word = o.w AND q.conv = " + conv + " OFFSET 0)) END"
}

// pgOtherFirst is SQL true when conversation conv has the plan's first other word, if it
// is short (pgOtherFew), looked for in its list hashed once.
func pgOtherFirst(conv string) string {
	return "CASE WHEN " + pgOtherFew + " THEN EXISTS (SELECT 1 FROM fts_words q WHERE q.word = (SELECT others[1] FROM tp) AND q.conv = " + conv + ") ELSE TRUE END"
}

// ftsCommon: the estimate of triage_text_plan, from the planner's statistics of
// fts_words, rather than counting matches: the GIN index lists every match of a word
// before the first (60 to 150 ms for "refund").
func (postgresDialect) ftsCommon() string {
	return `SELECT CAST(least(est, ?2) AS bigint) FROM triage_text_plan(?1)`
}

// ftsConversation: looking up (words few messages have), the conversations of the
// matches through the GIN index: a few bitmap pages. Probing (common words), the view is
// walked and each conversation tested: in the list of the rarest word's conversations,
// hashed (pgPlanFew), or else one step down fts_words's index; then ftsConfirm. OFFSET 0
// keeps PostgreSQL from turning a look into a join it estimates badly (it takes the words
// of a phrase for independent: "where is my" has 15,000 matches at a million messages,
// where it guesses a few hundred). A plan of no words (prefixes of too many) narrows
// nothing: the messages decide.
func (d postgresDialect) ftsConversation(conv string, probe bool) string {
	if !probe {
		return conv + " IN (SELECT " + ftsConversationID + " FROM messages_fts WHERE " + d.ftsMatch() + ")"
	}
	// CASE, because PostgreSQL orders the terms of an AND by its own estimate of their
	// cost, and a look for a common word in every conversation of the view came first.
	words := "SELECT 1 FROM fts_words p WHERE p.word = ANY (CAST(" + pgPlanWords + " AS text[])) AND p.conv = " + conv
	return "CASE WHEN " + pgPlanWords + " IS NULL THEN " + pgConfirm(conv, false) +
		" WHEN " + pgPlanFew + " AND EXISTS (" + words + ") OR NOT " + pgPlanFew + " AND EXISTS (" + words + " OFFSET 0)" +
		" THEN " + pgConfirm(conv, false) + " ELSE FALSE END"
}

// ftsCandidates: the conversations of the plan's rarest word, from fts_words's index
// alone (unless the plan says the GIN index answers better, see triage_text_plan), streamed: a word's conversations come in order from its range of the index, and
// a prefix's words one after another, each conversation given by the first of them it has,
// so that a count stops reading at its limit (a list made distinct at once would read
// every one first: 57,000 for "ref"). For a plan of no words (prefixes of too many), the
// conversations of the GIN index's matches.
func (d postgresDialect) ftsCandidates() string {
	return "SELECT z.conv AS id FROM fts_words z WHERE NOT " + pgPlanGIN + " AND z.word = (SELECT words[1] FROM tp) AND " + pgOtherFirst("z.conv") +
		" UNION ALL SELECT p.conv FROM unnest(CAST((SELECT words[2:] FROM tp) AS text[])) WITH ORDINALITY AS u (w, i)" +
		" CROSS JOIN LATERAL (SELECT y.conv FROM fts_words y WHERE y.word = u.w) AS p" +
		" WHERE NOT " + pgPlanGIN + " AND NOT EXISTS (SELECT 1 FROM fts_words e WHERE e.word = ANY (CAST((SELECT words[1:u.i] FROM tp) AS text[])) AND e.conv = p.conv OFFSET 0)" +
		" AND " + pgOtherFirst("p.conv") +
		// tp first: with no row left of it the GIN index is not even made ready to read.
		" UNION ALL SELECT g.id FROM tp CROSS JOIN LATERAL (SELECT DISTINCT " + ftsConversationID + " AS id FROM messages_fts WHERE tsv @@ tp.tsq) AS g WHERE tp.words IS NULL OR tp.gin"
}

// ftsConfirm: the rest of the test of a count's candidates (pgConfirm); the GIN index's
// are matches already.
func (postgresDialect) ftsConfirm(conv string) string {
	return "(" + pgPlanGIN + " OR " + pgConfirm(conv, true) + ")"
}

// pgConfirm: the plan's other words (pgHasOthers), then, unless the rarest word is the
// whole query, the conversation's own range of full-text keys (its messages, see ftsKey):
// the words in one message, a phrase's in a row. ts_match_vq is the function of the @@
// operator: called as a function it keeps the GIN index out, which would list every match
// of the words for each conversation. A CASE, so that a look into fts_words comes before
// reading messages.
func pgConfirm(conv string, firstDone bool) string {
	return "CASE WHEN NOT " + pgHasOthers(conv, firstDone) + " THEN FALSE WHEN " + pgPlanExact + " THEN TRUE" +
		" ELSE EXISTS (SELECT 1 FROM messages_fts mf WHERE mf.rowid BETWEEN " + conv + " << 32 AND (" + conv + " << 32) + 4294967295" +
		" AND ts_match_vq(mf.tsv, (SELECT tsq FROM tp)) OFFSET 0) END"
}
