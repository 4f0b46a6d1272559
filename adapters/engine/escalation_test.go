package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/escalate"
	"github.com/triage-inbox/triage/adapters/escalate/zendesktest"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// desk is a triage whose [escalation] goes to a Zendesk stand-in, on a clock the test
// moves.
type desk struct {
	svc   *inbox.Service
	zd    *zendesktest.Server
	dest  escalate.Destination
	clock time.Time
	conv  int64
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	ctx := context.Background()
	d := &desk{zd: zendesktest.New("agent@acme.test", "zd-token"), clock: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	t.Cleanup(d.zd.Close)
	t.Setenv("TRIAGE_TEST_ZENDESK_TOKEN", "zd-token")
	cfg, err := inbox.ParseConfig("test.toml", `
[escalation]
destination = "zendesk"
url = "`+d.zd.URL+`"
email = "agent@acme.test"
token_env = "TRIAGE_TEST_ZENDESK_TOKEN"
`)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if d.svc, err = inbox.New(ctx, db, cfg, inbox.WithClock(func() time.Time { return d.clock }), inbox.WithAgent("maria")); err != nil {
		t.Fatal(err)
	}
	if d.dest, err = escalate.New(ctx, cfg.Escalation); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.IngestMessages(ctx, inbox.Message{Channel: "mastodon", Account: "@acme", ID: "100", Kind: inbox.KindMention,
		Author: &inbox.Author{ID: "u1", Handle: "@ana", Name: "Ana Ruiz"}, Text: "I was charged twice!", CreatedAt: d.clock.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if d.conv, err = d.svc.ConversationID(ctx, "mastodon", "@acme", "msg:100"); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *desk) escalate(t *testing.T) {
	t.Helper()
	if err := d.svc.Escalate(context.Background(), inbox.EscalateRequest{Reason: "billing", Priority: inbox.PriorityUrgent.To(),
		Note: "double charge"}, d.conv); err != nil {
		t.Fatal(err)
	}
}

// engine is a fresh engine with no channel accounts, only the destination: as after a
// restart.
func (d *desk) engine() *Engine {
	return New(d.svc, nil, Options{Destination: d.dest})
}

func (d *desk) delivery(t *testing.T) inbox.EscalationDelivery {
	t.Helper()
	ds, err := d.svc.EscalationDeliveries(context.Background(), d.conv)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries = %+v, %v", ds, err)
	}
	return ds[0]
}

func (d *desk) ref(t *testing.T) string {
	t.Helper()
	escs, _ := d.svc.DB().Escalations(context.Background(), d.conv)
	return escs[len(escs)-1].ExternalRef
}

func TestEscalationDeliveredOnce(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	if st := d.delivery(t); st.Status != inbox.OutboxPending {
		t.Fatalf("escalating queued %+v, want a pending delivery", st)
	}
	e := d.engine()
	ctx := context.Background()
	if err := e.Once(ctx); err != nil {
		t.Fatal(err)
	}
	tickets := d.zd.Tickets()
	if len(tickets) != 1 || tickets[0].Priority != "urgent" || !strings.Contains(tickets[0].Description, "I was charged twice!") {
		t.Fatalf("tickets = %+v", tickets)
	}
	st := d.delivery(t)
	if st.Status != inbox.OutboxSent || st.Ref != "1001" || d.ref(t) != "1001" || tickets[0].ExternalID == "" {
		t.Errorf("delivery %+v, external_ref %q", st, d.ref(t))
	}
	d.clock = d.clock.Add(time.Hour)
	e.Once(ctx)
	if n := len(d.zd.Tickets()); n != 1 || len(d.zd.Requests()) != 2 {
		t.Errorf("after another sync: %d tickets, requests %q", n, d.zd.Requests())
	}
	if s := e.States(); len(s) != 1 || s[0].Channel != "zendesk" || s[0].Status != "ok" {
		t.Errorf("states = %+v", s)
	}
}

// A 500 whose ticket was in fact created (the answer lost on the way) and then a success:
// the retry's lookup finds the ticket, and there is one.
func TestEscalationRetriedAfter500(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	d.zd.FailNext(zendesktest.Fail{Method: "POST", Status: 500, AfterCreate: true})
	e := d.engine()
	ctx := context.Background()
	if err := e.Once(ctx); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("Once = %v, want the 500", err)
	}
	if st := d.delivery(t); st.Status != inbox.OutboxPending || st.Attempts != 1 || !strings.Contains(st.LastError, "500") {
		t.Fatalf("after the 500: %+v", st)
	}
	if s := e.States()[0]; s.Status != "backing off" || !strings.Contains(s.Err, "500") {
		t.Errorf("state after the 500: %+v", s)
	}
	d.clock = d.clock.Add(time.Minute)
	if err := e.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(d.zd.Tickets()); n != 1 || d.ref(t) != "1001" || d.delivery(t).Status != inbox.OutboxSent {
		t.Errorf("%d tickets, ref %q, delivery %+v", n, d.ref(t), d.delivery(t))
	}
}

func TestEscalationHonoursRetryAfter(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	d.zd.FailNext(zendesktest.Fail{Method: "POST", Status: 429, RetryAfter: "600"})
	e := d.engine()
	ctx := context.Background()
	e.Once(ctx)
	d.clock = d.clock.Add(9 * time.Minute)
	e.Once(ctx)
	if n := len(d.zd.Tickets()); n != 0 || len(d.zd.Requests()) != 2 {
		t.Fatalf("tried again before Retry-After: %d tickets, requests %q", n, d.zd.Requests())
	}
	d.clock = d.clock.Add(61 * time.Second)
	if err := e.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(d.zd.Tickets()); n != 1 || d.ref(t) != "1001" {
		t.Errorf("after Retry-After: %d tickets, ref %q", n, d.ref(t))
	}
}

func TestEscalationRefusedIsFailedAndVisible(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	d.zd.Token = "rotated"
	e := d.engine()
	ctx := context.Background()
	if err := e.Once(ctx); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("Once = %v, want the 401", err)
	}
	st := d.delivery(t)
	if st.Status != inbox.OutboxFailed || !strings.Contains(st.LastError, "Couldn't authenticate you") || d.ref(t) != "" {
		t.Errorf("delivery = %+v", st)
	}
	if s := e.States()[0]; s.Status != "error" || !strings.Contains(s.Err, "401") {
		t.Errorf("destination state = %+v", s)
	}
	// Not retried on its own; a person resends it once the token is fixed.
	d.clock = d.clock.Add(24 * time.Hour)
	e.Once(ctx)
	if n := len(d.zd.Requests()); n != 1 {
		t.Errorf("a failed delivery was retried: %q", d.zd.Requests())
	}
	d.zd.Token = "zd-token"
	if err := d.svc.ResendOutbox(ctx, st.OutboxID, inbox.OutboxFailed); err != nil {
		t.Fatal(err)
	}
	if err := e.Once(ctx); err != nil || d.ref(t) != "1001" {
		t.Errorf("resent: %v, ref %q", err, d.ref(t))
	}
}

// A crash after the claim, with the ticket created but not recorded: the restarted
// engine's lookup finds it, and no second ticket is made.
func TestEscalationRecoveredAfterCrash(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	ctx := context.Background()
	due, err := d.svc.DueEscalations(ctx, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	if err := d.svc.ClaimOutbox(ctx, due[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	made := d.zd.Add(zendesktest.Ticket{Subject: "Billing", Description: "…", Priority: "urgent", ExternalID: due[0].Key})
	if err := d.engine().Once(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(d.zd.Tickets()); n != 1 || d.ref(t) != "1001" || made.ID != 1001 || d.delivery(t).Status != inbox.OutboxSent {
		t.Errorf("%d tickets, ref %q, delivery %+v", n, d.ref(t), d.delivery(t))
	}
	for _, r := range d.zd.Requests() {
		if strings.HasPrefix(r, "POST") {
			t.Errorf("a ticket was created after the crash: %q", d.zd.Requests())
		}
	}
}

// A destination that cannot dedup, like SMTP.
type onceOnly struct{ calls int }

func (o *onceOnly) Deliver(context.Context, inbox.EscalationOut) (string, error) {
	o.calls++
	return "", adapters.Temporary(errors.New("should not be called"), 0)
}

func (o *onceOnly) Idempotent() bool { return false }

func TestEscalationCrashWithoutIdempotencyIsUnknown(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	ctx := context.Background()
	due, _ := d.svc.DueEscalations(ctx, 10)
	if err := d.svc.ClaimOutbox(ctx, due[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	dest := &onceOnly{}
	New(d.svc, nil, Options{Destination: dest}).Once(ctx)
	if st := d.delivery(t); st.Status != inbox.OutboxUnknown || dest.calls != 0 {
		t.Errorf("delivery %+v after %d calls, want unknown and none", st, dest.calls)
	}
}

func TestUndoBeforeDeliveryCancelsIt(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	ctx := context.Background()
	u, err := d.svc.Undo(ctx)
	if err != nil || u.Action != "escalate" || u.Notice != "" {
		t.Fatalf("undo = %+v, %v", u, err)
	}
	if err := d.engine().Once(ctx); err != nil {
		t.Fatal(err)
	}
	if st := d.delivery(t); st.Status != inbox.OutboxCancelled || len(d.zd.Requests()) != 0 {
		t.Errorf("delivery %+v, requests %q", st, d.zd.Requests())
	}
}

func TestEscalationWaitsWithoutDestination(t *testing.T) {
	d := newDesk(t)
	d.escalate(t)
	if err := New(d.svc, nil, Options{}).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := d.delivery(t); st.Status != inbox.OutboxPending || len(d.zd.Requests()) != 0 {
		t.Errorf("delivery %+v, requests %q", st, d.zd.Requests())
	}
}
