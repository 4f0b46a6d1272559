package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// A sender works from a list of due replies read a moment before. When another host
// tried one of them since (the post went through, its answer was lost, and it was put
// back for a retry), the sender must ask the channel before posting it again, as if it
// had made that attempt itself: the count of attempts is the one the claim finds, not
// the one in the list.
func TestStaleDueListAsksBeforePostingAgain(t *testing.T) {
	svc := newInbox(t)
	queueReply(t, svc)
	ctx := context.Background()
	lost := &adapters.Error{Err: errors.New("POST /statuses: connection reset by peer"), MaybeSent: true}
	ch := &channel{lostErrs: []error{lost}}
	accts := []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: checkingChannel{ch}}}
	hostA, hostB := New(svc, accts, Options{}), New(svc, accts, Options{})

	due, err := svc.DueReplies(ctx, 50) // host A's list, before host B's attempt
	if err != nil || len(due) != 1 || due[0].Attempts != 0 {
		t.Fatalf("due = %v, %v; want one reply never tried", due, err)
	}
	hostB.Once(ctx) // posts it; the answer is lost; it goes back to pending for a retry
	if len(ch.posts) != 1 {
		t.Fatalf("host B made %d posts, want 1", len(ch.posts))
	}
	now = now.Add(time.Hour) // the retry is due

	if err := hostA.send(ctx, due[0]); err != nil {
		t.Fatal(err)
	}
	if st := outboxStatus(t, svc); st.Status != "sent" || len(ch.posts) != 1 {
		t.Errorf("after host A: outbox %s with %d posts, want sent with the one post host B made", st.Status, len(ch.posts))
	}
}
