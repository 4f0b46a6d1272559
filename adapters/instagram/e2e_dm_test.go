package instagram_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/store"
)

// dmDesk is the fake Graph server, an inbox on a temporary database with a clock the
// test moves, and the real sync engine with the real adapter between them.
type dmDesk struct {
	f   *metatest.Server
	svc *inbox.Service
	eng *engine.Engine
	ctx context.Context
	*inboxtest.Clock
}

func newDMDesk(t *testing.T) *dmDesk {
	t.Helper()
	d := &dmDesk{ctx: context.Background(), Clock: inboxtest.NewClock(now())}
	d.f = metatest.New(t, igUser, token)
	d.f.Now = d.clock
	d.svc = inboxtest.Open(t, inboxtest.SendAtOnce(t), d.Now)
	cfg, c := graphClient(t, d.f)
	// One request per connection: a dropped connection reaches the engine as it would
	// from Meta, instead of meeting a connection the fake closed earlier.
	c.HTTP = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	a := instagram.NewWithOptions(cfg, c, instagram.DefaultOptions(), d.clock)
	d.eng = engine.New(d.svc, []engine.Account{{Name: "instagram", Channel: "instagram", Handle: a.Handle(), Adapter: a}}, engine.Options{})
	return d
}

func (d *dmDesk) clock() time.Time { return d.Now() }

func (d *dmDesk) wait(dt time.Duration) { d.Advance(dt) }

// arrive has maria write a DM, syncs, and queues text as the reply in her conversation.
func (d *dmDesk) arrive(t *testing.T, text string) (conv int64, customer string) {
	t.Helper()
	c := d.f.AddConversation("maria.r", "is my order shipped?", d.clock().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05-0700"))
	customer, _ = d.f.Customer(c)
	if err := d.eng.Once(d.ctx); err != nil {
		t.Fatal(err)
	}
	conv, err := d.svc.ConversationID(d.ctx, "instagram", igUser, "dm:"+customer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Reply(d.ctx, conv, text); err != nil {
		t.Fatal(err)
	}
	return conv, customer
}

func (d *dmDesk) outbox(t *testing.T) store.OutboxEntry {
	t.Helper()
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %+v, %v; want one reply", out, err)
	}
	return out[0]
}

// A DM arrives through the engine; the reply queued in the inbox is posted once to the
// customer with the Send API and marked sent with its id; another sync posts nothing, and
// the reply coming back in the conversation is the same message, not a second one.
func TestEngineInstagramDM(t *testing.T) {
	d := newDMDesk(t)
	conv, customer := d.arrive(t, "Yes, it left this morning.")
	th, err := d.svc.Thread(d.ctx, conv, 10)
	if err != nil || len(th.Messages) != 2 || th.Messages[0].Text != "is my order shipped?" || th.Messages[0].AuthorHandle != "maria.r" {
		t.Fatalf("thread = %+v, %v", th.Messages, err)
	}
	if err := d.eng.Once(d.ctx); err != nil {
		t.Fatal(err)
	}
	sent := d.f.SentMessages()
	if len(sent) != 1 || sent[0].RecipientID != customer || sent[0].Text != "Yes, it left this morning." || sent[0].Tag != "" {
		t.Fatalf("sent %+v, want one DM to %s", sent, customer)
	}
	if st := d.outbox(t); st.Status != inbox.OutboxSent || st.RemoteID != sent[0].ID {
		t.Errorf("outbox %+v, want sent as %s", st, sent[0].ID)
	}
	for range 2 {
		d.wait(time.Minute)
		if err := d.eng.Once(d.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(d.f.SentMessages()); n != 1 {
		t.Errorf("%d DMs sent after two more syncs, want 1", n)
	}
	th, err = d.svc.Thread(d.ctx, conv, 10)
	if err != nil || len(th.Messages) != 2 || th.Messages[1].ExtID != sent[0].ID || th.Messages[1].Agent != "maria" {
		t.Errorf("thread after the DM came back = %+v, %v; want the customer's and maria's, once", th.Messages, err)
	}
}

// A 500 before Meta acted, a 500 after it did, a connection dropped after it did: each
// time the engine tries again after its backoff, asks the adapter (Sent) before posting
// again, and exactly one DM reaches the customer, which the outbox records. Where Meta
// had acted, the retry finds the DM and posts nothing.
func TestEngineInstagramDMRetries(t *testing.T) {
	lost := metatest.ServerError()
	lost.After = true
	for _, tc := range []struct {
		name    string
		failure metatest.Failure
		posts   int // POST /me/messages made in all
	}{
		{"500 before Meta acted", metatest.ServerError(), 2},
		{"500 after Meta acted", lost, 1},
		{"connection dropped after Meta acted", metatest.Failure{Hangup: true, After: true}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDMDesk(t)
			conv, customer := d.arrive(t, "Yes, it left this morning.")
			tc.failure.Path, tc.failure.Method = "/me/messages", http.MethodPost
			d.f.Fail(tc.failure)
			if err := d.eng.Once(d.ctx); err == nil {
				t.Fatal("the failed send returned no error")
			}
			if st := d.outbox(t); st.Status != inbox.OutboxPending || st.Attempts != 1 {
				t.Fatalf("after the failure: %+v", st)
			}
			d.wait(15 * time.Second) // the first backoff is 10 s ± 20%
			if err := d.eng.Once(d.ctx); err != nil {
				t.Fatal(err)
			}
			d.wait(time.Hour)
			if err := d.eng.Once(d.ctx); err != nil {
				t.Fatal(err)
			}
			sent := d.f.SentMessages()
			if len(sent) != 1 || sent[0].RecipientID != customer {
				t.Fatalf("sent %+v, want exactly one DM to %s", sent, customer)
			}
			if st := d.outbox(t); st.Status != inbox.OutboxSent || st.RemoteID != sent[0].ID {
				t.Errorf("outbox %+v, want sent as %s", st, sent[0].ID)
			}
			if n := len(posts(t, d.f)); n != tc.posts {
				t.Errorf("%d POST /me/messages, want %d", n, tc.posts)
			}
			// A poll may bring the DM back before the Checker finds it: still one reply.
			th, err := d.svc.Thread(d.ctx, conv, 10)
			if err != nil || len(th.Messages) != 2 || th.Messages[1].ExtID != sent[0].ID || th.Messages[1].Agent != "maria" {
				t.Errorf("thread %+v, %v; want the question and our reply once", th.Messages, err)
			}
		})
	}
}
