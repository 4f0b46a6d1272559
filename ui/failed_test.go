package ui

import (
	"cmp"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/inbox"
)

// failReply plays the sync engine: the conversation's pending reply is claimed and the
// channel refuses it for good.
func failReply(t *testing.T, c *Common, reason string) {
	t.Helper()
	out, err := c.Inbox.DB().Outbox(c.Ctx, inbox.OutboxPending)
	if err != nil || len(out) != 1 {
		t.Fatalf("pending replies = %+v, %v; want one", out, err)
	}
	if err := c.Inbox.ClaimOutbox(c.Ctx, out[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Inbox.FailOutbox(c.Ctx, out[0].ID, reason); err != nil {
		t.Fatal(err)
	}
}

// rowLine is the queue's line for a customer.
func rowLine(a *app, who string) string {
	for _, l := range strings.Split(a.screen(), "\n") {
		if strings.Contains(l, who) {
			return l
		}
	}
	return ""
}

// The demo holds one reply the channel refused (a late answer on Instagram or Facebook,
// else on email, whichever the demo has; see demo.seedRefusedReply): everything a person
// needs to see it, and to act on it, is on the screen.
func TestFailedReplyIsImpossibleToMiss(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	failed, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Query: "is:failed", Limit: 10})
	if err != nil || len(failed) != 1 {
		t.Fatalf("failed conversations %+v, %v; want the demo's one", failed, err)
	}
	who := cmp.Or(failed[0].AuthorName, failed[0].AuthorHandle) // as the queue names them
	var reason string
	for _, m := range a.thread(failed[0].ID).Messages {
		if m.OutboxError != "" {
			reason = m.OutboxError
		}
	}
	words := strings.Fields(reason)
	if len(words) < 4 {
		t.Fatalf("the refused reply says why in %q", reason)
	}
	if l := rowLine(a, who); !strings.HasSuffix(strings.TrimSpace(l), "failed") {
		t.Errorf("the queue row of %s does not say failed where the SLA was:\n%s", who, a.screen())
	}
	a.want("1 reply failed · /is:failed")
	a.keys("/").typ("is:failed").keys("enter")
	a.want("Inbox 1", who)
	r := a.row()
	a.keys("esc")

	a.moveTo(r.ID)
	a.keys("enter")
	a.want("send failed", "✗ not sent: "+strings.Join(words[:4], " "), "R resend failed", "E edit failed")

	// R sends it again: it waits out its undo window and answers from now.
	a.keys("R")
	a.wantStatus("sending the reply to " + who + " again in 10s · u undo")
	a.want("sending in 10s · u undo")
	if n, _ := c.Inbox.FailedReplies(c.Ctx); n != 0 || strings.Contains(a.screen(), "reply failed") {
		t.Errorf("after R: %d failed, screen:\n%s", n, a.screen())
	}
	if th := a.thread(r.ID); th.Info.Unanswered != 0 {
		t.Errorf("the reply sent again does not answer: %d unanswered", th.Info.Unanswered)
	}
	a.keys("u")
	a.wantStatus("undid send again on " + who)
	a.want("✗ not sent: " + words[0])

	// E takes it back into the composer to edit; the reply shows it was taken back.
	a.keys("E")
	cm, ok := a.m.overlay.(*composer)
	if !ok || !strings.Contains(cm.ta.Value(), "Could you send us your order number?") {
		t.Fatalf("E did not open the reply in the composer:\n%s", a.screen())
	}
	a.keys("esc")
	a.want("taken back")
	if n, _ := c.Inbox.FailedReplies(c.Ctx); n != 0 {
		t.Errorf("a reply taken back still counts as failed")
	}
	if th := a.thread(r.ID); th.Info.Unanswered == 0 {
		t.Errorf("a reply taken back still answers")
	}
}

func TestUndoSendFromTheConversation(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	r := a.moveToUnsigned() // the composer brings back exactly what was typed
	who := cmp.Or(r.AuthorName, r.AuthorHandle)
	a.keys("enter", "r").typ("It ships today").keys("ctrl+s")
	a.want("sending in 10s · u undo")
	a.keys("u")
	if cm, ok := a.m.overlay.(*composer); !ok || cm.ta.Value() != "It ships today" {
		t.Fatalf("u inside the window did not bring the reply back to the composer:\n%s", a.screen())
	}
	a.wantStatus("took back the reply on " + who + " before it was sent")
	if th := a.thread(r.ID); th.Info.Unanswered == 0 {
		t.Errorf("a reply taken back still answers")
	}

	// Sent again, and it leaves: u says so, and undoes nothing else.
	a.keys("ctrl+s")
	out, _ := c.Inbox.DB().Outbox(c.Ctx, inbox.OutboxPending)
	if len(out) != 1 {
		t.Fatalf("pending = %+v", out)
	}
	if err := c.Inbox.ClaimOutbox(c.Ctx, out[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Inbox.ReplySent(c.Ctx, out[0].ID, "remote-9"); err != nil {
		t.Fatal(err)
	}
	a.keys("u")
	a.wantStatus("the reply to " + who + " has been sent and cannot be unsent; nothing was undone")
	if a.m.statusErr != nil {
		t.Errorf("a sent reply is shown as an error: %v", a.m.statusErr)
	}
}

func TestUndoInAConversationStaysThere(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.keys("j")
	other := a.row()
	a.keys("d")
	a.wantStatus("done")
	a.keys("g", "enter")
	a.keys("u")
	a.wantStatus("nothing to undo")
	a.wantState(other.ID, inbox.StateDone)
	a.keys("esc", "u")
	a.wantStatus("undid done on " + other.AuthorName)
}

func TestBulkCannedReply(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	ids := []int64{a.row().ID}
	a.keys("space", "j")
	ids = append(ids, a.row().ID)
	a.keys("space", ";", "C")
	a.want("Quick canned reply to 2 conversations: send to each, mark done")
	a.typ("checking-in").keys("enter")
	a.wantStatus("replied with “checking-in” to 2 of 2 conversations and closed them")
	if len(a.m.queue.selected) != 0 || strings.Contains(a.screen(), "selected") {
		t.Errorf("the selection was not cleared:\n%s", a.screen())
	}
	for _, id := range ids {
		th := a.thread(id)
		if th.Info.State != string(inbox.StateDone) || !strings.Contains(strings.ToLower(th.Messages[len(th.Messages)-1].Text), "checking in") {
			t.Errorf("conversation %d: %s, last %q", id, th.Info.State, th.Messages[len(th.Messages)-1].Text)
		}
	}
	// One undo takes back both.
	a.keys("u")
	a.wantStatus("on 2 conversations")
}

// C on a reply that lacks a value here ({ticket}, never escalated) opens the composer with
// the warning instead of sending.
func TestQuickCannedWithAHoleOpensTheComposer(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	for a.thread(a.row().ID).Info.State == string(inbox.StateEscalated) || len(a.thread(a.row().ID).Escalations) > 0 {
		a.keys("j")
	}
	id := a.row().ID
	a.keys("C").typ("refund-started")
	a.want("⚠ no value for {ticket} in this conversation")
	a.keys("enter")
	if _, ok := a.m.overlay.(*composer); !ok {
		t.Fatalf("C sent a reply with a hole in it:\n%s", a.screen())
	}
	a.want("no value for {ticket} in this conversation: check the text before sending")
	if th := a.thread(id); th.Info.State == string(inbox.StateDone) {
		t.Errorf("the conversation was closed")
	}
}

// ctrl+s on a reply longer than the channel takes refuses it, with the reason, and keeps
// the text in the composer.
func TestComposerRefusesOverTheLimit(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], strings.Repeat("a", 281))
	r.run(r.update(press("ctrl+s")))
	if r.received(composerClosed) {
		t.Fatal("a reply over the limit was sent")
	}
	if v := r.view(); !strings.Contains(v, "not sent: 281/280 characters on x: the channel would refuse it") {
		t.Errorf("no reason shown:\n%s", v)
	}
	if r.m.ta.Value() != strings.Repeat("a", 281) {
		t.Errorf("the text changed")
	}
}

// The sync engine's word that a reply was settled reloads the screen at once, so a reply
// the channel refused shows without waiting for the clock.
func TestFailedReplyShowsAtOnce(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	r := a.row()
	a.send(syncMsg{States: []inbox.SyncState{{Account: "relay", Status: "ok"}}})
	if _, err := c.Inbox.Reply(c.Ctx, r.ID, "On its way."); err != nil {
		t.Fatal(err)
	}
	failReply(t, c, "422 too old to answer")
	if rowEnd := strings.TrimSpace(rowLine(a, r.AuthorName[:10])); strings.HasSuffix(rowEnd, "failed") {
		t.Fatal("the screen knew before it was told")
	}
	a.send(syncMsg{States: []inbox.SyncState{{Account: "relay", Status: "ok", Settled: 1}}})
	a.want("2 replies failed · /is:failed") // the demo's own, and this one
	if l := rowLine(a, r.AuthorName[:10]); !strings.HasSuffix(strings.TrimSpace(l), "failed") {
		t.Errorf("the row does not say failed:\n%s", a.screen())
	}
}
