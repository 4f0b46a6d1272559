package escalate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

var escalatedAt = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// sampleOut is an escalation as the outbox hands it over.
func sampleOut(key string) inbox.EscalationOut {
	ana := &inbox.Author{ID: "u1", Handle: "@ana", Name: "Ana Ruiz"}
	return inbox.EscalationOut{OutboxID: 3, Key: key, EscalationID: 9, ConversationID: 12, Reason: "billing",
		Priority: inbox.PriorityUrgent, Note: "charged twice for order 1182", Agent: "maria", EscalatedAt: escalatedAt,
		Link: inbox.ConversationLink(12),
		Doc: inbox.ConversationDoc{ID: 12, Conversation: "post:A", Channel: "instagram", Account: "@acme", Kind: inbox.KindComment,
			State: inbox.StateEscalated, Priority: "urgent", Tags: []string{"vip"}, Author: ana,
			Messages: []inbox.Message{
				{Channel: "instagram", ID: "m1", Kind: inbox.KindComment, Direction: inbox.In, Author: ana,
					Text: "I was charged twice!\u202e\x1b[31m", CreatedAt: escalatedAt.Add(-2 * time.Hour)},
				{Channel: "instagram", ID: "m2", Kind: inbox.KindComment, Direction: inbox.Out, Agent: "maria",
					Text: "So sorry, Ana. Looking into it.", CreatedAt: escalatedAt.Add(-time.Hour)},
			}}}
}

// class reads how an error is classified: "permanent", "temporary" or "plain".
func class(err error) (string, time.Duration) {
	var ae *adapters.Error
	switch {
	case !errors.As(err, &ae):
		return "plain", 0
	case ae.Permanent:
		return "permanent", 0
	}
	return "temporary", ae.RetryAfter
}

func TestSummaryAndSubject(t *testing.T) {
	out := sampleOut("triage-k1")
	if got, want := Subject(out), "Billing: Ana Ruiz (@ana) on Instagram"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	s := Summary(out)
	for _, want := range []string{
		"Escalated from triage by maria on 2026-11-20 12:00 UTC.",
		"Reason: billing · Priority: urgent",
		"Note: charged twice for order 1182",
		"Customer: Ana Ruiz (@ana)",
		"Conversation: Instagram comment on @acme (post:A)",
		"Tags: vip",
		"Open in triage: triage://conversation/12",
		"Latest messages (2 of 2), oldest first:",
		"[2026-11-20 10:00 UTC] Ana Ruiz (@ana):\nI was charged twice![31m\n",
		"[2026-11-20 11:00 UTC] maria (our reply):\nSo sorry, Ana. Looking into it.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.ContainsAny(s, "\x1b\u202e") {
		t.Error("summary keeps control characters from outside")
	}
}

func TestNewChecksTheConfig(t *testing.T) {
	t.Setenv("TRIAGE_TEST_SECRET", "s3cret")
	ctx := context.Background()
	for _, c := range []struct {
		cfg inbox.EscalationConfig
		err string // "" = builds
	}{
		{inbox.EscalationConfig{}, ""},
		{inbox.EscalationConfig{Destination: "webhook", URL: "https://hooks.acme.test/x", SecretEnv: "TRIAGE_TEST_SECRET"}, ""},
		{inbox.EscalationConfig{Destination: "webhook", URL: "http://hooks.acme.test/x", SecretEnv: "TRIAGE_TEST_SECRET"}, "use https"},
		{inbox.EscalationConfig{Destination: "webhook", URL: "https://hooks.acme.test/x", SecretEnv: "TRIAGE_TEST_UNSET"}, "TRIAGE_TEST_UNSET is not set"},
		{inbox.EscalationConfig{Destination: "zendesk", Subdomain: "acme", Email: "a@acme.test", TokenEnv: "TRIAGE_TEST_SECRET"}, ""},
		{inbox.EscalationConfig{Destination: "zendesk", Subdomain: "acme.evil.test/", Email: "a@acme.test", TokenEnv: "TRIAGE_TEST_SECRET"}, "subdomain"},
		{inbox.EscalationConfig{Destination: "email", To: "help@acme.test", From: "triage@acme.test", SMTP: "smtp.acme.test:465"}, ""},
		{inbox.EscalationConfig{Destination: "email", To: "help", From: "triage@acme.test", SMTP: "smtp.acme.test:465"}, "to:"},
		{inbox.EscalationConfig{Destination: "email", To: "help@acme.test", From: "triage@acme.test", SMTP: "smtp.acme.test"}, "want host:port"},
		{inbox.EscalationConfig{Destination: "email", To: "help@acme.test", From: "t@acme.test", SMTP: "smtp.acme.test:25",
			Security: "none", PasswordEnv: "TRIAGE_TEST_SECRET"}, "in the clear"},
	} {
		d, err := New(ctx, c.cfg)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%+v: error %v, want one saying %q", c.cfg, err, c.err)
		case err == nil && (d == nil) != (c.cfg.Destination == ""):
			t.Errorf("%+v: destination %v", c.cfg, d)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("an error shows the secret: %v", err)
		}
	}
}
