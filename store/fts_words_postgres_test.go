package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// checkFTSWords fails t when fts_words (migrations/postgres/0015) is not exactly the words
// of messages_fts by conversation: a pair missing loses a conversation from a search, one
// left over costs a look at its messages. openOn runs it as every PostgreSQL test of the
// store ends, so that whatever a test wrote (live ingest, bulk loads, merges that move
// messages, edits, replies taken back) the triggers are shown to have kept up.
func checkFTSWords(t testing.TB, db *DB) {
	t.Helper()
	var missing, extra int
	err := db.sql.QueryRowContext(context.Background(), `WITH want AS (
			SELECT DISTINCT w COLLATE "C" AS word, f.rowid >> 32 AS conv FROM messages_fts f, unnest(tsvector_to_array(f.tsv)) AS w)
		SELECT (SELECT count(*) FROM (SELECT word, conv FROM want EXCEPT SELECT word, conv FROM fts_words) AS m),
			(SELECT count(*) FROM (SELECT word, conv FROM fts_words EXCEPT SELECT word, conv FROM want) AS x)`).Scan(&missing, &extra)
	if err != nil {
		if errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "database is closed") || strings.Contains(err.Error(), "does not exist") {
			return // the test closed or dropped it itself
		}
		t.Errorf("read fts_words: %v", err)
		return
	}
	if missing > 0 || extra > 0 {
		t.Errorf("fts_words is out of step with messages_fts: %d pairs missing, %d left over", missing, extra)
	}
}

// The pairs follow every kind of write of messages_fts, checked directly here (and by
// openOn after every other PostgreSQL test): a message indexed, its text edited, a reply
// taken back, and a conversation merged into another.
func TestPostgresFTSWordsFollowWrites(t *testing.T) {
	db := openOn(t, onPostgres)
	ctx := context.Background()
	ingest := func(m NewMessage) {
		t.Helper()
		must(t, db.Tx(ctx, func(tx *Tx) error { _, err := tx.Ingest(ctx, m); return err }))
	}
	pairs := func(word string) []int64 {
		t.Helper()
		rows, err := db.sql.Query(`SELECT conv FROM fts_words WHERE word = $1 ORDER BY conv`, word)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var c int64
			must(t, rows.Scan(&c))
			out = append(out, c)
		}
		return out
	}
	base := NewMessage{Channel: "x", Account: "brand", Kind: "dm", Direction: "in", AuthorID: "u1", AuthorHandle: "ann"}
	m1 := base
	m1.ExtID, m1.ConvKey, m1.Text, m1.CreatedAt = "m1", "c1", "my kettle is broken", 1000
	ingest(m1)
	m2 := base
	m2.ExtID, m2.ConvKey, m2.Text, m2.CreatedAt = "m2", "c1", "the kettle again", 2000
	ingest(m2)
	if got := pairs("kettle"); len(got) != 1 {
		t.Fatalf("kettle in two messages of one conversation: pairs %v, want one", got)
	}
	if got := pairs("broken"); len(got) != 1 {
		t.Fatalf("broken: pairs %v, want one", got)
	}
	checkFTSWords(t, db)

	// An edit takes "broken" out of the only message that had it; "kettle" stays, m2
	// has it too.
	must(t, db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ApplyUpdate(ctx, MessageUpdate{Channel: "x", Account: "brand", ExtID: "m1", Text: ptr("my kettle works"), At: 3000}, 3000)
		return err
	}))
	if got := pairs("broken"); len(got) != 0 {
		t.Errorf("broken edited away: pairs %v, want none", got)
	}
	if got := pairs("works"); len(got) != 1 {
		t.Errorf("works edited in: pairs %v, want one", got)
	}
	if got := pairs("kettle"); len(got) != 1 {
		t.Errorf("kettle still in both messages: pairs %v, want one", got)
	}
	checkFTSWords(t, db)

	// And the check sees a pair gone missing.
	if _, err := db.sql.Exec(`DELETE FROM fts_words WHERE word = 'works'`); err != nil {
		t.Fatal(err)
	}
	rec := &errRecorder{TB: t}
	checkFTSWords(rec, db)
	if !rec.failed {
		t.Error("checkFTSWords passed fts_words with a pair missing")
	}
	if _, err := db.sql.Exec(`INSERT INTO fts_words (word, conv) SELECT 'works', conv FROM fts_words WHERE word = 'kettle'`); err != nil {
		t.Fatal(err)
	}
}

// errRecorder is a testing.TB that notes an error rather than failing the test.
type errRecorder struct {
	testing.TB
	failed bool
}

func (r *errRecorder) Errorf(string, ...any) { r.failed = true }

func ptr[T any](v T) *T { return &v }
