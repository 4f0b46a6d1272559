package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// A message from the customer and a colleague's note that arrive while a reply is
// written each stop the send once: the composer shows what arrived and that ctrl+s
// again sends; the reply goes only then.
func TestComposerAsksAgainWhenSomethingArrived(t *testing.T) {
	c, ids := composerInbox(t)
	a := newApp(t, c, 120, 35)
	id := ids["x"]
	a.moveTo(id)
	a.keys("r").typ("It left our warehouse today")
	ctx := context.Background()
	if _, err := c.Inbox.IngestMessages(ctx, inbox.Message{Channel: "x", Account: "@acme", ID: "x2", Conversation: "x1",
		Kind: inbox.KindMention, Author: &inbox.Author{ID: "u1", Handle: "@ana", Name: "Ana Ruiz"},
		Text: "@acme never mind, it just came", CreatedAt: testNow.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	sent := func() bool { return lastOutbound(a.thread(id)).ID != 0 }

	a.keys("ctrl+s")
	if sent() {
		t.Fatal("sent without a second look at the customer's new message")
	}
	a.want("Ana Ruiz wrote “@acme never mind, it just came”", "1 new message since you opened this", "again sends")
	if o, ok := a.m.overlay.(*composer); !ok || o.answering == nil || o.answering.Text != "@acme never mind, it just came" {
		t.Fatal("the message pane above the reply does not show the new message")
	}

	if err := c.Inbox.As("dev").AddNote(ctx, id, "she emailed too, refunded already"); err != nil {
		t.Fatal(err)
	}
	a.keys("ctrl+s")
	if sent() {
		t.Fatal("sent without a second look at dev's note, which came after the first stop")
	}
	a.want("dev noted “she emailed too, refunded already”", "1 new note since you opened this")

	a.keys("ctrl+s")
	if !sent() {
		t.Fatalf("ctrl+s after the second look did not send:\n%s", a.screen())
	}
	if got := lastOutbound(a.thread(id)).Text; !strings.Contains(got, "It left our warehouse today") {
		t.Fatalf("sent %q", got)
	}
}

// Taking a conversation another agent took after the picker opened changes nothing and
// says who was first.
func TestTakeLoserSeesWhoTookItFirst(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	ctx := context.Background()
	var id int64
	for _, r := range a.m.queue.rows {
		if r.Assignee == "" {
			id = r.ID
			break
		}
	}
	if id == 0 {
		t.Fatal("no unassigned conversation in the demo queue")
	}
	a.moveTo(id)
	a.keys("a") // the picker, on maria herself
	if err := c.Inbox.As("dev").Take(ctx, "", id); err != nil {
		t.Fatal(err)
	}
	a.keys("enter")
	a.want("dev took it first")
	if got := a.thread(id).Info.Assignee; got != "dev" {
		t.Fatalf("assignee %q, want dev", got)
	}
	a.keys("esc")
	a.send(liveMsg{change: inbox.ChangeData})
	if !strings.Contains(a.rowLine(id), "dev") {
		t.Errorf("the queue does not show dev has it: %q", a.rowLine(id))
	}
}
