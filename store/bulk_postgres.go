package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// pgBulk is a bulk load on PostgreSQL (see bulkLoad). Message rows go in by COPY, a
// window's quarter at a time; their text goes to messages_fts a few thousand rows a
// statement; the secondary indexes of messages, conversations and messages_fts (the GIN
// index of the words) are dropped and built once at the end, with a larger
// maintenance_work_mem; and ANALYZE gives the planner the statistics of the new rows
// before commit. All of it happens in the import's one transaction: COPY runs on the
// transaction's own connection (see onPgx), so a failed import leaves nothing.
//
// DROP INDEX locks messages and conversations until commit, readers too: a screen open
// on an inbox that is being loaded for the first time waits (and after lock_timeout says
// the database is busy) instead of showing it empty.
type pgBulk struct {
	// wordsAtEnd: fts_words (migration 15) was empty when the load began, so its triggers
	// are off during the load and finish builds it once from messages_fts, as the dropped
	// indexes are built: pair by pair, through its primary key and the triggers, it cost
	// a bulk import about a seventh of its speed.
	wordsAtEnd bool
}

// ftsWordsTriggers are the triggers of messages_fts that keep fts_words.
var ftsWordsTriggers = []string{"messages_fts_words_add", "messages_fts_words_drop", "messages_fts_words_update"}

// pgBulkWorkMem is the memory each index build may sort in: a million rows of msg_created
// sort in it at once, and the GIN index of their words is built in a few passes.
const pgBulkWorkMem = "256MB"

func (*pgBulk) prepare(context.Context, *Tx) error { return nil }

// dropIndexes drops the indexes that are not unique: the unique ones (primary keys, the
// dedup keys of messages, conversations and contacts) are what ingest's lookups use and
// what must hold while loading. The load's statements read whole batches and tables:
// they are planned as PostgreSQL would, not as ingest's lookups are (pgIngestPlans).
func (p *pgBulk) dropIndexes(ctx context.Context, tx *Tx) ([]string, error) {
	if _, err := tx.tx.ExecContext(ctx, pgDefaultPlans); err != nil {
		return nil, err
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT CAST(CAST(i.indexrelid AS regclass) AS text), pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid IN (to_regclass('messages'), to_regclass('conversations'), to_regclass('messages_fts'))
		AND NOT i.indisunique ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
			return nil, fmt.Errorf("drop %s: %w", name, err)
		}
	}
	if _, err := tx.tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '`+pgBulkWorkMem+`'`); err != nil {
		return nil, err
	}
	var words bool
	if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM fts_words)`).Scan(&words); err != nil {
		return nil, fmt.Errorf("bulk load: look into fts_words: %w", err)
	}
	if !words {
		for _, t := range ftsWordsTriggers {
			if _, err := tx.tx.ExecContext(ctx, `ALTER TABLE messages_fts DISABLE TRIGGER `+t); err != nil {
				return nil, fmt.Errorf("bulk load: %w", err)
			}
		}
		if _, err := tx.tx.ExecContext(ctx, `ALTER TABLE fts_words DROP CONSTRAINT fts_words_pkey`); err != nil {
			return nil, fmt.Errorf("bulk load: %w", err)
		}
		p.wordsAtEnd = true
	}
	return defs, nil
}

// firstID takes the next id of messages' identity; finish (or direct) moves the identity
// past the ids the load gave, so rows stored after it never take one of them.
func (*pgBulk) firstID(ctx context.Context, tx *Tx) (id int64, err error) {
	err = tx.tx.QueryRowContext(ctx, `SELECT greatest(nextval(pg_get_serial_sequence('messages', 'id')),
		(SELECT coalesce(max(id), 0) + 1 FROM messages))`).Scan(&id)
	return id, err
}

// direct: from here on rows take their ids from the identity.
func (*pgBulk) direct(ctx context.Context, tx *Tx, nextID int64) error {
	return pgSetNextID(ctx, tx, nextID)
}

func pgSetNextID(ctx context.Context, tx *Tx, nextID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('messages', 'id'), ?, false)`, nextID); err != nil {
		return fmt.Errorf("bulk load: message ids: %w", err)
	}
	return nil
}

func (p *pgBulk) finish(ctx context.Context, tx *Tx, b *bulkLoad) error {
	if !b.direct {
		if err := pgSetNextID(ctx, tx, b.nextID); err != nil {
			return err
		}
	}
	if p.wordsAtEnd {
		// The words of every message the load indexed (merges included: they moved rows of
		// messages_fts, whose keys name the conversation), in key order, then the key.
		for _, stmt := range append([]string{
			`INSERT INTO fts_words (word, conv)
				SELECT DISTINCT w, f.rowid >> 32 FROM messages_fts f, unnest(tsvector_to_array(f.tsv)) AS w ORDER BY 1, 2`,
			`ALTER TABLE fts_words ADD CONSTRAINT fts_words_pkey PRIMARY KEY (word, conv)`,
		}, enableTriggers()...) {
			if _, err := tx.tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("bulk load: words of the conversations: %w", err)
			}
		}
		p.wordsAtEnd = false
	}
	// Without statistics the planner guesses a table of a few pages, and autovacuum
	// comes only after commit, a minute later: the first queue page would read every
	// conversation. ANALYZE samples the rows this transaction wrote; fts_words's are also
	// what search picks the rarest of its words by (triage_text_plan).
	if _, err := tx.tx.ExecContext(ctx, `ANALYZE messages, conversations, messages_fts, fts_words, contacts`); err != nil {
		return fmt.Errorf("bulk load: planner statistics: %w", err)
	}
	return nil
}

// pgCopyColumns are the columns of a message row, as COPY names them.
var pgCopyColumns = func() []string {
	cols := []string{"id"}
	for _, c := range strings.Split(messageColumns, ",") {
		cols = append(cols, strings.TrimSpace(c))
	}
	return cols
}()

// writeRows copies the rows and the answers they name that are still in the window: the
// foreign key of answered_by is checked at the end of the statement, so within one COPY
// the order of the rows does not matter.
func (*pgBulk) writeRows(ctx context.Context, tx *Tx, rows []*messageRow) error {
	b := tx.bulk
	var answers []*messageRow
	for _, r := range rows {
		if !r.ansBy.Valid {
			continue
		}
		if a := b.buffered(r.ansBy.Int64); a != nil && !a.written && a.id > rows[len(rows)-1].id {
			answers = append(answers, a)
			a.written = true // taken once, however many rows it answers
		}
	}
	all := append(rows, answers...)
	if len(all) == 0 {
		return nil
	}
	values := make([][]any, len(all))
	for i, r := range all {
		v := append([]any{r.id}, r.args()...)
		for j, x := range v {
			switch x := x.(type) {
			case bool: // the flag columns are integers (see pgConn.CheckNamedValue)
				v[j] = int64(0)
				if x {
					v[j] = int64(1)
				}
			case sql.NullInt64:
				v[j] = nil
				if x.Valid {
					v[j] = x.Int64
				}
			case string: // COPY goes around pgConn: keep the text as PostgreSQL can (pgText)
				v[j] = pgText(x)
			}
		}
		values[i] = v
	}
	err := onPgx(ctx, tx, func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"messages"}, pgCopyColumns, pgx.CopyFromRows(values))
		return err
	})
	if err != nil {
		for _, a := range answers {
			a.written = false
		}
		return fmt.Errorf("store messages %s to %s: %w", all[0].m.ExtID, all[len(all)-1].m.ExtID, err)
	}
	for _, r := range rows {
		r.written = true
	}
	return nil
}

// onPgx runs fn with the pgx connection under the transaction, in the transaction.
// database/sql does not hand out the connection of a Tx; pgx hands a QueryRewriter the
// first argument of a statement its connection, before it runs the statement. So the
// statement is an empty one, run through the Tx, whose first argument is fn.
func onPgx(ctx context.Context, tx *Tx, fn func(ctx context.Context, conn *pgx.Conn) error) error {
	_, err := tx.tx.ExecContext(ctx, "", pgxRewriter(fn))
	return err
}

type pgxRewriter func(ctx context.Context, conn *pgx.Conn) error

var _ pgx.QueryRewriter = pgxRewriter(nil)

func (f pgxRewriter) RewriteQuery(ctx context.Context, conn *pgx.Conn, sql string, args []any) (string, []any, error) {
	if err := f(ctx, conn); err != nil {
		return "", nil, err
	}
	return sql, args, nil
}

// pgTextRun is how much queued text tick lets wait: half of a textBatch, so flushText,
// which indexes row by row, only ever gets what is left at the end.
const pgTextRun = textBatchRows / 2

// tick indexes the queued text once a run of it waits.
func (*pgBulk) tick(ctx context.Context, tx *Tx) error {
	if len(tx.text.rows) < pgTextRun && tx.text.bytes < textBatchBytes/2 {
		return nil
	}
	return pgIndexText(ctx, tx)
}

// pgIndexText indexes the queued text in one statement, as flushText would row by row.
func pgIndexText(ctx context.Context, tx *Tx) error {
	n := len(tx.text.rows)
	if n == 0 {
		return nil
	}
	keys, texts, authors := make([]int64, n), make([]string, n), make([]string, n)
	for i, r := range tx.text.rows {
		keys[i], texts[i], authors[i] = r.key, r.text, r.author
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, tsv)
		SELECT k, triage_tsvector(t) || triage_tsvector(a) FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[])) AS u (k, t, a)`,
		keys, texts, authors)
	if err != nil {
		return fmt.Errorf("index messages %d to %d: %w", keys[0]&(1<<32-1), keys[n-1]&(1<<32-1), err)
	}
	clear(tx.text.byConv)
	clear(tx.text.rows) // let the text go
	tx.text = textBatch{rows: tx.text.rows[:0], byConv: tx.text.byConv}
	return nil
}

// releaseHeld is releaseHeld (ingest_orphans.go) indexing in runs.
func (*pgBulk) releaseHeld(ctx context.Context, tx *Tx) error {
	b := tx.bulk
	for _, c := range b.holding {
		for _, r := range c.held {
			if len(tx.text.rows) >= pgTextRun {
				if err := pgIndexText(ctx, tx); err != nil {
					return err
				}
			}
			if err := tx.indexText(ctx, c.id, r.key, r.text, r.author); err != nil {
				return err
			}
		}
		c.held, c.holding = nil, false
	}
	b.holding, b.heldBytes = nil, 0
	return pgIndexText(ctx, tx)
}

func enableTriggers() []string {
	var out []string
	for _, t := range ftsWordsTriggers {
		out = append(out, `ALTER TABLE messages_fts ENABLE TRIGGER `+t)
	}
	return out
}
