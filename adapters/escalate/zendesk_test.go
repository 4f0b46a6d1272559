package escalate

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/escalate/zendesktest"
	"github.com/triage-inbox/triage/inbox"
)

func newTestZendesk(t *testing.T) (*Zendesk, *zendesktest.Server) {
	t.Helper()
	srv := zendesktest.New("agent@acme.test", "zd-token")
	t.Cleanup(srv.Close)
	t.Setenv("TRIAGE_TEST_ZENDESK_TOKEN", "zd-token")
	d, err := New(context.Background(), inbox.EscalationConfig{Destination: "zendesk", URL: srv.URL,
		Email: "agent@acme.test", TokenEnv: "TRIAGE_TEST_ZENDESK_TOKEN"})
	if err != nil {
		t.Fatal(err)
	}
	return d.(*Zendesk), srv
}

func TestZendeskCreatesOneTicketPerKey(t *testing.T) {
	z, srv := newTestZendesk(t)
	ctx := context.Background()
	ref, err := z.Deliver(ctx, sampleOut("triage-k1"))
	if err != nil {
		t.Fatal(err)
	}
	tickets := srv.Tickets()
	if len(tickets) != 1 || ref != "1001" {
		t.Fatalf("ref %q, tickets %+v", ref, tickets)
	}
	tk := tickets[0]
	if tk.Subject != "Billing: Ana Ruiz (@ana) on Instagram" || tk.Priority != "urgent" || tk.ExternalID != "triage-k1" ||
		len(tk.Tags) != 1 || tk.Tags[0] != "billing" || tk.Requester != "agent@acme.test" ||
		!strings.Contains(tk.Description, "I was charged twice!") || !strings.Contains(tk.Description, "triage://conversation/12") {
		t.Errorf("ticket = %+v", tk)
	}
	want := []string{"GET /api/v2/tickets.json?external_id=triage-k1", "POST /api/v2/tickets.json"}
	if got := srv.Requests(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("requests = %q, want %q", got, want)
	}
	// The same key again finds the ticket and creates nothing.
	again, err := z.Deliver(ctx, sampleOut("triage-k1"))
	if err != nil || again != "1001" || len(srv.Tickets()) != 1 {
		t.Errorf("second delivery = %q, %v with %d tickets", again, err, len(srv.Tickets()))
	}
	if !z.Idempotent() {
		t.Error("zendesk is not idempotent")
	}
	other, _ := z.Deliver(ctx, sampleOut("triage-k2"))
	if other != "1002" {
		t.Errorf("another key's ticket = %q, want 1002", other)
	}
}

func TestZendeskErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		fail      zendesktest.Fail
		class     string
		wait      time.Duration
		tickets   int
		errSaying string
	}{
		{"401 on lookup", zendesktest.Fail{Method: "GET", Status: 401}, "permanent", 0, 0, "HTTP 401"},
		{"403", zendesktest.Fail{Method: "POST", Status: 403}, "permanent", 0, 0, "HTTP 403"},
		{"404", zendesktest.Fail{Method: "GET", Status: 404}, "permanent", 0, 0, "HTTP 404"},
		{"422", zendesktest.Fail{Method: "POST", Status: 422}, "permanent", 0, 0, "create ticket"},
		{"429", zendesktest.Fail{Method: "POST", Status: 429, RetryAfter: "93"}, "temporary", 93 * time.Second, 0, "Rate limit exceeded"},
		{"500", zendesktest.Fail{Method: "POST", Status: 500}, "temporary", 0, 0, "HTTP 500"},
		{"503 after create", zendesktest.Fail{Method: "POST", Status: 503, AfterCreate: true}, "temporary", 0, 1, "HTTP 503"},
	} {
		t.Run(c.name, func(t *testing.T) {
			z, srv := newTestZendesk(t)
			srv.FailNext(c.fail)
			_, err := z.Deliver(context.Background(), sampleOut("triage-k1"))
			cl, wait := class(err)
			if cl != c.class || wait != c.wait || !strings.Contains(err.Error(), c.errSaying) {
				t.Errorf("error %v is %s (wait %s), want %s (wait %s) saying %q", err, cl, wait, c.class, c.wait, c.errSaying)
			}
			if n := len(srv.Tickets()); n != c.tickets {
				t.Errorf("%d tickets, want %d", n, c.tickets)
			}
			if strings.Contains(err.Error(), "zd-token") {
				t.Errorf("the error shows the token: %v", err)
			}
			// Every failure here can be retried by a person or the engine: one ticket in the end.
			ref, err := z.Deliver(context.Background(), sampleOut("triage-k1"))
			if err != nil || ref != "1001" || len(srv.Tickets()) != 1 {
				t.Errorf("retry = %q, %v with %d tickets", ref, err, len(srv.Tickets()))
			}
		})
	}
}

func TestZendeskWrongToken(t *testing.T) {
	z, srv := newTestZendesk(t)
	srv.Token = "rotated"
	_, err := z.Deliver(context.Background(), sampleOut("triage-k1"))
	if cl, _ := class(err); cl != "permanent" || !strings.Contains(err.Error(), "Couldn't authenticate you") {
		t.Errorf("error %v (%s), want a permanent 401", err, cl)
	}
	if got := srv.Requests(); len(got) != 1 || !strings.HasPrefix(got[0], http.MethodGet) {
		t.Errorf("requests after a 401: %q", got)
	}
}
