package engine

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/internal/pgtest"
	"github.com/triage-inbox/triage/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// onHost is an inbox on its own connection to the PostgreSQL database at url: one host.
func onHost(t *testing.T, url string) *inbox.Service {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(context.Background(), db, inboxtest.SendAtOnce(t), inbox.WithClock(func() time.Time { return now }), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Two hosts claim one reply at once: one has it. While that host lives, the other's
// recovery leaves the reply alone (it is being sent, not left by a crash); once that
// host dies (its connections end), the other's recovery settles it: checked on the
// channel, not found, sent once.
func TestRecoveryLeavesAnotherHostsSendAlone(t *testing.T) {
	url := pgtest.URL(t)
	hosts := []*inbox.Service{onHost(t, url), onHost(t, url)}
	queueReply(t, hosts[0])
	ctx := context.Background()
	due, err := hosts[1].DueReplies(ctx, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Go(func() { errs[i] = h.ClaimOutbox(ctx, due[0].OutboxID) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("claims of one reply by two hosts: %v, %v; want exactly one", errs[0], errs[1])
	}
	sender, other := hosts[0], hosts[1]
	if errs[0] != nil {
		sender, other = other, sender
	}

	ch := &channel{}
	e := New(other, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: checkingChannel{ch}}}, Options{})
	if err := e.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if st := outboxStatus(t, other); st.Status != inbox.OutboxSending || len(ch.posts) != 0 {
		t.Fatalf("while the sender lives: outbox %s, %d posts; want sending, none", st.Status, len(ch.posts))
	}

	sender.DB().Close() // the sending host dies; its session ends a moment later
	for deadline := time.Now().Add(5 * time.Second); outboxStatus(t, other).Status == inbox.OutboxSending && time.Now().Before(deadline); {
		if err := e.Once(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := outboxStatus(t, other); st.Status != inbox.OutboxSent || len(ch.posts) != 1 {
		t.Errorf("after the sender died: outbox %s, %d posts; want sent, one", st.Status, len(ch.posts))
	}
}
