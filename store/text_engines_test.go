package store

import (
	"context"
	"strings"
	"testing"
)

// A message whose text is not valid UTF-8 or holds a NUL (an email decoded from a
// charset it lied about, a NUL in a webhook's JSON) is kept on both engines, and found
// again; PostgreSQL, which refuses such bytes, keeps U+FFFD in their place.
func TestStrangersBrokenTextIsKept(t *testing.T) {
	onEngines(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		text, name := "refund \xff\xfe please\x00now", "Ana\x00 \xc3"
		var got Ingested
		err := db.Tx(ctx, func(tx *Tx) error {
			var err error
			got, err = tx.Ingest(ctx, NewMessage{Channel: "email", Account: "support@acme", ExtID: "broken-1", ConvKey: "broken-1",
				Kind: "email", Direction: "in", AuthorID: "ana@example.com", AuthorName: name, Text: text, CreatedAt: 1000, DueAt: 2000})
			return err
		})
		if err != nil {
			t.Fatalf("a message with broken text was refused: %v", err)
		}
		m, err := db.Message(ctx, got.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.Text, "refund ") || !strings.Contains(m.Text, "please") || !strings.HasSuffix(m.Text, "now") {
			t.Errorf("text kept as %q", m.Text)
		}
		if db.d.engine() == "postgres" && m.Text != "refund \uFFFD please\uFFFDnow" {
			t.Errorf("PostgreSQL kept %q, want each run of unreadable bytes, and the NUL, as one U+FFFD", m.Text)
		}
		ids, err := db.QueuePage(ctx, QueueRequest{Filter: nil, Limit: 10})
		if err != nil || len(ids) != 1 {
			t.Fatalf("the queue holds %d conversations (%v), want the one", len(ids), err)
		}
	})
}

// The same broken text in a bulk load, whose words go in by the batch, is kept and
// found by its words.
func TestStrangersBrokenTextIsKeptInABulkLoad(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		db := openOn(t, e)
		msgs := []NewMessage{
			{Channel: "email", Account: "support@acme", ExtID: "b-1", ConvKey: "b-1", Kind: "email", Direction: "in",
				AuthorID: "ana@example.com", AuthorName: "Ana\x00 \xc3", Text: "refund \xff\xfe please\x00now", CreatedAt: 1000, DueAt: 2000},
			{Channel: "email", Account: "support@acme", ExtID: "b-2", ConvKey: "b-2", Kind: "email", Direction: "in",
				AuthorID: "bo@example.com", Text: "where is my kettle", CreatedAt: 2000, DueAt: 3000},
		}
		ingestBulk(t, db, msgs, -1)
		if got := conversationIDs(t, db, Text{Query: "please"}, Env{}); len(got) != 1 {
			t.Errorf("the broken message's words find %v, want its conversation", got)
		}
	})
}
