package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// One store, two engines. The store's SQL is written once, in the forms SQLite and
// PostgreSQL both accept (RETURNING id, ON CONFLICT … DO NOTHING, string_agg, TRUE,
// CASE, coalesce; flags are integer 0/1 columns on both, compared with = 1). It keeps
// SQLite's `?` and `?N` placeholders and its INDEXED BY hints: the PostgreSQL driver
// rewrites both as each statement is prepared (see rebind), so every query, however it
// is run, has one text in the source. What cannot be written once goes through the few
// hooks of dialect below, each with a SQLite and a PostgreSQL answer.

// dialect is what differs between the engines.
type dialect interface {
	// engine names the engine: "sqlite" or "postgres".
	engine() string
	// migrationDir is the folder under migrations/ that holds this engine's files; the
	// numbering is shared (see migrate.go).
	migrationDir() string
	// schemaVersion reads the version of the schema the database has (0 for none),
	// without writing anything; setSchemaVersion records v in the migration's tx.
	schemaVersion(ctx context.Context, q queryer) (int, error)
	setSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error
	// lockSchema keeps two processes from migrating at once; it is taken first in the
	// migration's transaction.
	lockSchema(ctx context.Context, tx *sql.Tx) error

	// foldCase is expr compared without regard to case: both sides of a comparison
	// take it (`foldCase(a) = foldCase(b)`).
	foldCase(expr string) string
	// like is the operator of a case-insensitive LIKE (SQLite's LIKE ignores ASCII case).
	like() string
	// contains is SQL true when expr holds the next argument as a substring.
	contains(expr string) string
	// extremeRow selects one row per value of group from the rows of from (" FROM …
	// WHERE …"): the row whose by is least (or greatest, when greatest is set), as the
	// columns group AS conv, by AS at, and cols (a select list with its own aliases).
	extremeRow(group, by string, greatest bool, cols, from string) string
	// unindexed is expr kept from choosing an index: a hint for SQLite's planner.
	unindexed(expr string) string

	// inJSON is SQL true when expr is one of the ids of the JSON array the placeholder
	// param ("?" or "?N") stands for: a list of any length as one argument.
	inJSON(expr, param string) string
	// jsonRows aggregates rows into the text of a JSON array with one array of the
	// values a, b per row.
	jsonRows(a, b string) string

	// joinInOrder joins the next table after those before it, never the other way:
	// SQLite's CROSS JOIN (its planner keeps that order); PostgreSQL's planner is
	// left to choose.
	joinInOrder() string

	// ftsMatch is SQL true for a row of messages_fts that matches the next argument, a
	// query made by ftsQuery from the words and phrases of free text. The rows' key is
	// named rowid on both engines (ftsKey).
	ftsMatch() string
	ftsQuery(units []textUnit) string
	// ftsInsert stores the row of messages_fts of one message: key, text, author.
	ftsInsert() string

	// nextBatch is the statement that gives a fresh audit batch number (see NextBatch).
	nextBatch() string

	// readTx are the options of ReadTx: one snapshot for the whole transaction.
	readTx() *sql.TxOptions
	// busy reports whether err means a lock was waited for past the timeout: another
	// writer holds what this one needs (ErrWriterBusy).
	busy(err error) bool
	// reusesStatements reports whether Tx should prepare each statement once and keep it
	// for the transaction (SQLite: preparing is parsing, in process). pgx already keeps
	// every statement prepared on its connection, by its text; preparing again per
	// transaction would cost two round trips more per statement.
	reusesStatements() bool
	// bulkLoad reports whether BulkLoad may drop and rebuild indexes and choose message
	// ids itself (see bulk.go); where it may not, ingest writes row by row.
	bulkLoad() bool

	// ftsConversation is SQL true when conversation conv has a message that matches the
	// query of ftsQuery's that each of its placeholders stands for. probe asks for the
	// form a search of common words takes (ftsProbe): the view is walked in queue order
	// and each conversation tested, rather than every match looked up first (ftsLookup).
	ftsConversation(conv string, probe bool) string
	// ftsCommon is a statement of one number, of its arguments ?1, a query of ftsQuery's,
	// and ?2, a limit: how many matches the query has, up to the limit (SQLite: messages,
	// counted; PostgreSQL: conversations, estimated). See DB.commonText.
	ftsCommon() string
	// ftsCandidates is a subquery of the ids (column id), each once and in no promised
	// order, of the conversations that may have a message that matches the query every
	// placeholder stands for; ftsConfirm (SQL, "" for none) is true when conversation conv
	// of them does. A limited count reads them (countQuery).
	ftsCandidates() string
	ftsConfirm(conv string) string
	// ftsPlan is a common table expression that the hooks above may read, which a
	// statement using them in a probe or a limited count puts first, with the query as its
	// one argument: the search's plan, worked out once a statement ("" for none).
	ftsPlan() string
}

// withFTSPlan puts the dialect's ftsPlan of the query match before the statement q.
func withFTSPlan(d dialect, q string, args []any, match string) (string, []any) {
	plan := d.ftsPlan()
	if plan == "" || match == "" {
		return q, args
	}
	return "WITH " + plan + " " + q, append([]any{match}, args...)
}

// ftsArgs is the query match once for every placeholder of sql, a statement of a hook of
// the full-text search (ftsConversation, ftsCandidates, ftsConfirm): PostgreSQL's read
// it more than once.
func ftsArgs(sql, match string) []any {
	args := make([]any, strings.Count(sql, "?"))
	for i := range args {
		args[i] = match
	}
	return args
}

// queryer is what reads a value: *sql.DB, *sql.Tx or *sql.Conn.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rebind rewrites a statement written for SQLite into PostgreSQL's: `?N` becomes `$N`
// and a bare `?` the number after the highest so far (SQLite's own rule), and
// `INDEXED BY name`, a hint for SQLite's planner that PostgreSQL has no use for, goes.
// String literals, quoted names and comments are copied as they are.
func rebind(q string) string {
	if !strings.ContainsAny(q, "?Ii") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	highest := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // a doubled quote stays inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j+1, len(q))
			b.WriteString(q[i:j])
			i = j
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(q[i+1 : j])
			}
			highest = max(highest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j
		case (c == 'I' || c == 'i') && wordAt(q, i, "INDEXED"):
			// INDEXED BY name: drop the three words.
			j := skipSpace(q, i+len("INDEXED"))
			if !wordAt(q, j, "BY") {
				b.WriteByte(c)
				i++
				continue
			}
			j = skipSpace(q, j+2)
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			i = j
		default:
			j := i + 1
			for j < len(q) && isWordByte(q[j]) && isWordByte(c) {
				j++ // copy a whole word, so INDEXED is only ever seen as one
			}
			b.WriteString(q[i:j])
			i = j
		}
	}
	return b.String()
}

// wordAt reports whether the word w (any case) starts at q[i] and ends there.
func wordAt(q string, i int, w string) bool {
	if i+len(w) > len(q) || !strings.EqualFold(q[i:i+len(w)], w) {
		return false
	}
	return (i == 0 || !isWordByte(q[i-1])) && (i+len(w) == len(q) || !isWordByte(q[i+len(w)]))
}

func skipSpace(q string, i int) int {
	for i < len(q) && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r') {
		i++
	}
	return i
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// rebindCache remembers rewritten statements: the store's queries are a few hundred
// texts, prepared again on every connection and transaction. It forgets everything when
// it grows past rebindCacheMax (filters compile to many texts over a long session).
type rebindCache struct {
	mu sync.Mutex
	m  map[string]string
}

const rebindCacheMax = 4096

func (c *rebindCache) get(q string) string {
	c.mu.Lock()
	r, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return r
	}
	r = rebind(q)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= rebindCacheMax {
		c.m = make(map[string]string)
	}
	c.m[q] = r
	c.mu.Unlock()
	return r
}
