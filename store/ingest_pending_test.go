package store

import (
	"context"
	"strings"
	"testing"
)

// A batch whose rows wait to be written together (PostgreSQL, after Prefetch) stores
// every column as rows written one by one do: NULLs where a message has nothing to say,
// text PostgreSQL cannot hold cleaned the same way, answers found after a row was queued
// (a reply in the same batch) and rows queued around a statement that writes them early
// (a new conversation).
func TestHeldMessageRowsStoreTheSame(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		first := []NewMessage{
			{Channel: "x", Account: "@acme", ExtID: "q0", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "hello?", CreatedAt: 1000, Priority: 1},
		}
		batch := []NewMessage{
			{Channel: "x", Account: "@acme", ExtID: "a1", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", AuthorName: "Ana",
				Text: "caf\xe9 broke\x00 again", Subject: "order 42", URL: "https://x.example/a1", Sentiment: -0.5, Priority: 3,
				DueAt: 9000, CreatedAt: 2000},
			{Channel: "x", Account: "@acme", ExtID: "n1", ConvKey: "dm:new", Kind: "dm", Direction: "in", AuthorID: "nu", Text: "first time here", CreatedAt: 3000, Priority: 1, DueAt: 7000},
			{Channel: "x", Account: "@acme", ExtID: "n2", ConvKey: "dm:new", Kind: "dm", Direction: "in", AuthorID: "nu", Text: "still here", CreatedAt: 3500, Priority: 1, DueAt: 7500},
			{Channel: "x", Account: "@acme", ExtID: "n3", ConvKey: "dm:new", Kind: "dm", Direction: "out", Agent: "maria", Text: "welcome", CreatedAt: 4000, Priority: 1, InReplyTo: "n2"},
			{Channel: "play", Account: "com.acme", ExtID: "r1", ConvKey: "review:r1", Kind: "review", Direction: "in", AuthorID: "gp1", Text: "crashes", Rating: 2,
				AppVersion: "3.1.0", Language: "pt-BR", CreatedAt: 6500, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "a2", ConvKey: "dm:ana", Kind: "dm", Direction: "in", Text: "buy followers", Spam: true, CreatedAt: 5000, Priority: 1},
			{Channel: "x", Account: "@acme", ExtID: "a3", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "never mind", ClosedAt: 8000, CreatedAt: 6000, Priority: 1},
		}
		var dumps [2]string
		for i, prefetch := range []bool{false, true} {
			db := openOn(t, e)
			ingestAll(t, db, first, len(first))
			must(t, db.Tx(ctx, func(tx *Tx) error {
				if prefetch {
					if err := tx.Prefetch(ctx, batch); err != nil {
						return err
					}
				}
				for _, m := range batch {
					if _, err := tx.Ingest(ctx, m); err != nil {
						return err
					}
				}
				if held := len(tx.pend.rows); prefetch && e == onPostgres && held < 2 {
					t.Errorf("%d rows waiting at the batch's end, want the rows since the last statement", held)
				}
				return nil
			}))
			dumps[i] = queryLines(t, db,
				`SELECT m.ext_id || ' conv=' || c.ext_key || ' ' || m.direction || ' ' || m.kind || ' contact=' || coalesce(ct.ext_id, '-')
					|| ' agent=' || m.agent || ' text=' || m.text || ' url=' || m.url || ' re=' || m.in_reply_to || ' at=' || m.created_at
					|| ' sent=' || m.sentiment || ' prio=' || m.priority || ' spam=' || m.spam || ' due=' || coalesce(CAST(m.due_at AS TEXT), '-')
					|| ' subj=' || m.subject || ' ans=' || coalesce(a.ext_id, '-') || '@' || coalesce(CAST(m.answered_at AS TEXT), '-')
					|| ' closed=' || coalesce(CAST(m.closed_at AS TEXT), '-') || ' stars=' || coalesce(CAST(m.rating AS TEXT), '-')
					|| ' app=' || coalesce(m.app_version, '-') || ' lang=' || coalesce(m.language, '-')
				FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN messages a ON a.id = m.answered_by
				LEFT JOIN contacts ct ON ct.id = m.contact_id ORDER BY m.ext_id`,
				`SELECT c.ext_key || ' ' || c.state || ' unanswered=' || c.unanswered || ' since=' || c.since_at || ' last=' || c.last_at
					|| ' due=' || c.due_at || ' latest=' || coalesce(l.ext_id, '-') || ' stars=' || coalesce(CAST(c.rating AS TEXT), '-')
				FROM conversations c LEFT JOIN messages l ON l.id = c.last_inbound_id ORDER BY c.ext_key`)
		}
		if dumps[0] != dumps[1] {
			t.Errorf("rows written together:\n%s\none by one:\n%s", dumps[1], dumps[0])
		}
		for _, want := range []string{
			"a1 conv=dm:ana in dm contact=ana", "sent=-0.5 prio=3 spam=0 due=9000 subj=order 42 ans=-@- closed=- stars=- app=- lang=-",
			"a2 conv=dm:ana in dm contact=- ", "spam=1", "closed=8000",
			"n1 conv=dm:new", "ans=n3@4000", "r1 conv=review:r1 in review contact=gp1", "stars=2 app=3.1.0 lang=pt-BR",
			"dm:new waiting unanswered=0", "dm:ana new unanswered=2 since=1000 last=6000 due=9000 latest=a3",
		} {
			if !strings.Contains(dumps[1], want) {
				t.Errorf("rows written together lack %q:\n%s", want, dumps[1])
			}
		}
	})
}

// A row that waits to be written and that another connection stores meanwhile (another
// host, after Prefetch found it missing) fails the batch at its write: the error names the
// batch's messages, and nothing of the batch is stored.
func TestHeldMessageRowsFailTogether(t *testing.T) {
	db := openOn(t, onPostgres)
	ctx := context.Background()
	ingestAll(t, db, []NewMessage{
		{Channel: "x", Account: "@acme", ExtID: "q0", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "hello?", CreatedAt: 1000, Priority: 1},
	}, 1)
	batch := []NewMessage{
		{Channel: "x", Account: "@acme", ExtID: "q1", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "anyone?", CreatedAt: 2000, Priority: 1},
		{Channel: "x", Account: "@acme", ExtID: "q2", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "hello??", CreatedAt: 3000, Priority: 1},
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.Prefetch(ctx, batch); err != nil {
			return err
		}
		// Another host stores q2 now, on a connection of its own.
		if _, err := db.sql.ExecContext(ctx, `INSERT INTO messages (conversation_id, account_id, channel, ext_id, kind, direction, text, created_at)
			SELECT conversation_id, account_id, channel, 'q2', kind, direction, 'hello??', 3000 FROM messages WHERE ext_id = 'q0'`); err != nil {
			return err
		}
		for _, m := range batch {
			if _, err := tx.Ingest(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "store messages q1 to q2") {
		t.Fatalf("batch with a message stored meanwhile: %v, want an error naming q1 to q2", err)
	}
	got := queryLines(t, db, `SELECT ext_id FROM messages ORDER BY ext_id`,
		`SELECT 'unanswered=' || unanswered FROM conversations`)
	if got != "q0\nq2\nunanswered=1\n" {
		t.Errorf("after the failed batch:\n%s", got)
	}
}
