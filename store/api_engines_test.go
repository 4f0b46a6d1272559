package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// The store's API does the same on both engines: a day of work (replies, notes, tags,
// states, an escalation, an edit, undo's batches, drafts, canned replies, the outbox)
// then every read, each result printed; the two engines' prints must be equal.
func TestAPISameOnBothEngines(t *testing.T) {
	logs := map[engine]string{}
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) { logs[e] = apiDay(t, textInbox(t, e)) })
	}
	if logs[onPostgres] != "" && logs[onPostgres] != logs[onSQLite] {
		t.Errorf("the engines disagree:\n%s", firstDiff(logs[onPostgres], logs[onSQLite]))
	}
}

func apiDay(t *testing.T, db *DB) string {
	ctx := context.Background()
	var b strings.Builder
	rec := func(what string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		fmt.Fprintf(&b, "%s: %+v\n", what, v)
	}
	write := func(what string, fn func(tx *Tx) (any, error)) {
		t.Helper()
		var v any
		err := db.Tx(ctx, func(tx *Tx) error {
			var err error
			v, err = fn(tx)
			return err
		})
		rec(what, v, err)
	}
	write("reply", func(tx *Tx) (any, error) {
		return tx.AddReply(ctx, Reply{ConversationID: 1, Agent: "sam", Text: "Sorry about the kettle", At: 9000, Key: "k1"})
	})
	write("reply awaiting approval", func(tx *Tx) (any, error) {
		return tx.AddReply(ctx, Reply{ConversationID: 2, Agent: "kim", Text: "Refund is on its way", At: 9100, Key: "k2", AwaitingApproval: true})
	})
	write("note", func(tx *Tx) (any, error) { return tx.AddNote(ctx, 3, "sam", "call them", 9200) })
	write("note deleted", func(tx *Tx) (any, error) { return nil, tx.SetNoteDeleted(ctx, 1, true) })
	write("tag", func(tx *Tx) (any, error) { return tx.AddTag(ctx, 3, "Urgent") })
	write("tag again, other case", func(tx *Tx) (any, error) { return tx.AddTag(ctx, 3, "urgent") })
	write("untag", func(tx *Tx) (any, error) { return tx.RemoveTag(ctx, 2, "VIP") })
	write("state", func(tx *Tx) (any, error) { return nil, tx.SetState(ctx, 4, "snoozed", 9500) })
	write("assign", func(tx *Tx) (any, error) { return nil, tx.SetAssignee(ctx, 5, "kim") })
	write("priority", func(tx *Tx) (any, error) { return nil, tx.SetPriority(ctx, 6, 3) })
	write("close", func(tx *Tx) (any, error) { return tx.CloseUnanswered(ctx, 6, 9600) })
	write("escalate", func(tx *Tx) (any, error) {
		id, err := tx.AddEscalation(ctx, Escalation{ConversationID: 5, Reason: "billing", Priority: 2, Agent: "kim", ArrivedAt: 5000, CreatedAt: 9700})
		if err != nil {
			return nil, err
		}
		return tx.QueueEscalation(ctx, id, 5, "esc-1", 9700)
	})
	write("audit", func(tx *Tx) (any, error) {
		batch, err := tx.NextBatch(ctx)
		if err != nil {
			return nil, err
		}
		if err := tx.Audit(ctx, AuditEvent{At: 9800, Actor: "sam", Action: "state", ConversationID: 1, From: "new", To: "done", Batch: batch}); err != nil {
			return nil, err
		}
		return tx.LastBatch(ctx, "sam", 1)
	})
	write("edit", func(tx *Tx) (any, error) {
		text := "My kettle broke after two weeks"
		return tx.ApplyUpdate(ctx, MessageUpdate{Channel: "x", Account: "@acme", ExtID: "1", At: 9900, Text: &text}, 9900)
	})
	write("update kept for later", func(tx *Tx) (any, error) {
		hidden := true
		return tx.ApplyUpdate(ctx, MessageUpdate{Channel: "x", Account: "@acme", ExtID: "later", At: 9950, Hidden: &hidden}, 9950)
	})
	write("canned", func(tx *Tx) (any, error) {
		if _, err := tx.SeedCanned(ctx, Canned{Name: "thanks", Body: "Thanks!", Variants: map[string]string{"x": "Thx"}}, 1); err != nil {
			return nil, err
		}
		return tx.SeedCanned(ctx, Canned{Name: "thanks", Body: "other"}, 2)
	})
	write("cursor", func(tx *Tx) (any, error) { return nil, tx.SetCursor(ctx, "x", "@acme", "c-1", 10000) })
	rec("draft", nil, db.SaveDraft(ctx, 2, "kim", "half a reply", 10100))
	write("merge: a reply before its parent", func(tx *Tx) (any, error) {
		if _, err := tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: "r7", ConvKey: "msg:r7", Kind: "comment", Direction: "in",
			AuthorID: "u1", Text: "and the lid too", InReplyTo: "p7", Orphan: true, CreatedAt: 10200, Priority: 1}); err != nil {
			return nil, err
		}
		return tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: "p7", ConvKey: "post:7", Kind: "comment", Direction: "in",
			AuthorID: "u1", Text: "kettle lid cracked", CreatedAt: 10100, Priority: 2, Tags: []string{"vip"}})
	})

	due, err := db.DueOutbox(ctx, 20000, 10)
	rec("due outbox", due, err)
	if len(due) > 0 {
		rec("sending", nil, db.MoveOutbox(ctx, due[0].ID, "pending", "sending", true, "", "", 0, 20000))
		rec("delivered", nil, db.ReplyDelivered(ctx, due[0].ID, "remote-1", 20001))
	}
	n, err := db.AwaitingApproval(ctx)
	rec("awaiting approval", n, err)
	esc, err := db.DueEscalations(ctx, 20000, 10)
	rec("due escalations", esc, err)
	var convs []int64
	rows, err := db.sql.Query(`SELECT id FROM conversations ORDER BY id`)
	rec("conversations", nil, err)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		convs = append(convs, id)
	}
	rows.Close()
	for _, id := range convs {
		c, err := db.Conversation(ctx, id)
		rec(fmt.Sprint("conversation ", id), c, err)
		ms, err := db.Messages(ctx, id, 1<<62, 1<<62, 10)
		rec(fmt.Sprint("messages ", id), ms, err)
		mark, err := db.ConversationMark(ctx, id)
		rec(fmt.Sprint("mark ", id), mark, err)
		notes, err := db.Notes(ctx, id)
		rec(fmt.Sprint("notes ", id), notes, err)
		es, err := db.Escalations(ctx, id)
		rec(fmt.Sprint("escalations ", id), es, err)
		au, err := db.AuditOf(ctx, id)
		rec(fmt.Sprint("audit ", id), au, err)
	}
	tags, err := db.Tags(ctx)
	rec("tags", tags, err)
	canned, err := db.CannedReplies(ctx)
	rec("canned", canned, err)
	cur, err := db.Cursor(ctx, "x", "@acme")
	rec("cursor", cur, err)
	draft, err := db.Draft(ctx, 2, "kim")
	rec("draft", draft, err)
	chans, err := db.Channels(ctx)
	rec("channels", chans, err)
	cnt, err := db.MessageCount(ctx)
	rec("message count", cnt, err)
	failed, err := db.FailedReplies(ctx)
	rec("failed replies", failed, err)
	woke, err := db.WakeSnoozed(ctx, 20000)
	rec("woke", woke, err)
	work, err := db.Workloads(ctx)
	rec("workloads", work, err)
	old, err := db.OldestUnanswered(ctx, 5)
	rec("oldest unanswered", old, err)
	contacts, err := db.AuthorContacts(ctx, AuthorMatch{ContactID: 1, Handle: "ANA", Name: "ana lima"})
	rec("author contacts", contacts, err)
	hist, err := db.AuthorHistory(ctx, contacts, 0, 5)
	rec("author history", hist, err)
	for _, r := range []QueueRequest{{Limit: 3}, {States: []string{"new", "open"}, Limit: 10},
		{Filter: And{Term{Field: FieldFrom, Value: "ANA"}, Text{Query: "kettle"}}, Limit: 10},
		{Filter: Term{Field: FieldAccount, Value: "ACME"}, Limit: 10}} {
		page, err := db.QueuePage(ctx, r)
		rec(fmt.Sprintf("queue %+v", r), page, err)
		if len(page) > 0 && r.Limit == 3 {
			next, err := db.QueuePage(ctx, QueueRequest{After: &page[len(page)-1].Key, Limit: 3})
			rec("next page", next, err)
		}
	}
	w := Window{SinceMS: 0, UntilMS: 1 << 40, WithTags: true, WithAgent: true, WithKind: true}
	rec("stats", nil, db.StatRows(ctx, w, func(r StatRow) error { fmt.Fprintf(&b, "  stat %+v\n", r); return nil }))
	rec("escalation rows", nil, db.EscalationRows(ctx, w, func(r EscalationRow) error { fmt.Fprintf(&b, "  esc %+v\n", r); return nil }))
	rec("export", nil, db.ExportRows(ctx, w, func(r ExportRow) error { fmt.Fprintf(&b, "  export %+v\n", r); return nil }))
	rec("unanswered", nil, db.Unanswered(ctx, func(r UnansweredRow) error { fmt.Fprintf(&b, "  unanswered %+v\n", r); return nil }))
	extras, err := db.ExportExtras(ctx)
	rec("export extras", extras, err)
	rec("read tx", nil, db.ReadTx(ctx, func(tx *Tx) error {
		_, err := tx.ConvMeta(ctx, 1)
		return err
	}))
	return b.String()
}
