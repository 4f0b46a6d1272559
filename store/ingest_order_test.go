package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// threadedMsg is a message as a channel gives it: a conversation key of its own, or none,
// when it is threaded by its in_reply_to as inbox.conversationKey does (see thread).
type threadedMsg struct {
	NewMessage
	explicit bool // ConvKey came with the message
}

// thread resolves a message's conversation as inbox.conversationKey does: its own key;
// else its parent's; else, with a parent not stored yet, msg:<id> as an orphan.
func thread(ctx context.Context, tx *Tx, t threadedMsg) (NewMessage, error) {
	m := t.NewMessage
	if t.explicit {
		return m, nil
	}
	m.ConvKey = "msg:" + m.ExtID
	if m.InReplyTo == "" {
		return m, nil
	}
	key, err := tx.ConversationKeyOf(ctx, m.Channel, m.Account, m.InReplyTo)
	if err != nil {
		return m, err
	}
	if key != "" {
		m.ConvKey = key
	} else {
		m.Orphan = true
	}
	return m, nil
}

// threadedStream is n messages in which parents come before their replies: some with a
// conversation key of their own, most threaded by in_reply_to (a few to a message that
// never comes), with spam, duplicates, closed messages and failed replies.
func threadedStream(seed uint64, n int) []threadedMsg {
	r := rand.New(rand.NewPCG(seed, 11))
	at := int64(1_000_000)
	var out []threadedMsg
	for i := range n {
		at += int64(r.IntN(40)) - 5
		// No two messages share a time: of two replies at one time the one stored first
		// answers, which is the one thing the order of arrival decides (see README).
		m := NewMessage{Channel: "x", Account: "brand", ExtID: fmt.Sprint("t", i), Kind: "comment", Direction: "in",
			Text: fmt.Sprint("word", i, " common"), CreatedAt: at*1000 + int64(i), Priority: 1}
		t := threadedMsg{NewMessage: m}
		switch k := r.IntN(10); {
		case k == 0:
			t.ConvKey, t.explicit = fmt.Sprint("c", r.IntN(3)), true
		case k == 1:
			t.InReplyTo = fmt.Sprint("ghost", r.IntN(4)) // never arrives
		case k < 8 && i > 0:
			t.InReplyTo = out[r.IntN(len(out))].ExtID
		}
		if r.IntN(25) == 0 && i > 0 {
			t.ExtID = out[r.IntN(len(out))].ExtID // a duplicate: changes nothing
		}
		if r.IntN(5) < 2 {
			t.Direction, t.Agent = "out", fmt.Sprint("agent", r.IntN(2))
			if r.IntN(15) == 0 {
				t.OutboxStatus = "failed"
			}
		} else {
			a := r.IntN(4)
			t.AuthorID, t.AuthorHandle, t.AuthorName = fmt.Sprint("u", a), fmt.Sprint("h", a), fmt.Sprint("Name", a)
			t.Spam = r.IntN(10) == 0
			if r.IntN(4) > 0 {
				t.DueAt = m.CreatedAt + int64(r.IntN(500_000))
			}
			if r.IntN(12) == 0 {
				t.ClosedAt = m.CreatedAt + 1_000_000
			}
			if r.IntN(8) == 0 {
				t.Tags = []string{fmt.Sprint("tag", r.IntN(3))} // a rule's tag: it follows a merge
			}
		}
		out = append(out, t)
	}
	return out
}

// shuffled is the stream in another order, first come first stored for duplicates.
func shuffled(msgs []threadedMsg, seed uint64) []threadedMsg {
	out := append([]threadedMsg(nil), msgs...)
	r := rand.New(rand.NewPCG(seed, 3))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	// A duplicate changes nothing, so the first of two messages with one id is the one
	// stored: keep the original of each id first, for every order to store the same set.
	seen := map[string]bool{}
	var firsts, dups []threadedMsg
	for _, m := range msgs {
		if seen[m.ExtID] {
			dups = append(dups, m)
		}
		seen[m.ExtID] = true
	}
	orig := map[string]threadedMsg{}
	for _, m := range msgs {
		if _, ok := orig[m.ExtID]; !ok {
			orig[m.ExtID] = m
		}
	}
	seen = map[string]bool{}
	for _, m := range out {
		if !seen[m.ExtID] {
			firsts = append(firsts, orig[m.ExtID])
			seen[m.ExtID] = true
		}
	}
	return append(firsts, dups...)
}

// ingestThreaded threads and stores each message in turn.
func ingestThreaded(ctx context.Context, tx *Tx, msgs []threadedMsg) error {
	for _, tm := range msgs {
		m, err := thread(ctx, tx, tm)
		if err != nil {
			return err
		}
		if _, err := tx.Ingest(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// storeThreaded stores msgs per messages a transaction; per < 0 is one bulk load.
func storeThreaded(t *testing.T, db *DB, msgs []threadedMsg, per int) {
	t.Helper()
	storeThreadedWith(t, db, msgs, per, false)
}

// storeThreadedWith is storeThreaded, each transaction first prefetching what its
// messages with a conversation key of their own will ask (as serve's writer does).
func storeThreadedWith(t *testing.T, db *DB, msgs []threadedMsg, per int, prefetch bool) {
	t.Helper()
	ctx := context.Background()
	bulk := per < 0
	if bulk {
		defer func(w int) { bulkWindow = w }(bulkWindow)
		bulkWindow = 8
		per = len(msgs)
	}
	for len(msgs) > 0 {
		n := min(per, len(msgs))
		must(t, db.Tx(ctx, func(tx *Tx) error {
			if bulk {
				if on, err := tx.BulkLoad(ctx); err != nil || on != tx.d.bulkLoad() {
					return fmt.Errorf("bulk load on an empty inbox: %v %v", on, err)
				}
			}
			if prefetch {
				var known []NewMessage
				for _, tm := range msgs[:n] {
					if m := tm.NewMessage; tm.explicit || m.InReplyTo == "" {
						if !tm.explicit {
							m.ConvKey = "msg:" + m.ExtID
						}
						known = append(known, m)
					}
				}
				if err := tx.Prefetch(ctx, known); err != nil {
					return err
				}
			}
			return ingestThreaded(ctx, tx, msgs[:n])
		}))
		msgs = msgs[n:]
	}
}

// dumpThreads prints what must not depend on the order messages arrive in: which
// conversation each message is in, what answers it, the queue columns and state (new and
// open read alike: open only says a conversation came back after a reply), rule tags,
// which replies still wait for a parent, and the full-text rows (each under its message's
// conversation).
func dumpThreads(t *testing.T, db *DB) string {
	t.Helper()
	return queryLines(t, db,
		`SELECT 'msg ' || m.ext_id || ' conv=' || c.ext_key || ' ans=' || coalesce(a.ext_id, '0') || '@' || coalesce(m.answered_at, 0)
			|| ' closed=' || coalesce(m.closed_at, 0) || ' due=' || coalesce(m.due_at, 0)
			FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN messages a ON a.id = m.answered_by
			ORDER BY m.ext_id`,
		`SELECT 'conv ' || c.ext_key || ' state=' || CASE WHEN c.state IN ('new', 'open') THEN 'new|open' ELSE c.state END || ' unanswered=' || c.unanswered || ' due=' || c.due_at || ' since=' || c.since_at
			|| ' last=' || c.last_at || ' lastin=' || coalesce(l.ext_id, '')
			FROM conversations c LEFT JOIN messages l ON l.id = c.last_inbound_id ORDER BY c.ext_key`,
		`SELECT 'tag ' || c.ext_key || ' ' || g.name FROM conversation_tags t JOIN conversations c ON c.id = t.conversation_id
			JOIN tags g ON g.id = t.tag_id ORDER BY 1`,
		`SELECT 'orphan ' || m.ext_id || ' waits for ' || o.parent_ext_id FROM orphans o JOIN messages m ON m.id = o.message_id ORDER BY m.ext_id`,
		`SELECT 'fts ' || coalesce(m.ext_id, 'NONE ' || f.rowid) || ' conv=' || coalesce(c.ext_key, 'NONE')
			FROM messages_fts f LEFT JOIN messages m ON m.id = (f.rowid & 4294967295) AND m.conversation_id = (f.rowid >> 32)
			LEFT JOIN conversations c ON c.id = m.conversation_id ORDER BY 1`,
		`SELECT 'fts matches ' || count(*) FROM messages_fts WHERE `+
			ftsLiteral(db, "common"),
	)
}

// The order messages arrive in does not matter: a reply stored before its parent ends up
// in its parent's conversation, answering or answered as in order, in every path (one
// transaction, one per message, batches, a bulk load) and in any order. Between paths of
// one order, everything ingest writes agrees, states and audit included.
func TestOutOfOrderRepliesFindTheirParents(t *testing.T) {
	forEngines(t, testOutOfOrderRepliesFindTheirParents)
}

func testOutOfOrderRepliesFindTheirParents(t *testing.T, e engine) {
	for seed := uint64(1); seed <= seeds(e, 8); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			msgs := threadedStream(seed, 160)
			inOrder := openOn(t, e)
			storeThreaded(t, inOrder, msgs, 1)
			want := dumpThreads(t, inOrder)
			if strings.Count(want, " ans=0@") == strings.Count(want, "msg ") || !strings.Contains(want, "orphan ") {
				t.Fatalf("the stream answers nothing or leaves no reply waiting; the test would prove little:\n%s", want)
			}
			for o := uint64(1); o <= 3; o++ {
				order := shuffled(msgs, seed*10+o)
				each, one, some, bulk, little := openOn(t, e), openOn(t, e), openOn(t, e), openOn(t, e), openOn(t, e)
				fetched := openOn(t, e)
				storeThreaded(t, each, order, 1)
				storeThreaded(t, one, order, len(order))
				storeThreaded(t, some, order, 23)
				storeThreadedWith(t, fetched, order, 23, true)
				storeThreaded(t, bulk, order, -1)
				func() { // a bulk load that soon stops holding text back
					defer func(m int) { maxHeld = m }(maxHeld)
					maxHeld = 100
					storeThreaded(t, little, order, -1)
				}()
				for name, db := range map[string]*DB{"one per transaction": each, "one transaction": one, "batches of 23": some,
					"batches of 23 prefetched": fetched, "bulk load": bulk, "bulk load holding little": little} {
					if got := dumpThreads(t, db); got != want {
						t.Errorf("order %d, %s differs from the messages stored in order:\n%s", o, name, firstDiff(got, want))
					}
				}
				ref := dumpInbox(t, each)
				for name, db := range map[string]*DB{"one transaction": one, "batches of 23": some, "batches of 23 prefetched": fetched,
					"bulk load": bulk, "bulk load holding little": little} {
					if got := dumpInbox(t, db); got != ref {
						t.Errorf("order %d, %s differs from one transaction per message:\n%s", o, name, firstDiff(got, ref))
					}
				}
				if e == onSQLite { // PostgreSQL checks every foreign key at once
					var fk int
					must(t, bulk.sql.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk))
					if fk != 0 {
						t.Errorf("%d foreign key violations after a bulk load", fk)
					}
				}
			}
		})
	}
}

// When a reply's parent arrives, everything on the reply's conversation follows it into
// the parent's: messages and their full text, tags, notes, escalations, the draft, outbox
// entries and audit rows; the emptied conversation goes, and queue columns and state are
// worked out again.
func TestOrphanConversationMovesWhole(t *testing.T) { forEngines(t, testOrphanConversationMovesWhole) }

func testOrphanConversationMovesWhole(t *testing.T, e engine) {
	ctx := context.Background()
	db := openOn(t, e)
	orphan := threadedMsg{NewMessage: NewMessage{Channel: "x", Account: "brand", ExtID: "c1", Kind: "comment", Direction: "in",
		AuthorID: "u1", AuthorHandle: "@ana", AuthorName: "Ana", Text: "is the kettle back in stock", InReplyTo: "p1",
		CreatedAt: 2_000_000, DueAt: 5_600_000, Priority: 2}}
	var j int64
	must(t, db.Tx(ctx, func(tx *Tx) error {
		m, err := thread(ctx, tx, orphan)
		if err != nil {
			return err
		}
		if m.ConvKey != "msg:c1" || !m.Orphan {
			return fmt.Errorf("reply before its parent threaded as %q orphan=%v, want msg:c1 orphan", m.ConvKey, m.Orphan)
		}
		res, err := tx.Ingest(ctx, m)
		j = res.ConversationID
		return err
	}))
	// A person works on it while the parent has not arrived.
	must(t, db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.AddTag(ctx, j, "stock"); err != nil {
			return err
		}
		if _, err := tx.AddNote(ctx, j, "maria", "ask the warehouse", 2_100_000); err != nil {
			return err
		}
		if _, err := tx.AddEscalation(ctx, Escalation{ConversationID: j, Reason: "stock", Priority: 2, Agent: "maria",
			ArrivedAt: 2_000_000, CreatedAt: 2_200_000}); err != nil {
			return err
		}
		if err := tx.SetState(ctx, j, "escalated", 0); err != nil {
			return err
		}
		if err := tx.Audit(ctx, AuditEvent{At: 2_200_000, Actor: "maria", Action: "state", ConversationID: j, From: "new", To: "escalated"}); err != nil {
			return err
		}
		if _, err := tx.AddReply(ctx, Reply{ConversationID: j, Agent: "maria", Text: "checking the warehouse now", At: 2_300_000, Key: "k1"}); err != nil {
			return err
		}
		return tx.SaveDraft(ctx, j, "maria", "it is back on monday", 2_400_000)
	}))
	// The brand's post it answered arrives with a conversation of its own.
	parent := threadedMsg{NewMessage: NewMessage{Channel: "x", Account: "brand", ExtID: "p1", ConvKey: "post:1", Kind: "comment",
		Direction: "out", Agent: "social", Text: "the new kettle is here", CreatedAt: 1_000_000}, explicit: true}
	var k int64
	must(t, db.Tx(ctx, func(tx *Tx) error {
		m, err := thread(ctx, tx, parent)
		if err != nil {
			return err
		}
		res, err := tx.Ingest(ctx, m)
		k = res.ConversationID
		return err
	}))
	if k == j {
		t.Fatal("the parent joined the orphan's conversation")
	}
	got := func(q string, args ...any) string {
		t.Helper()
		var s string
		must(t, db.sql.QueryRow(q, args...).Scan(&s))
		return s
	}
	for _, c := range []struct{ what, q, want string }{
		{"conversations", `SELECT string_agg(CAST(ext_key AS TEXT), ',') FROM conversations`, "post:1"},
		{"messages", `SELECT string_agg(ext_id || '@' || conversation_id, ' ' ORDER BY id) FROM messages`,
			fmt.Sprintf("c1@%d triage:k1@%d p1@%d", k, k, k)},
		{"tags", `SELECT string_agg(CAST(conversation_id AS TEXT), ',') FROM conversation_tags`, fmt.Sprint(k)},
		{"notes", `SELECT string_agg(CAST(conversation_id AS TEXT), ',') FROM notes`, fmt.Sprint(k)},
		{"escalations", `SELECT string_agg(CAST(conversation_id AS TEXT), ',') FROM escalations`, fmt.Sprint(k)},
		{"drafts", `SELECT string_agg(CAST(conversation_id || ':' || body AS TEXT), ',') FROM drafts`, fmt.Sprint(k, ":it is back on monday")},
		{"outbox", `SELECT string_agg(CAST(conversation_id AS TEXT), ',') FROM outbox`, fmt.Sprint(k)},
		{"audit", `SELECT count(*) || ' ' || count(*) FILTER (WHERE conversation_id = ?) FROM audit`, "2 2"}, // the escalation, and the merge moving post:1 to escalated
		{"answer", `SELECT coalesce(a.ext_id, '-') || '@' || coalesce(m.answered_at, 0) FROM messages m LEFT JOIN messages a ON a.id = m.answered_by WHERE m.ext_id = 'c1'`,
			"triage:k1@2300000"},
		{"queue", `SELECT state || ' unanswered=' || unanswered || ' priority=' || priority || ' assignee=' || assignee || ' contact=' || coalesce(contact_id, 0) FROM conversations`,
			"escalated unanswered=0 priority=2 assignee= contact=1"},
		{"orphans", `SELECT count(*) FROM orphans`, "0"},
		{"full text", `SELECT string_agg(CAST(rowid >> 32 AS TEXT), ',') FROM messages_fts`, fmt.Sprint(k, ",", k, ",", k)},
		{"full text author", `SELECT string_agg(CAST(rowid >> 32 AS TEXT), ',') FROM messages_fts WHERE ` + ftsLiteral(db, "ana"), fmt.Sprint(k)},
	} {
		args := []any{}
		if strings.Contains(c.q, "?") {
			args = append(args, k)
		}
		if g := got(c.q, args...); g != c.want {
			t.Errorf("%s after the parent arrived: %q, want %q", c.what, g, c.want)
		}
	}
}

// In a bulk load the row of a merged conversation stays until the end; a message that
// then names its key gets a conversation of its own, and the old row still goes.
func TestSQLiteMergedKeyCanBeUsedAgainInABulkLoad(t *testing.T) {
	db := openOn(t, onSQLite)
	msgs := []threadedMsg{
		{NewMessage: NewMessage{Channel: "x", Account: "brand", ExtID: "r1", Kind: "comment", Direction: "out", Text: "thanks", CreatedAt: 2000, InReplyTo: "q1"}},
		{NewMessage: NewMessage{Channel: "x", Account: "brand", ExtID: "q1", Kind: "comment", Direction: "in", AuthorID: "u1", Text: "hi", CreatedAt: 1000}},
		{NewMessage: NewMessage{Channel: "x", Account: "brand", ExtID: "z1", ConvKey: "msg:r1", Kind: "comment", Direction: "in", AuthorID: "u2", Text: "me too", CreatedAt: 3000}, explicit: true},
	}
	storeThreaded(t, db, msgs, -1)
	want := "msg q1 conv=msg:q1 ans=r1@2000 closed=0 due=0\nmsg r1 conv=msg:q1 ans=0@0 closed=0 due=0\nmsg z1 conv=msg:r1 ans=0@0 closed=0 due=0\n" +
		"conv msg:q1 state=waiting unanswered=0 due=9223372036854775807 since=2000 last=2000 lastin=q1\n" +
		"conv msg:r1 state=new|open unanswered=1 due=9223372036854775807 since=3000 last=3000 lastin=z1\n"
	if got := dumpThreads(t, db); !strings.HasPrefix(got, want) {
		t.Errorf("got\n%s\nwant it to start with\n%s", got, want)
	}
}
