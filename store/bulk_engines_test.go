package store

import (
	"context"
	"fmt"
	"testing"
)

// What a bulk load leaves of each engine's own machinery, for ingestBulk.

// bulkIndexes counts the secondary indexes of messages and conversations (and, on
// PostgreSQL, messages_fts, whose GIN index a bulk load drops too).
func bulkIndexes(t *testing.T, db *DB) (n int) {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('messages', 'conversations')`
	if db.d.engine() == "postgres" {
		q = `SELECT count(*) FROM pg_index WHERE NOT indisunique
			AND indrelid IN (to_regclass('messages'), to_regclass('conversations'), to_regclass('messages_fts'))`
	}
	must(t, db.sql.QueryRow(q).Scan(&n))
	return n
}

// bulkPlannerStats is what the planner knows of the indexes a bulk load drops and builds
// again: SQLite's sqlite_stat1 rows, which CREATE INDEX does not bring back by itself;
// on PostgreSQL, where ANALYZE keeps statistics of tables rather than of indexes, the
// indexes' definitions, which must come back as they were.
func bulkPlannerStats(t *testing.T, db *DB) string {
	t.Helper()
	if db.d.engine() != "postgres" {
		return plannerStats(t, db)
	}
	var out string
	must(t, db.sql.QueryRow(`SELECT coalesce(string_agg(indexdef, E'\n' ORDER BY indexname), '') FROM pg_indexes
		WHERE tablename IN ('messages', 'conversations', 'messages_fts')`).Scan(&out))
	return out
}

// foreignKeyViolations counts rows that name a row that is not there. PostgreSQL checks
// every foreign key as rows are written, COPY's too, so there it counts the links a
// COPY could have got wrong all the same.
func foreignKeyViolations(t *testing.T, db *DB) (n int) {
	t.Helper()
	q := `SELECT count(*) FROM pragma_foreign_key_check`
	if db.d.engine() == "postgres" {
		q = `SELECT (SELECT count(*) FROM messages m WHERE m.answered_by IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM messages a WHERE a.id = m.answered_by))
			+ (SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id))`
	}
	must(t, db.sql.QueryRow(q).Scan(&n))
	return n
}

// A bulk load on PostgreSQL moves messages' identity past the ids it gave, so a message
// stored after it, in the same transaction or a later one, takes a fresh id; and its
// text is found.
func TestBulkLoadIDsAfterwardsPostgres(t *testing.T) {
	db := openOn(t, onPostgres)
	ctx := context.Background()
	msgs := randomStream(3, 200)
	ingestBulk(t, db, msgs, -1)
	more := NewMessage{Channel: "x", Account: "brand", ExtID: "after-bulk", ConvKey: "after-bulk", Kind: "dm",
		Direction: "in", AuthorHandle: "late", Text: "arrived after the import", CreatedAt: 1 << 40, Priority: 1}
	must(t, db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Ingest(ctx, more)
		return err
	}))
	var max, n int64
	must(t, db.sql.QueryRow(`SELECT max(id), count(*) FROM messages`).Scan(&max, &n))
	if n != int64(len(distinctExtIDs(msgs)))+1 {
		t.Errorf("%d messages, want %d", n, len(distinctExtIDs(msgs))+1)
	}
	var fts int
	must(t, db.sql.QueryRow(`SELECT count(*) FROM messages_fts WHERE tsv @@ triage_tsquery(' arrived after')`).Scan(&fts))
	if fts != 1 {
		t.Errorf("the message after the bulk load is found %d times, want once", fts)
	}
	var texts int
	must(t, db.sql.QueryRow(`SELECT count(*) FROM messages_fts`).Scan(&texts))
	if int64(texts) != n {
		t.Errorf("%d rows of full text for %d messages", texts, n)
	}
	var analyzed bool
	must(t, db.sql.QueryRow(`SELECT reltuples > 0 FROM pg_class WHERE oid = to_regclass('messages')`).Scan(&analyzed))
	if !analyzed {
		t.Error("after a bulk load the planner knows nothing of messages")
	}
}

func distinctExtIDs(msgs []NewMessage) map[string]bool {
	seen := map[string]bool{}
	for _, m := range msgs {
		seen[fmt.Sprint(m.Channel, "\x00", m.Account, "\x00", m.ExtID)] = true
	}
	return seen
}
