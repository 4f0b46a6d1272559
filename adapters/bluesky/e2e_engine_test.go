package bluesky_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/bluesky"
	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/store"
)

// e2eInbox is an inbox on a temporary database with a fixed clock after every post of
// the fake.
func e2eInbox(t *testing.T) *inbox.Service {
	t.Helper()
	db, err := store.Open(ctxBG, filepath.Join(t.TempDir(), "triage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	svc, err := inbox.New(ctxBG, db, inboxtest.SendAtOnce(t), inbox.WithClock(func() time.Time { return now }), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// e2eEngine is a sync engine, as a freshly started triage builds it, with a new adapter
// (no session yet) for the account.
func e2eEngine(t *testing.T, svc *inbox.Service, f *fake) (*engine.Engine, *bluesky.Adapter) {
	t.Helper()
	a := newAdapter(t, f)
	return engine.New(svc, []engine.Account{{Name: "acme", Channel: "bluesky", Handle: a.Handle(), Adapter: a}}, engine.Options{}), a
}

// count is how many requests the fake saw for one NSID.
func count(f *fake, nsid string) int {
	n := 0
	for _, c := range f.calls() {
		if c == nsid {
			n++
		}
	}
	return n
}

func e2eOutbox(t *testing.T, svc *inbox.Service) store.OutboxEntry {
	t.Helper()
	out, err := svc.DB().Outbox(ctxBG)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %+v, %v; want one reply", out, err)
	}
	return out[0]
}

// Mentions and replies reach the queue through the engine, a thread as one conversation;
// a reply to it is posted once, with reply.root the thread's first post and reply.parent
// the latest post answered, and the outbox holds the new post's URI.
func TestEngineBlueskyReply(t *testing.T) {
	f := newFake(t)
	ours := f.addPost(us, "New beans are in!", "", "", nil)
	q := f.addPost(dana, "Do you ship to Canada?", "reply", ours, nil)
	deeper := f.addPost(eli, "And to Mexico?", "reply", q, nil)
	top := f.addPost(eli, "@acme.bsky.social my order #1234 never came", "mention", "", nil)
	svc := e2eInbox(t)
	eng, _ := e2eEngine(t, svc, f)
	if err := eng.Once(ctxBG); err != nil {
		t.Fatal(err)
	}

	rows, err := svc.Queue(ctxBG, inbox.QueuePage{View: inbox.BuiltinViews[0], Limit: 10})
	if err != nil || len(rows) != 2 {
		t.Fatalf("queue = %+v, %v; want the thread and the mention", rows, err)
	}
	var texts []string
	for _, r := range rows {
		texts = append(texts, r.AuthorHandle+": "+r.LastText)
	}
	slices.Sort(texts)
	// A conversation is shown by who started it, with its latest message.
	if want := []string{"@dana.bsky.social: And to Mexico?", "@eli.example.com: @acme.bsky.social my order #1234 never came"}; !slices.Equal(texts, want) {
		t.Errorf("queue rows %q, want %q", texts, want)
	}
	conv, err := svc.ConversationID(ctxBG, "bluesky", "@acme.bsky.social", ours)
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.Thread(ctxBG, conv, 10)
	if err != nil || len(th.Messages) != 2 || th.Messages[0].ExtID != q || th.Messages[0].AuthorHandle != "@dana.bsky.social" ||
		th.Messages[1].ExtID != deeper || th.Messages[1].InReplyTo != q {
		t.Fatalf("thread = %+v, %v", th.Messages, err)
	}
	if _, err := svc.ConversationID(ctxBG, "bluesky", "@acme.bsky.social", top); err != nil {
		t.Errorf("the mention is not a conversation of its own: %v", err)
	}

	if _, err := svc.Reply(ctxBG, conv, "Yes to both! Rates: https://acme.example/shipping"); err != nil {
		t.Fatal(err)
	}
	if err := eng.Once(ctxBG); err != nil {
		t.Fatal(err)
	}
	recs := f.records()
	if len(recs) != 1 {
		t.Fatalf("%d records created, want 1", len(recs))
	}
	rec := recs[0]["value"].(map[string]any)
	reply := rec["reply"].(map[string]any)
	root, parent := reply["root"].(map[string]any), reply["parent"].(map[string]any)
	if root["uri"] != ours || root["cid"] != f.posts[ours]["cid"] || parent["uri"] != deeper || parent["cid"] != f.posts[deeper]["cid"] {
		t.Errorf("reply root %v parent %v; want root %s, parent %s", root, parent, ours, deeper)
	}
	if rec["text"] != "Yes to both! Rates: https://acme.example/shipping" {
		t.Errorf("text %q", rec["text"])
	}
	if st := e2eOutbox(t, svc); st.Status != inbox.OutboxSent || st.RemoteID != recs[0]["uri"] || st.Attempts != 1 {
		t.Errorf("outbox %+v, want sent as %s", st, recs[0]["uri"])
	}
	if err := eng.Once(ctxBG); err != nil {
		t.Fatal(err)
	}
	if n := count(f, "com.atproto.repo.createRecord"); n != 1 {
		t.Errorf("%d createRecord calls after another sync, want 1", n)
	}
}

// triage dies after claiming a reply: posted before the crash or not, the engine started
// afterwards asks Bluesky (the Checker) and the reply ends up sent, posted exactly once.
func TestEngineBlueskyCrashMidSend(t *testing.T) {
	for _, c := range []struct {
		name         string
		postedBefore bool
	}{{"posted before the crash", true}, {"not posted before the crash", false}} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			top := f.addPost(dana, "@acme.bsky.social where is my order?", "mention", "", nil)
			svc := e2eInbox(t)
			eng, a := e2eEngine(t, svc, f)
			if err := eng.Once(ctxBG); err != nil {
				t.Fatal(err)
			}
			conv, err := svc.ConversationID(ctxBG, "bluesky", "@acme.bsky.social", top)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Reply(ctxBG, conv, "It ships today, Dana."); err != nil {
				t.Fatal(err)
			}
			due, err := svc.DueReplies(ctxBG, 10)
			if err != nil || len(due) != 1 {
				t.Fatalf("due = %+v, %v", due, err)
			}
			if err := svc.ClaimOutbox(ctxBG, due[0].OutboxID); err != nil {
				t.Fatal(err)
			}
			var uri string
			if c.postedBefore { // the old process posted it, then died before recording it
				if uri, err = a.Send(ctxBG, due[0]); err != nil {
					t.Fatal(err)
				}
			}

			restarted, _ := e2eEngine(t, svc, f)
			if err := restarted.Once(ctxBG); err != nil {
				t.Fatal(err)
			}
			recs := f.records()
			if len(recs) != 1 || count(f, "com.atproto.repo.createRecord") != 1 || count(f, "com.atproto.repo.listRecords") != 1 {
				t.Fatalf("%d records, calls %v; want one post, one lookup", len(recs), f.calls())
			}
			if uri == "" {
				uri = recs[0]["uri"].(string)
			}
			st := e2eOutbox(t, svc)
			if st.Status != inbox.OutboxSent || st.RemoteID != uri {
				t.Errorf("outbox %+v, want sent as %s", st, uri)
			}
			th, err := svc.Thread(ctxBG, conv, 10)
			if last := th.Messages[len(th.Messages)-1]; err != nil || last.ExtID != uri || last.OutboxStatus != inbox.OutboxSent {
				t.Errorf("the reply in the thread: %+v, %v", last, err)
			}
		})
	}
}
