package inbox

import (
	"context"
	"strings"
	"testing"
)

const zendeskConfig = `
[escalation]
destination = "zendesk"
subdomain = "acme"
email = "agent@acme.test"
token_env = "ZENDESK_TOKEN"

[[canned]]
name = "escalated"
body = "We've passed this to our billing team (ticket {ticket})."
`

func TestEscalationConfig(t *testing.T) {
	for _, c := range []struct{ text, err string }{
		{"", ""},
		{zendeskConfig, ""},
		{"[escalation]\ndestination = \"webhook\"\nurl = \"https://hooks.acme.test/triage\"\nsecret_env = \"HOOK_SECRET\"", ""},
		{"[escalation]\ndestination = \"email\"\nto = \"help@acme.test\"\nfrom = \"triage@acme.test\"\nsmtp = \"smtp.acme.test:465\"", ""},
		{"[escalation]\ndestination = \"jira\"", `destination: "jira": want webhook, email or zendesk`},
		{"[escalation]\nurl = \"https://x.test\"", "escalation.url: set destination"},
		{"[escalation]\ndestination = \"webhook\"\nurl = \"https://x.test\"", "escalation.secret_env or escalation.secret_cmd: required"},
		{"[escalation]\ndestination = \"webhook\"\nurl = \"https://x.test\"\nsecret_env = \"S\"\nto = \"a@b.test\"", "escalation.to: not a key of destination webhook"},
		{"[escalation]\ndestination = \"zendesk\"\nemail = \"a@b.test\"\ntoken_env = \"T\"", "escalation.subdomain or escalation.url: required"},
		{"[escalation]\ndestination = \"zendesk\"\nsubdomain = \"acme\"\nurl = \"https://x.test\"\nemail = \"a@b.test\"\ntoken_env = \"T\"", "set one, not both"},
		{"[escalation]\ndestination = \"email\"\nto = \"help@acme.test\"\nfrom = \"t@acme.test\"", "escalation.smtp: required"},
		{"[escalation]\ndestination = \"email\"\ntoken = \"x\"", `unknown key "escalation.token"`},
	} {
		_, err := ParseConfig("test.toml", c.text)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.text, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want one saying %q", c.text, err, c.err)
		}
	}
}

func TestEscalateQueuesADelivery(t *testing.T) {
	s, _ := newTestInbox(t, zendeskConfig, at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:A", "I was charged twice!", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "post:A")
	if err := s.Escalate(ctx, EscalateRequest{Reason: "billing", Priority: PriorityUrgent.To(), Note: "double charge"}, id); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueEscalations(ctx, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	d := due[0]
	escs, _ := s.db.Escalations(ctx, id)
	if d.EscalationID != escs[0].ID || d.ConversationID != id || d.Reason != "billing" || d.Priority != PriorityUrgent ||
		d.Note != "double charge" || d.Agent != "maria" || !strings.HasPrefix(d.Key, "triage-") || d.Attempts != 0 ||
		d.Link != ConversationLink(id) || !d.EscalatedAt.Equal(at("2026-11-20T12:00:00Z")) {
		t.Errorf("delivery = %+v", d)
	}
	if d.Doc.ID != id || len(d.Doc.Messages) != 1 || d.Doc.Messages[0].Text != "I was charged twice!" || d.Doc.Author.Name != "Ana Ruiz" {
		t.Errorf("doc = %+v", d.Doc)
	}
	if replies, _ := s.DueReplies(ctx, 10); len(replies) != 0 {
		t.Errorf("the escalation is listed as a reply: %+v", replies)
	}

	// Claimed, then delivered: the ticket's id is the escalation's reference and {ticket}.
	if err := s.ClaimOutbox(ctx, d.OutboxID); err != nil {
		t.Fatal(err)
	}
	if err := s.EscalationSent(ctx, d.OutboxID, "4711"); err != nil {
		t.Fatal(err)
	}
	escs, _ = s.db.Escalations(ctx, id)
	if escs[0].ExternalRef != "4711" {
		t.Errorf("external_ref = %q, want 4711", escs[0].ExternalRef)
	}
	if txt, _ := s.RenderCanned(ctx, id, "escalated"); !strings.Contains(txt, "(ticket 4711)") {
		t.Errorf("canned reply = %q, want the ticket number", txt)
	}
	if ds, _ := s.EscalationDeliveries(ctx, id); len(ds) != 1 || ds[0].Status != OutboxSent || ds[0].Ref != "4711" || ds[0].Attempts != 1 {
		t.Errorf("deliveries = %+v", ds)
	}
}

func TestEscalateWithoutDestinationQueuesNothing(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:A", "Refund please", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "post:A")
	if err := s.Escalate(ctx, EscalateRequest{Reason: "refund", Priority: PriorityHigh.To()}, id); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.EscalationDeliveries(ctx, id); len(ds) != 0 {
		t.Errorf("deliveries without a destination: %+v", ds)
	}
	if u, err := s.Undo(ctx); err != nil || u.Notice != "" {
		t.Errorf("undo = %+v, %v", u, err)
	}
}

// Undo settles the delivery by how far it got: taken back while nothing reached
// customer service, otherwise kept, said and recorded.
func TestUndoEscalationDelivery(t *testing.T) {
	for _, c := range []struct {
		name       string
		progress   func(s *Service, outboxID int64) error
		wantStatus string
		notice     string
	}{
		{"pending", func(*Service, int64) error { return nil }, OutboxCancelled, ""},
		{"failed", func(s *Service, id int64) error {
			if err := s.ClaimOutbox(context.Background(), id); err != nil {
				return err
			}
			return s.FailOutbox(context.Background(), id, "HTTP 401")
		}, OutboxCancelled, ""},
		{"sending", func(s *Service, id int64) error { return s.ClaimOutbox(context.Background(), id) },
			OutboxSending, "was being delivered"},
		{"unknown", func(s *Service, id int64) error {
			if err := s.ClaimOutbox(context.Background(), id); err != nil {
				return err
			}
			return s.UnknownOutbox(context.Background(), id, "cut off")
		}, OutboxCancelled, "may exist at customer service"},
		{"sent", func(s *Service, id int64) error {
			if err := s.ClaimOutbox(context.Background(), id); err != nil {
				return err
			}
			return s.EscalationSent(context.Background(), id, "4711")
		}, OutboxSent, "ticket 4711 stays open at customer service"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newTestInbox(t, zendeskConfig, at("2026-11-20T12:00:00Z"))
			ctx := context.Background()
			mustIngest(t, s, inMsg("1", "post:A", "I was charged twice!", "2026-11-20T10:00:00Z"))
			id := convOf(t, s, "post:A")
			if err := s.Escalate(ctx, EscalateRequest{Reason: "billing", Priority: PriorityHigh.To()}, id); err != nil {
				t.Fatal(err)
			}
			ds, _ := s.EscalationDeliveries(ctx, id)
			if err := c.progress(s, ds[0].OutboxID); err != nil {
				t.Fatal(err)
			}
			u, err := s.Undo(ctx)
			if err != nil || u.Action != "escalate" {
				t.Fatalf("undo = %+v, %v", u, err)
			}
			escs, _ := s.db.Escalations(ctx, id)
			ds, _ = s.EscalationDeliveries(ctx, id)
			info, _ := s.db.Conversation(ctx, id)
			if escs[0].Status != "cancelled" || ds[0].Status != c.wantStatus || info.State != string(StateNew) {
				t.Errorf("escalation %s, delivery %s, state %s; want cancelled, %s, new", escs[0].Status, ds[0].Status, info.State, c.wantStatus)
			}
			if c.notice == "" && u.Notice != "" || !strings.Contains(u.Notice, c.notice) {
				t.Errorf("notice = %q, want %q", u.Notice, c.notice)
			}
			if due, _ := s.DueEscalations(ctx, 10); len(due) != 0 {
				t.Errorf("an undone escalation is still due: %+v", due)
			}
			ev, _ := s.Audit(ctx, id)
			kept := false
			for _, e := range ev {
				kept = kept || e.Action == "undo" && e.To == "kept at customer service"
			}
			if kept != (c.notice != "") {
				t.Errorf("audit records the kept ticket: %v, want %v (%+v)", kept, c.notice != "", ev)
			}
			// The undo itself is not undoable, and the action before it is reached.
			if _, err := s.Undo(ctx); err == nil {
				t.Error("a second undo found something to undo")
			}
		})
	}
}
