package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/store"
)

// channel stands in for a remote channel: it serves messages after a cursor and records
// every post, failing on command. (The real adapters are tested against servers that
// speak their providers' APIs; this tests the engine's own rules.)
type channel struct {
	mu         sync.Mutex
	msgs       []inbox.Message
	posts      []inbox.Outgoing
	sendErrs   []error // returned by Send in order, then success
	lostErrs   []error // returned by Send in order after posting: the answer was lost
	fetchErr   error
	idempotent bool
	check      bool
}

func (c *channel) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Idempotent: c.idempotent}
}

func (c *channel) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fetchErr != nil {
		return adapters.Batch{}, c.fetchErr
	}
	var b adapters.Batch
	b.Cursor = cursor
	for i, m := range c.msgs {
		if fmt.Sprint(i) > cursor || cursor == "" {
			if len(b.Messages) == 2 {
				b.More = true
				break
			}
			b.Messages = append(b.Messages, m)
			b.Cursor = fmt.Sprint(i)
		}
	}
	return b, nil
}

func (c *channel) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sendErrs) > 0 {
		err := c.sendErrs[0]
		c.sendErrs = c.sendErrs[1:]
		return "", err
	}
	if c.idempotent {
		for _, p := range c.posts {
			if p.Key == out.Key {
				return "r-" + p.Key, nil
			}
		}
	}
	c.posts = append(c.posts, out)
	if len(c.lostErrs) > 0 {
		err := c.lostErrs[0]
		c.lostErrs = c.lostErrs[1:]
		return "", err
	}
	return "r-" + out.Key, nil
}

type checkingChannel struct{ *channel }

func (c checkingChannel) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.posts {
		if p.Key == out.Key {
			return "r-" + p.Key, true, nil
		}
	}
	return "", false, nil
}

// blindChannel can be asked, but cannot tell: its search does not reach the reply.
type blindChannel struct{ *channel }

func (c blindChannel) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	return "", false, &adapters.Error{Err: errors.New("the reply is older than the 800 posts the timeline reaches"), MaybeSent: true}
}

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func newInbox(t *testing.T) *inbox.Service { return newInboxWith(t, inboxtest.SendAtOnce(t)) }

// newInboxWith is an inbox on cfg (nil: the defaults, where replies wait 10s).
func newInboxWith(t *testing.T, cfg *inbox.Config) *inbox.Service {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(context.Background(), db, cfg, inbox.WithClock(func() time.Time { return now }), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func mention(i int) inbox.Message {
	return inbox.Message{Channel: "mastodon", Account: "@acme", ID: fmt.Sprint(100 + i), Kind: inbox.KindMention,
		Author: &inbox.Author{ID: "u1", Handle: "@ana"}, Text: fmt.Sprintf("hello %d", i), CreatedAt: now.Add(-time.Duration(10-i) * time.Minute)}
}

func TestFetchStoresMessagesWithCursor(t *testing.T) {
	svc := newInbox(t)
	ch := &channel{msgs: []inbox.Message{mention(0), mention(1), mention(2)}}
	broken := &channel{fetchErr: adapters.Temporary(errors.New("connection refused"), 0)}
	e := New(svc, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: ch},
		{Name: "broken", Channel: "bluesky", Handle: "acme", Adapter: broken}}, Options{})
	err := e.Once(context.Background())
	if err == nil || !strings.Contains(err.Error(), "broken: connection refused") {
		t.Fatalf("Once = %v, want the broken account's error", err)
	}
	if n, _ := svc.DB().MessageCount(context.Background()); n != 3 {
		t.Fatalf("%d messages stored, want 3 (the failing account must not stop the other)", n)
	}
	if c, _ := svc.Cursor(context.Background(), "mastodon", "@acme"); c != "2" {
		t.Errorf("cursor = %q, want 2", c)
	}
	states := e.States()
	if states[0].Status != "ok" || states[0].New != 3 || states[1].Status != "error" {
		t.Errorf("states = %+v", states)
	}
	ch.msgs = append(ch.msgs, mention(3))
	if err := New(svc, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: ch}}, Options{}).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := svc.DB().MessageCount(context.Background()); n != 4 {
		t.Errorf("after a new message: %d stored, want 4", n)
	}
}

func queueReply(t *testing.T, svc *inbox.Service) int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.IngestMessages(ctx, mention(0)); err != nil {
		t.Fatal(err)
	}
	id, err := svc.ConversationID(ctx, "mastodon", "@acme", "msg:100")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, id, "Hi Ana!"); err != nil {
		t.Fatal(err)
	}
	return id
}

func outboxStatus(t *testing.T, svc *inbox.Service) store.OutboxEntry {
	t.Helper()
	out, err := svc.DB().Outbox(context.Background())
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %v, %v", out, err)
	}
	return out[0]
}

func TestSendRetriesThenPostsOnce(t *testing.T) {
	svc := newInbox(t)
	queueReply(t, svc)
	ch := &channel{sendErrs: []error{adapters.Temporary(errors.New("503"), 0), &adapters.Error{Err: errors.New("429"), RetryAfter: time.Hour}}}
	e := New(svc, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: ch}}, Options{})
	ctx := context.Background()
	if err := e.Once(ctx); err == nil {
		t.Fatal("a 503 was not reported")
	}
	if st := outboxStatus(t, svc); st.Status != "pending" || st.Attempts != 1 || !strings.Contains(st.LastError, "503") {
		t.Fatalf("after 503: %+v", st)
	}
	// Not due yet: nothing is sent until its next attempt time.
	e.Once(ctx)
	if len(ch.posts) != 0 || outboxStatus(t, svc).Attempts != 1 {
		t.Fatal("retried before its time")
	}
	now = now.Add(time.Minute)
	e.Once(ctx) // 429 with Retry-After 1h
	now = now.Add(30 * time.Minute)
	e.Once(ctx)
	if len(ch.posts) != 0 {
		t.Fatal("Retry-After was not honoured")
	}
	now = now.Add(31 * time.Minute)
	if err := e.Once(ctx); err != nil {
		t.Fatal(err)
	}
	st := outboxStatus(t, svc)
	if len(ch.posts) != 1 || st.Status != "sent" || st.RemoteID != "r-"+st.Key {
		t.Fatalf("posts %d, outbox %+v", len(ch.posts), st)
	}
	e.Once(ctx)
	if len(ch.posts) != 1 {
		t.Fatal("a sent reply was posted again")
	}
}

func TestPermanentFailureKeepsTheText(t *testing.T) {
	svc := newInbox(t)
	conv := queueReply(t, svc)
	ch := &channel{sendErrs: []error{adapters.Permanent(errors.New("422 status is too long"))}}
	New(svc, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: ch}}, Options{}).Once(context.Background())
	st := outboxStatus(t, svc)
	if st.Status != "failed" || !strings.Contains(st.LastError, "422") {
		t.Fatalf("outbox = %+v", st)
	}
	th, _ := svc.Thread(context.Background(), conv, 10)
	last := th.Messages[len(th.Messages)-1]
	if last.Text != "Hi Ana!" || last.OutboxStatus != "failed" {
		t.Errorf("the failed reply is not visible with its text: %+v", last)
	}
	// The refused reply answers nothing: the mention waits again, back in the Inbox.
	if th.Info.Unanswered != 1 || th.Info.State != "open" || th.Messages[0].AnsweredAt != 0 {
		t.Errorf("after the channel refused the reply: %d unanswered, state %s, answered at %d; want 1, open, 0",
			th.Info.Unanswered, th.Info.State, th.Messages[0].AnsweredAt)
	}
}

// With the default config a reply waits out its undo window: a sync inside it sends
// nothing, the first one after it sends the reply once.
func TestRepliesWaitOutTheUndoWindow(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := now
	svc, err := inbox.New(context.Background(), db, nil, inbox.WithClock(func() time.Time { return clock }), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	queueReply(t, svc)
	ch := &channel{}
	e := New(svc, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: ch}}, Options{})
	clock = now.Add(inbox.DefaultSendDelay - time.Second)
	e.Once(context.Background())
	if len(ch.posts) != 0 || outboxStatus(t, svc).Status != "pending" {
		t.Fatalf("a reply left inside its undo window: %d posts, outbox %+v", len(ch.posts), outboxStatus(t, svc))
	}
	clock = now.Add(inbox.DefaultSendDelay)
	e.Once(context.Background())
	if len(ch.posts) != 1 || outboxStatus(t, svc).Status != "sent" {
		t.Errorf("after the window: %d posts, outbox %+v; want one post, sent", len(ch.posts), outboxStatus(t, svc))
	}
}

// A crash between claiming a reply and hearing back leaves it "sending". What happens
// next depends on what the channel offers; it is never posted twice.
func TestRecoveryAfterACrashMidSend(t *testing.T) {
	for _, c := range []struct {
		name      string
		channel   func(*channel) adapters.Adapter
		setup     func(*channel, inbox.Outgoing)
		want      string
		wantPosts int
	}{
		{"idempotent, already posted", func(c *channel) adapters.Adapter { c.idempotent = true; return c },
			func(c *channel, o inbox.Outgoing) { c.posts = append(c.posts, o) }, "sent", 1},
		{"checkable, already posted", func(c *channel) adapters.Adapter { return checkingChannel{c} },
			func(c *channel, o inbox.Outgoing) { c.posts = append(c.posts, o) }, "sent", 1},
		{"checkable, not posted", func(c *channel) adapters.Adapter { return checkingChannel{c} },
			func(*channel, inbox.Outgoing) {}, "sent", 1},
		{"no way to check", func(c *channel) adapters.Adapter { return c },
			func(*channel, inbox.Outgoing) {}, "unknown", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc := newInbox(t)
			queueReply(t, svc)
			ctx := context.Background()
			due, _ := svc.DueReplies(ctx, 10)
			if err := svc.ClaimOutbox(ctx, due[0].OutboxID); err != nil { // the crash happens after this
				t.Fatal(err)
			}
			ch := &channel{}
			c.setup(ch, due[0])
			e := New(svc, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: c.channel(ch)}}, Options{})
			e.Once(ctx)
			if st := outboxStatus(t, svc); st.Status != c.want || len(ch.posts) != c.wantPosts {
				t.Errorf("outbox %s with %d posts, want %s with %d", st.Status, len(ch.posts), c.want, c.wantPosts)
			}
		})
	}
}

// A reply whose answer was lost (posted, then a 500 or a dropped connection) is never
// posted twice: a channel that can be asked is asked before the next attempt; one that
// can be neither asked nor given a key leaves the reply for a person to check; an error
// that says nothing was sent (a refused dial) is simply tried again.
func TestLostAnswerNeverPostsTwice(t *testing.T) {
	lost := &adapters.Error{Err: errors.New("POST /replies: connection reset by peer"), MaybeSent: true}
	unsent := adapters.Temporary(errors.New("dial tcp: connection refused"), 0)
	for _, c := range []struct {
		name      string
		channel   func(*channel) adapters.Adapter
		lost, err []error
		want      string
		wantPosts int
	}{
		{"checkable, answer lost", func(c *channel) adapters.Adapter { return checkingChannel{c} }, []error{lost}, nil, "sent", 1},
		{"checkable, answer lost twice", func(c *channel) adapters.Adapter { return checkingChannel{c} }, []error{lost, lost}, nil, "sent", 1},
		{"checkable but cannot tell, answer lost", func(c *channel) adapters.Adapter { return blindChannel{c} }, []error{lost}, nil, "unknown", 1},
		{"no way to check, answer lost", func(c *channel) adapters.Adapter { return c }, []error{lost}, nil, "unknown", 1},
		{"no way to check, nothing sent", func(c *channel) adapters.Adapter { return c }, nil, []error{unsent}, "sent", 1},
		{"idempotent, answer lost", func(c *channel) adapters.Adapter { c.idempotent = true; return c }, []error{lost}, nil, "sent", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc := newInbox(t)
			queueReply(t, svc)
			ch := &channel{lostErrs: c.lost, sendErrs: c.err}
			e := New(svc, []Account{{Name: "ig", Channel: "mastodon", Handle: "@acme", Adapter: c.channel(ch)}}, Options{})
			ctx := context.Background()
			for range 4 {
				e.Once(ctx)
				now = now.Add(time.Hour)
			}
			if st := outboxStatus(t, svc); st.Status != c.want || len(ch.posts) != c.wantPosts {
				t.Errorf("outbox %s (%s) with %d posts, want %s with %d", st.Status, st.LastError, len(ch.posts), c.want, c.wantPosts)
			}
		})
	}
}

// Quitting sends what waits out its undo window: nobody is left to undo it.
func TestQuittingSendsWhatWaitsItsWindow(t *testing.T) {
	svc := newInboxWith(t, nil)
	queueReply(t, svc)
	ch := &channel{}
	e := New(svc, []Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Adapter: ch}}, Options{})
	n, err := svc.EndUndoWindows(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("end undo windows = %d, %v; want 1", n, err)
	}
	if err := e.SendOutbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(ch.posts) != 1 || outboxStatus(t, svc).Status != "sent" {
		t.Errorf("%d posts, outbox %+v; want the reply sent once", len(ch.posts), outboxStatus(t, svc))
	}
	if n, _ := svc.EndUndoWindows(context.Background()); n != 0 {
		t.Errorf("a sent reply was counted again: %d", n)
	}
}
