package inbox

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestActionsWriteAuditEvents(t *testing.T) {
	s, clock := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:A", "Where is my order?", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "post:A")

	steps := []struct {
		name             string
		do               func() error
		action, from, to string
		state            State
	}{
		{"tag", func() error { return s.Tag(ctx, "Shipping", id) }, "tag", "", "shipping", StateNew},
		{"assign", func() error { return s.Assign(ctx, "dev", id) }, "assign", "", "dev", StateNew},
		{"snooze", func() error { return s.Snooze(ctx, at("2026-11-21T09:00:00Z"), id) }, "state", "new", "snoozed:2026-11-21T09:00:00Z", StateSnoozed},
		{"reopen", func() error { return s.Reopen(ctx, id) }, "state", "snoozed:2026-11-21T09:00:00Z", "open", StateOpen},
		{"spam", func() error { return s.Spam(ctx, id) }, "state", "open", "spam", StateSpam},
		{"reopen again", func() error { return s.Reopen(ctx, id) }, "state", "spam", "open", StateOpen},
		{"untag", func() error { return s.Untag(ctx, "shipping", id) }, "untag", "shipping", "", StateOpen},
		{"note", func() error { return s.AddNote(ctx, id, "customer called too") }, "note", "", "customer called too", StateOpen},
		{"done", func() error { return s.Done(ctx, id) }, "state", "open", "done", StateDone},
	}
	for i, st := range steps {
		clock.t = clock.t.Add(time.Minute)
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		ev, _ := s.Audit(ctx, id)
		last := ev[len(ev)-1]
		if last.Action != st.action || last.From != st.from || last.To != st.to || last.Actor != "maria" || last.At != ms(clock.t) {
			t.Errorf("step %d %s: audit %+v, want %s %q->%q by maria", i, st.name, last, st.action, st.from, st.to)
		}
		info, _ := s.db.Conversation(ctx, id)
		if info.State != string(st.state) {
			t.Errorf("step %s: state %s, want %s", st.name, info.State, st.state)
		}
	}
	info, _ := s.db.Conversation(ctx, id)
	if info.Unanswered != 0 {
		t.Errorf("done conversation still counts %d unanswered", info.Unanswered)
	}
	if err := s.Snooze(ctx, at("2026-11-19T09:00:00Z"), id); err == nil {
		t.Error("snooze into the past was accepted")
	}
	if err := s.Tag(ctx, "two words", id); err == nil {
		t.Error("a tag with a space was accepted")
	}
}

func TestUndo(t *testing.T) {
	s, clock := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:A", "Where is my order?", "2026-11-20T10:00:00Z"), inMsg("2", "post:B", "Hello", "2026-11-20T10:30:00Z"))
	a, b := convOf(t, s, "post:A"), convOf(t, s, "post:B")

	if _, err := s.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo with no history = %v, want ErrNothingToUndo", err)
	}

	// A bulk tag undoes as one action.
	if err := s.Tag(ctx, "vip", a, b); err != nil {
		t.Fatal(err)
	}
	// Done closes the unanswered message; undo must bring it back.
	if err := s.Done(ctx, a); err != nil {
		t.Fatal(err)
	}
	if u, err := s.Undo(ctx); err != nil || u.Action != "state" {
		t.Fatalf("undo done = %+v, %v", u, err)
	}
	info, _ := s.db.Conversation(ctx, a)
	if info.State != "new" || info.Unanswered != 1 {
		t.Errorf("after undoing done: %s with %d unanswered, want new with 1", info.State, info.Unanswered)
	}
	if u, err := s.Undo(ctx); err != nil || u.Action != "tag" || len(u.Conversations) != 2 {
		t.Fatalf("undo bulk tag = %+v, %v", u, err)
	}
	for _, id := range []int64{a, b} {
		if info, _ := s.db.Conversation(ctx, id); len(info.Tags) != 0 {
			t.Errorf("conversation %d still tagged %v", id, info.Tags)
		}
	}

	// Escalate, then undo: escalation cancelled, state and priority restored.
	clock.t = clock.t.Add(time.Minute)
	if err := s.Escalate(ctx, EscalateRequest{Reason: "billing", Priority: PriorityUrgent.To(), Note: "double charge"}, a); err != nil {
		t.Fatal(err)
	}
	info, _ = s.db.Conversation(ctx, a)
	if info.State != "escalated" || info.Priority != int(PriorityUrgent) {
		t.Fatalf("escalated: %s prio %d", info.State, info.Priority)
	}
	escs, _ := s.db.Escalations(ctx, a)
	if len(escs) != 1 || escs[0].Status != "open" || escs[0].ArrivedAt != ms(at("2026-11-20T10:00:00Z")) {
		t.Fatalf("escalation = %+v", escs)
	}
	if _, err := s.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	info, _ = s.db.Conversation(ctx, a)
	escs, _ = s.db.Escalations(ctx, a)
	if info.State != "new" || info.Priority != int(PriorityNormal) || escs[0].Status != "cancelled" {
		t.Errorf("after undoing escalate: %s prio %d escalation %s", info.State, info.Priority, escs[0].Status)
	}

	// A reply still in the outbox can be undone; its text comes back as the draft.
	sent, err := s.Reply(ctx, a, "Hi Ana, it ships today.")
	if err != nil {
		t.Fatal(err)
	}
	info, _ = s.db.Conversation(ctx, a)
	if info.State != "waiting" || info.Unanswered != 0 {
		t.Fatalf("after reply: %s with %d unanswered", info.State, info.Unanswered)
	}
	u, err := s.Undo(ctx)
	if err != nil || u.Draft != "Hi Ana, it ships today." {
		t.Fatalf("undo reply = %+v, %v", u, err)
	}
	if _, err := s.db.Message(ctx, sent.MessageID); err == nil {
		t.Error("withdrawn reply still stored")
	}
	draft, _ := s.Draft(ctx, a)
	info, _ = s.db.Conversation(ctx, a)
	if draft != "Hi Ana, it ships today." || info.State != "new" || info.Unanswered != 1 {
		t.Errorf("after undoing reply: draft %q state %s unanswered %d", draft, info.State, info.Unanswered)
	}
	if out, _ := s.db.Outbox(ctx); len(out) != 0 {
		t.Errorf("outbox still holds %d entries", len(out))
	}
}

// A message dated after the moment it is stored (its sender's clock runs five minutes
// fast) counts from that moment: a reply sent a minute later answers it, with a first
// response time of 1m. Counted from its own date, the reply would have come "before" it
// and answered nothing.
func TestMessageDatedAheadOfTheClockCountsFromArrival(t *testing.T) {
	s, clock := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:A", "Where is my order?", "2026-11-20T12:05:00Z"))
	id := convOf(t, s, "post:A")
	th, _ := s.Thread(ctx, id, 5)
	if got := th.Messages[0].CreatedAt; got != ms(at("2026-11-20T12:00:00Z")) {
		t.Errorf("stored at %s, want 12:00, when it arrived", time.UnixMilli(got).UTC())
	}
	clock.t = at("2026-11-20T12:01:00Z")
	if _, err := s.Reply(ctx, id, "It ships today."); err != nil {
		t.Fatal(err)
	}
	info, _ := s.db.Conversation(ctx, id)
	got, _ := s.Explain(ctx, th.Messages[0].ID)
	if info.Unanswered != 0 || got != "answered 1m later by maria's reply at 12:01; target 1h, met" {
		t.Errorf("after the reply: %d unanswered, explained %q", info.Unanswered, got)
	}

	// A line of another triage's export keeps the time that triage stored, though this
	// host's clock (12:01) is behind it: moving an inbox up changes no time.
	line := `{"channel":"instagram","account":"@acme","id":"2","conversation":"post:B","kind":"comment",` +
		`"author":{"id":"a-B","handle":"@bo"},"text":"Hello?","created_at":"2026-11-20T12:03:00Z","state":"new","priority":"normal"}`
	m, err := DecodeMessage([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, m)
	th, _ = s.Thread(ctx, convOf(t, s, "post:B"), 5)
	if got := th.Messages[0].CreatedAt; got != ms(at("2026-11-20T12:03:00Z")) {
		t.Errorf("an exported message was stored at %s, want its own 12:03", time.UnixMilli(got).UTC())
	}
}

func TestReplyAnswersEarlierMessagesAndQueues(t *testing.T) {
	s, _ := newTestInbox(t, "[voice]\nbanned = [\"unfortunately\"]\n", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:A", "Where is my order?", "2026-11-20T10:00:00Z"), inMsg("2", "post:A", "Hello??", "2026-11-20T11:00:00Z"))
	id := convOf(t, s, "post:A")
	if err := s.SaveDraft(ctx, id, "Unfortunately"); err != nil {
		t.Fatal(err)
	}
	sent, err := s.Reply(ctx, id, "Unfortunately it is late, sorry!")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Warnings) != 1 || sent.Warnings[0].Kind != WarnBanned || sent.Warnings[0].Start != 0 {
		t.Errorf("warnings = %+v, want one banned at 0", sent.Warnings)
	}
	th, _ := s.Thread(ctx, id, 10)
	for _, m := range th.Messages[:2] {
		if m.AnsweredBy != sent.MessageID || m.AnsweredAt != ms(at("2026-11-20T12:00:00Z")) {
			t.Errorf("message %s answered by %d at %d", m.ExtID, m.AnsweredBy, m.AnsweredAt)
		}
	}
	out, _ := s.db.Outbox(ctx, "pending")
	if len(out) != 1 || out[0].MessageID != sent.MessageID {
		t.Fatalf("outbox = %+v", out)
	}
	if d, _ := s.Draft(ctx, id); d != "" {
		t.Errorf("draft %q survived the reply", d)
	}
	if _, err := s.Reply(ctx, id, "   "); err == nil {
		t.Error("an empty reply was queued")
	}
}

func TestRenderCanned(t *testing.T) {
	cfg := `
[voice]
brand = "Acme"
[[canned]]
name = "shipping"
body = "Hi {name}, your order is on its way. — {agent} at {brand}"
[canned.variants]
x = "{handle} it's on its way!"
`
	s, _ := newTestInbox(t, cfg, at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	x := Message{Channel: "x", Account: "@acme", ID: "9", Kind: KindMention, Author: &Author{ID: "7", Handle: "@li", Name: "Li Wei"}, Text: "order?", CreatedAt: at("2026-11-20T10:00:00Z")}
	mustIngest(t, s, inMsg("1", "post:A", "Where is my order?", "2026-11-20T10:00:00Z"), x)
	got, err := s.RenderCanned(ctx, convOf(t, s, "post:A"), "shipping")
	if err != nil || got != "Hi Ana, your order is on its way. — maria at Acme" {
		t.Errorf("instagram render = %q, %v", got, err)
	}
	got, err = s.RenderCanned(ctx, convOf(t, s, "msg:9"), "shipping")
	if err != nil || got != "@li it's on its way!" {
		t.Errorf("x render = %q, %v", got, err)
	}
	if _, err := s.RenderCanned(ctx, convOf(t, s, "msg:9"), "nope"); err == nil {
		t.Error("unknown canned reply rendered")
	}
}
