package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// approvalCommons is one inbox where newbie's replies need approval, with Ana's mention
// waiting, seen by newbie (an agent) and by lead (a lead), each with a screen of their own.
func approvalCommons(t *testing.T) (newbie, lead *Common, conv int64) {
	t.Helper()
	c := emptyCommon(t, "[team]\napproval = [\"newbie\"]\n\n[[canned]]\nname = \"thanks\"\nbody = \"Thanks {name}, it ships today.\"\n")
	_, err := c.Inbox.IngestMessages(c.Ctx, inbox.Message{Channel: "x", Account: "@acme", ID: "x1", Conversation: "x1",
		Kind: inbox.KindMention, Author: &inbox.Author{ID: "u1", Handle: "@ana", Name: "Ana Ruiz"},
		Text: "@acme where is my order?", CreatedAt: testNow.Add(-20 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	as := func(agent string, role inbox.Role) *Common {
		cc := *c
		cc.Inbox, cc.Keys = c.Inbox.AsAgent(agent, role), DefaultKeyMap()
		return &cc
	}
	newbie, lead = as("newbie", inbox.RoleAgent), as("lead", inbox.RoleLead)
	rows, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("queue: %+v, %v", rows, err)
	}
	return newbie, lead, rows[0].ID
}

// newbie replies; the reply says it awaits a lead, and newbie has no key to approve it.
func newbieReplies(t *testing.T, newbie *Common) *app {
	t.Helper()
	a := newApp(t, newbie, 120, 35)
	a.keys("enter", "r").typ("It ships today!").keys("ctrl+s")
	a.wantStatus("replied: awaiting approval by a lead, not sent yet")
	a.want("newbie · just now 15:30 · awaiting approval", "⧗ awaiting approval by a lead: not sent, the customer still waits")
	if s := a.screen(); strings.Contains(s, "A approve") || strings.Contains(s, "sending in") {
		t.Errorf("newbie's own reply offers approval or counts down:\n%s", s)
	}
	return a
}

func TestLeadApprovesFromTheApprovalView(t *testing.T) {
	newbie, lead, conv := approvalCommons(t)
	n := newbieReplies(t, newbie)
	if strings.Contains(n.screen(), "awaits approval") {
		t.Errorf("an agent's footer counts replies awaiting approval:\n%s", n.screen())
	}
	// An agent's A is refused by the inbox, in the status line; help shows no such key.
	n.keys("A")
	n.wantStatus("newbie (agent) may not approve replies: only leads and admins may")
	n.keys("?")
	if s := n.screen(); strings.Contains(s, "approve reply") {
		t.Errorf("help offers an agent approval:\n%s", s)
	}

	l := newApp(t, lead, 120, 35)
	l.want("1 reply awaits approval · /is:awaiting-approval")
	l.keys("?")
	l.want("approve reply", "send reply back")
	l.keys("esc", "v").typ("Approval").keys("enter")
	l.want("Approval 1", "Ana Ruiz")
	l.keys("enter")
	l.want("⧗ awaiting approval by a lead · A approve · B send back")
	l.keys("A")
	l.wantStatus("approved newbie's reply to Ana Ruiz: sending in 10s · u undo")
	l.want("sending in 10s · u undo")
	if strings.Contains(l.screen(), "awaits approval") {
		t.Errorf("approved, yet the footer counts it:\n%s", l.screen())
	}
	if r := lastOutbound(l.thread(conv)); r.OutboxStatus != inbox.OutboxPending || r.CreatedAt != testNow.UnixMilli() {
		t.Errorf("approved reply: %s at %d, want pending, answering from now", r.OutboxStatus, r.CreatedAt)
	}
}

func TestLeadSendsAReplyBackWithANote(t *testing.T) {
	newbie, lead, conv := approvalCommons(t)
	newbieReplies(t, newbie)
	l := newApp(t, lead, 120, 35)
	l.keys("v").typ("Approval").keys("enter", "enter", "B")
	l.want("Send newbie's reply back")
	l.typ("Say when it ships").keys("enter")
	l.wantStatus("sent newbie's reply back")
	l.want("↩ sent back by a lead: Say when it ships · R send again · E edit")
	if r := lastOutbound(l.thread(conv)); r.OutboxStatus != inbox.OutboxReturned {
		t.Errorf("sent back reply is %s", r.OutboxStatus)
	}
	// Back in the Inbox, newbie finds the note and takes the text back to edit it.
	n := newApp(t, newbie, 120, 35)
	n.want("Ana Ruiz")
	n.keys("enter")
	n.want("↩ sent back by a lead: Say when it ships")
	n.keys("E")
	if _, ok := n.m.overlay.(*composer); !ok {
		t.Fatalf("E did not open the composer on the sent-back text:\n%s", n.screen())
	}
	n.want("It ships today!")
}

func TestApprovalKeysAreRemappable(t *testing.T) {
	k := DefaultKeyMap()
	if err := k.Remap(map[string]any{"approve": "Y", "send_back": []any{"X"}}); err != nil {
		t.Fatal(err)
	}
	if k.Approve.Keys()[0] != "Y" || k.SendBack.Keys()[0] != "X" {
		t.Fatalf("remapped: %v %v", k.Approve.Keys(), k.SendBack.Keys())
	}
	if err := DefaultKeyMap().Remap(map[string]any{"approve": "B"}); err == nil {
		t.Fatal("approve took send back's key without a word")
	}
}

// C (canned, done, next) by someone whose replies need approval does not close: the
// customer still waits, and the status line says why.
func TestQuickCannedAwaitingApprovalDoesNotClose(t *testing.T) {
	newbie, _, conv := approvalCommons(t)
	a := newApp(t, newbie, 120, 35)
	a.keys("C").typ("thanks").keys("enter")
	a.wantStatus("replied with “thanks”: awaiting approval by a lead, so not closed")
	a.wantState(conv, inbox.StateWaiting)
	if r := lastOutbound(a.thread(conv)); r.OutboxStatus != inbox.OutboxAwaitingApproval {
		t.Errorf("the canned reply is %s", r.OutboxStatus)
	}
}
