package inbox

import (
	"context"
	"strings"
	"testing"
)

const cannedConfig = `
[voice]
brand = "Acme"
signoff = "— The {brand} team"
signoff_channels = ["email"]

[[canned]]
name = "ticket"
body = "Hi {name}, your case is {ticket}."

[[canned]]
name = "thanks"
body = "Thanks {name}!"
`

func TestCannedReplyNamesWhatIsMissing(t *testing.T) {
	s, _ := newTestInbox(t, cannedConfig, at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:1", "my kettle broke", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "post:1")
	r, err := s.RenderCannedFor(ctx, id, "ticket")
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "Hi Ana, your case is ." || len(r.Missing) != 1 || r.Missing[0] != "ticket" ||
		r.Warning() != "no value for {ticket} in this conversation: check the text before sending" {
		t.Errorf("never escalated: %+v %q", r, r.Warning())
	}
	if err := s.Escalate(ctx, EscalateRequest{Reason: "bug"}, id); err != nil {
		t.Fatal(err)
	}
	if r, err = s.RenderCannedFor(ctx, id, "ticket"); err != nil || len(r.Missing) != 0 || !strings.HasPrefix(r.Text, "Hi Ana, your case is #") {
		t.Errorf("escalated: %+v, %v", r, err)
	}
}

func TestSignoffOnItsChannels(t *testing.T) {
	s, _ := newTestInbox(t, cannedConfig, at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mail := inMsg("m1", "thread:1", "hello", "2026-11-20T10:00:00Z")
	mail.Channel, mail.Kind = "email", KindEmail
	mustIngest(t, s, mail, inMsg("2", "post:2", "hello", "2026-11-20T10:00:00Z"))
	r, err := s.RenderCannedFor(ctx, convOf(t, s, "thread:1"), "thanks")
	if err != nil || r.Text != "Thanks Ana!\n\n— The Acme team" {
		t.Errorf("email: %q, %v; want the sign-off added", r.Text, err)
	}
	if r, err := s.RenderCannedFor(ctx, convOf(t, s, "post:2"), "thanks"); err != nil || r.Text != "Thanks Ana!" {
		t.Errorf("instagram: %q, %v; want no sign-off", r.Text, err)
	}
	if got := s.NewReplyText("email"); got != "\n\n— The Acme team" {
		t.Errorf("a new email reply starts as %q", got)
	}
	if got := s.NewReplyText("instagram"); got != "" {
		t.Errorf("a new Instagram reply starts as %q", got)
	}
}

func TestCannedReplyToEach(t *testing.T) {
	s, _ := newTestInbox(t, cannedConfig, at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	long := inMsg("3", "post:3", "hi", "2026-11-20T10:00:00Z")
	long.Author = &Author{ID: "c", Handle: "@matt", Name: "Matt Baker"}
	mustIngest(t, s, inMsg("1", "post:1", "hi", "2026-11-20T10:00:00Z"), inMsg("2", "post:2", "hi", "2026-11-20T10:00:00Z"), long)
	a, b, c := convOf(t, s, "post:1"), convOf(t, s, "post:2"), convOf(t, s, "post:3")
	if err := s.Escalate(ctx, EscalateRequest{Reason: "bug"}, a, b); err != nil {
		t.Fatal(err)
	}
	res, err := s.ReplyCannedToEach(ctx, "ticket", []int64{a, b, c}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sent) != 2 || len(res.Skipped) != 1 || !strings.HasPrefix(res.Skipped[0], "Matt Baker: no value for {ticket}") {
		t.Fatalf("sent %v, skipped %q; want a and b sent, Matt Baker skipped", res.Sent, res.Skipped)
	}
	for _, id := range []int64{a, b} {
		if ci := info(t, s, id); ci.State != string(StateDone) || ci.Unanswered != 0 {
			t.Errorf("conversation %d: state %s, %d unanswered; want done, answered", id, ci.State, ci.Unanswered)
		}
	}
	if ci := info(t, s, c); ci.Unanswered != 1 || ci.State != string(StateNew) {
		t.Errorf("the skipped conversation changed: %+v", ci)
	}
	u, err := s.Undo(ctx)
	if err != nil || len(u.Conversations) != 2 {
		t.Fatalf("undo = %+v, %v; want both replies taken back at once", u, err)
	}
	if ci := info(t, s, a); ci.Unanswered != 1 {
		t.Errorf("after undo conversation a has %d unanswered", ci.Unanswered)
	}
}
