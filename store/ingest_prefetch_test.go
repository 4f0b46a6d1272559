package store

import (
	"context"
	"strings"
	"testing"
)

// A prefetched batch stores what the same batch stores without it: a message twice in
// the batch once, a message stored before not again, a known author and conversation
// reused, an inbound message older than a stored reply answered by it, a newer one not.
func TestPrefetchedBatchStoresTheSame(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		first := []NewMessage{
			{Channel: "x", Account: "@acme", ExtID: "q1", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "where is my order", CreatedAt: 1000, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "r1", ConvKey: "dm:ana", Kind: "dm", Direction: "out", Agent: "maria", Text: "on its way", CreatedAt: 5000, Priority: 1},
		}
		batch := []NewMessage{
			{Channel: "x", Account: "@acme", ExtID: "q2", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "sent before your reply", CreatedAt: 4000, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "q3", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "thanks, and another thing", CreatedAt: 6000, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "q1", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "where is my order", CreatedAt: 1000, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "b1", ConvKey: "dm:bo", Kind: "dm", Direction: "in", AuthorID: "bo", Text: "hello", CreatedAt: 7000, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "b1", ConvKey: "dm:bo", Kind: "dm", Direction: "in", AuthorID: "bo", Text: "hello", CreatedAt: 7000, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "b2", ConvKey: "dm:bo", Kind: "dm", Direction: "in", AuthorID: "bo", Text: "anyone?", CreatedAt: 8000, Priority: 1},
		}
		var dumps [2]string
		for i, prefetch := range []bool{false, true} {
			db := openOn(t, e)
			ingestAll(t, db, first, len(first))
			var news int
			must(t, db.Tx(ctx, func(tx *Tx) error {
				if prefetch {
					if err := tx.Prefetch(ctx, batch); err != nil {
						return err
					}
				}
				for _, m := range batch {
					in, err := tx.Ingest(ctx, m)
					if err != nil {
						return err
					}
					if in.New {
						news++
					}
				}
				return nil
			}))
			if news != 4 {
				t.Errorf("prefetch %v: %d new messages, want 4 (q2, q3, b1, b2)", prefetch, news)
			}
			dumps[i] = queryLines(t, db,
				`SELECT m.ext_id || ' ans=' || coalesce(a.ext_id, '-') || ' contact=' || coalesce(ct.ext_id, '-') FROM messages m
					LEFT JOIN messages a ON a.id = m.answered_by LEFT JOIN contacts ct ON ct.id = m.contact_id ORDER BY m.ext_id`,
				`SELECT c.ext_key || ' unanswered=' || c.unanswered || ' since=' || c.since_at || ' last=' || c.last_at FROM conversations c ORDER BY c.ext_key`,
				`SELECT 'contacts ' || count(*) FROM contacts`)
		}
		if dumps[0] != dumps[1] {
			t.Errorf("prefetched:\n%s\nwithout:\n%s", dumps[1], dumps[0])
		}
		for _, want := range []string{"q2 ans=r1", "q3 ans=-", "dm:ana unanswered=1 since=6000", "dm:bo unanswered=2", "contacts 2"} {
			if !strings.Contains(dumps[1], want) {
				t.Errorf("prefetched batch lacks %q:\n%s", want, dumps[1])
			}
		}
	})
}
