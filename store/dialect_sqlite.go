package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	sqlite "modernc.org/sqlite" // registers the "sqlite" driver
)

// sqliteDialect is SQLite through modernc.org/sqlite: the engine of one host, and the
// form the store's SQL is written in.
type sqliteDialect struct{}

var _ dialect = sqliteDialect{}

func (sqliteDialect) engine() string       { return "sqlite" }
func (sqliteDialect) migrationDir() string { return "sqlite" }

func (sqliteDialect) schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func (sqliteDialect) setSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error {
	// PRAGMA takes no bound parameters; the value is our own integer.
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}

// lockSchema: a transaction of Tx holds SQLite's write lock from its BEGIN (immediate).
func (sqliteDialect) lockSchema(context.Context, *sql.Tx) error { return nil }

// foldCase: NOCASE folds ASCII letters only, as SQLite's LIKE does.
func (sqliteDialect) foldCase(expr string) string { return expr + " COLLATE NOCASE" }
func (sqliteDialect) like() string                { return "LIKE" }
func (sqliteDialect) contains(expr string) string { return "instr(" + expr + ", ?) > 0" }

// extremeRow: SQLite fills the bare columns of an aggregate query from the row that
// holds its one min() or max(); grouped in the order of an index, that needs no sort.
func (sqliteDialect) extremeRow(group, by string, greatest bool, cols, from string) string {
	fn := "min"
	if greatest {
		fn = "max"
	}
	return "SELECT " + group + " AS conv, " + fn + "(" + by + ") AS at, " + cols + from + " GROUP BY " + group
}

// unindexed: a unary + makes a column an expression, which no index holds.
func (sqliteDialect) unindexed(expr string) string { return "+" + expr }

func (sqliteDialect) inJSON(expr, param string) string {
	return expr + " IN (SELECT value FROM json_each(" + param + "))"
}

func (sqliteDialect) jsonRows(a, b string) string {
	return "json_group_array(json_array(" + a + ", " + b + "))"
}

func (sqliteDialect) joinInOrder() string { return "CROSS JOIN" }

func (sqliteDialect) ftsMatch() string { return "messages_fts MATCH ?" }

func (sqliteDialect) ftsInsert() string {
	return `INSERT INTO messages_fts (rowid, text, author) VALUES (?, ?, ?)`
}

// ftsQuery writes each word or phrase as an FTS5 string ("…", so that FTS5's operators
// such as AND, NEAR or ^ are only words), all required, * after those that are prefixes.
func (sqliteDialect) ftsQuery(units []textUnit) string {
	fts := make([]string, len(units))
	for i, u := range units {
		// FTS5 reads its query as a C string: a NUL would cut it short. Control
		// characters separate tokens anyway, so a space stands in for them.
		word := strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, u.s)
		fts[i] = `"` + strings.ReplaceAll(word, `"`, `""`) + `"`
		if u.prefix {
			fts[i] += "*"
		}
	}
	return strings.Join(fts, " AND ")
}

// nextBatch: one writer at a time holds the database, so the next number is free.
func (sqliteDialect) nextBatch() string { return `SELECT coalesce(max(batch), 0) + 1 FROM audit` }

func (sqliteDialect) readTx() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }

// busy: SQLITE_BUSY (and its extended codes), which SQLite returns once the busy
// timeout has passed.
func (sqliteDialect) busy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 5
}

func (sqliteDialect) reusesStatements() bool { return true }
func (sqliteDialect) bulkLoad() bool         { return true }

// ftsConversation: the conversations of the matches, read from the keys of the index;
// the unary + keeps the planner from driving the view from them, so the view's index is
// walked and the set of matches looked into.
func (d sqliteDialect) ftsConversation(conv string, probe bool) string {
	if probe {
		conv = "+" + conv
	}
	return conv + " IN (SELECT " + ftsConversationID + " FROM messages_fts WHERE " + d.ftsMatch() + ")"
}

func (d sqliteDialect) ftsCommon() string {
	return `SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2) AS m`
}

// ftsCandidates: the matches' conversations, from their keys, in key order; FTS5 reads
// them in that order and stops when the count does.
func (d sqliteDialect) ftsCandidates() string {
	return "SELECT DISTINCT " + ftsConversationID + " AS id FROM messages_fts WHERE " + d.ftsMatch()
}

func (sqliteDialect) ftsConfirm(string) string { return "" }

func (sqliteDialect) ftsPlan() string { return "" }
