package mastodon_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/store"
)

// flakyPosts stands in front of the fake server and answers POST /api/v1/statuses as
// scripted, one step per request, before the fake answers normally: "500", "429" (with
// Retry-After: 120), "drop" (the status is created, then the connection is dropped
// before the answer: a lost answer) or "422". It records every POST's Idempotency-Key.
type flakyPosts struct {
	f     *fake
	mu    sync.Mutex
	steps []string
	keys  []string
}

func (p *flakyPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/statuses" {
		p.f.serve(w, r)
		return
	}
	p.mu.Lock()
	p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
	step := ""
	if len(p.steps) > 0 {
		step, p.steps = p.steps[0], p.steps[1:]
	}
	p.mu.Unlock()
	switch step {
	case "500":
		w.WriteHeader(500)
		fmt.Fprint(w, `<html><h1>We're sorry, but something went wrong.</h1></html>`)
	case "429":
		w.Header().Set("Retry-After", "120")
		writeJSON(w, 429, map[string]any{"error": "Too many requests"})
	case "drop":
		p.f.serve(httptest.NewRecorder(), r)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	case "422":
		writeJSON(w, 422, map[string]any{"error": "Validation failed: Text character limit of 500 exceeded"})
	default:
		p.f.serve(w, r)
	}
}

func (p *flakyPosts) posts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.keys...)
}

// desk is the fake server behind flakyPosts, an inbox on a temporary database with a
// clock the test moves, and the real sync engine with the real adapter between them.
type desk struct {
	f     *fake
	flaky *flakyPosts
	svc   *inbox.Service
	eng   *engine.Engine
	ctx   context.Context

	mu  sync.Mutex
	now time.Time
}

func newDesk(t *testing.T, steps ...string) *desk {
	t.Helper()
	d := &desk{ctx: context.Background(), now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	d.f = &fake{t: t, statuses: map[string]map[string]any{}, keys: map[string]string{}, nextID: 110000000000000000, now: d.clock}
	d.flaky = &flakyPosts{f: d.f, steps: steps}
	d.f.srv = httptest.NewUnstartedServer(d.flaky)
	// One request per connection: a dropped connection reaches the engine instead of
	// being retried inside net/http, which replays requests with an Idempotency-Key.
	d.f.srv.Config.SetKeepAlivesEnabled(false)
	d.f.srv.Start()
	t.Cleanup(d.f.srv.Close)

	db, err := store.Open(d.ctx, filepath.Join(t.TempDir(), "triage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if d.svc, err = inbox.New(d.ctx, db, inboxtest.SendAtOnce(t), inbox.WithClock(d.clock), inbox.WithAgent("maria")); err != nil {
		t.Fatal(err)
	}
	d.restart(t)
	return d
}

// restart starts the engine afresh, as triage does when it is run again: a new adapter,
// nothing kept in memory, the same database.
func (d *desk) restart(t *testing.T) {
	t.Helper()
	a := newAdapter(t, d.f, nil)
	d.eng = engine.New(d.svc, []engine.Account{{Name: "acme", Channel: "mastodon", Handle: a.Handle(), Adapter: a}}, engine.Options{})
}

func (d *desk) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *desk) wait(dt time.Duration) {
	d.mu.Lock()
	d.now = d.now.Add(dt)
	d.mu.Unlock()
}

// once runs the engine once; wantErr is a text the error must hold, or "" for none.
func (d *desk) once(t *testing.T, wantErr string) {
	t.Helper()
	err := d.eng.Once(d.ctx)
	if (wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), wantErr)) {
		t.Fatalf("Once = %v, want error %q", err, wantErr)
	}
}

// reply fetches bob's mention and carol's answer under it, and queues a reply to them.
func (d *desk) reply(t *testing.T, text string) (conv int64, top, answer string) {
	t.Helper()
	top = d.f.addStatus(bob, `<p><span class="h-card"><a href="https://mastodon.example/@acme" class="u-url mention">@<span>acme</span></a></span> my grinder arrived broken</p>`, "public", "", true, nil)
	answer = d.f.addStatus(carol, "<p>@acme same here, mine too</p>", "unlisted", top, true, nil)
	d.once(t, "")
	conv, err := d.svc.ConversationID(d.ctx, "mastodon", "@acme@mastodon.example", "mastodon:"+top)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Reply(d.ctx, conv, text); err != nil {
		t.Fatal(err)
	}
	return conv, top, answer
}

// created returns the bodies of the statuses the server created, and the status id it
// holds for an Idempotency-Key.
func (d *desk) created(key string) ([]map[string]any, string) {
	d.f.mu.Lock()
	defer d.f.mu.Unlock()
	return append([]map[string]any(nil), d.f.posted...), d.f.keys[key]
}

func (d *desk) outbox(t *testing.T) store.OutboxEntry {
	t.Helper()
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %+v, %v; want one reply", out, err)
	}
	return out[0]
}

// The mentions reach the queue through the engine; a reply goes out once, in the thread,
// with the visibility of the status it answers and the outbox's key; the outbox is sent.
func TestEngineMastodonReply(t *testing.T) {
	d := newDesk(t)
	conv, top, answer := d.reply(t, "Sorry! A new one is on its way.")
	rows, err := d.svc.Queue(d.ctx, inbox.QueuePage{View: inbox.BuiltinViews[len(inbox.BuiltinViews)-1], Limit: 10})
	if err != nil || len(rows) != 1 || rows[0].ID != conv || rows[0].Channel != "mastodon" || rows[0].AuthorHandle != "@bob@other.example" ||
		rows[0].LastText != "@acme same here, mine too" {
		t.Fatalf("queue = %+v, %v", rows, err)
	}
	th, err := d.svc.Thread(d.ctx, conv, 10)
	if err != nil || len(th.Messages) != 3 || th.Messages[0].ExtID != top || th.Messages[0].Text != "@acme my grinder arrived broken" ||
		th.Messages[1].ExtID != answer || th.Messages[1].AuthorHandle != "@carol@mastodon.example" || th.Messages[1].InReplyTo != top {
		t.Fatalf("thread = %+v, %v", th.Messages, err)
	}

	d.once(t, "")
	st := d.outbox(t)
	posted, id := d.created(st.Key)
	if len(posted) != 1 {
		t.Fatalf("%d statuses posted, want 1", len(posted))
	}
	body := posted[0]
	if body["in_reply_to_id"] != answer || body["visibility"] != "unlisted" || body["status"] != "@carol Sorry! A new one is on its way." {
		t.Errorf("posted %v, want a reply to %s, unlisted like it, mentioning carol", body, answer)
	}
	if keys := d.flaky.posts(); len(keys) != 1 || keys[0] != st.Key {
		t.Errorf("Idempotency-Keys %q, want the outbox's %q", keys, st.Key)
	}
	if st.Status != inbox.OutboxSent || st.RemoteID != id || st.Attempts != 1 {
		t.Errorf("outbox %+v", st)
	}
	d.wait(time.Hour)
	d.once(t, "")
	if n := len(d.flaky.posts()); n != 1 {
		t.Errorf("%d POSTs after another sync, want still 1", n)
	}
}

// A 500, a 429 with Retry-After: 120, a connection dropped after the status was created,
// then success: every retry waits its time, all carry the same Idempotency-Key, and the
// server holds exactly one status, which the outbox records.
func TestEngineMastodonRetries(t *testing.T) {
	d := newDesk(t, "500", "429", "drop")
	d.reply(t, "Sorry! A new one is on its way.")
	d.once(t, "HTTP 500")
	if st := d.outbox(t); st.Status != inbox.OutboxPending || st.Attempts != 1 || !strings.Contains(st.LastError, "500") {
		t.Fatalf("after the 500: %+v", st)
	}
	d.once(t, "") // not due yet
	if n := len(d.flaky.posts()); n != 1 {
		t.Fatalf("retried before its time: %d POSTs", n)
	}
	d.wait(15 * time.Second) // the first backoff is 10 s ± 20%
	d.once(t, "HTTP 429")
	d.wait(100 * time.Second)
	d.once(t, "")
	if n := len(d.flaky.posts()); n != 2 {
		t.Fatalf("Retry-After 120 not honoured: %d POSTs after 100 s", n)
	}
	d.wait(25 * time.Second)
	d.once(t, "EOF")
	if n, st := len(d.flaky.posts()), d.outbox(t); n != 3 || st.Status != inbox.OutboxPending || st.Attempts != 3 {
		t.Fatalf("after the dropped connection: %d POSTs, outbox %+v", n, st)
	}
	if posted, _ := d.created(""); len(posted) != 1 {
		t.Fatalf("the dropped request created %d statuses, want 1", len(posted))
	}
	d.wait(time.Minute) // the third backoff is 40 s ± 20%
	d.once(t, "")
	d.wait(time.Hour)
	d.once(t, "")

	st := d.outbox(t)
	keys := d.flaky.posts()
	posted, id := d.created(st.Key)
	if len(keys) != 4 || len(posted) != 1 {
		t.Errorf("%d POSTs, %d statuses created; want 4 and exactly 1", len(keys), len(posted))
	}
	for i, k := range keys {
		if k != st.Key {
			t.Errorf("POST %d carried Idempotency-Key %q, want the outbox's %q", i, k, st.Key)
		}
	}
	if st.Status != inbox.OutboxSent || id == "" || st.RemoteID != id || st.Attempts != 4 {
		t.Errorf("outbox %+v, want sent as status %s", st, id)
	}
}

// A 422 cannot pass by retrying: the reply is failed, its text stays in the conversation,
// and it is not posted on a later sync.
func TestEngineMastodonRefused(t *testing.T) {
	d := newDesk(t, "422")
	conv, _, _ := d.reply(t, "Sorry! A new one is on its way.")
	d.once(t, "HTTP 422")
	st := d.outbox(t)
	if st.Status != inbox.OutboxFailed || !strings.Contains(st.LastError, "character limit") {
		t.Errorf("outbox %+v", st)
	}
	th, err := d.svc.Thread(d.ctx, conv, 10)
	if err != nil {
		t.Fatal(err)
	}
	if last := th.Messages[len(th.Messages)-1]; last.Direction != "out" || last.Text != "Sorry! A new one is on its way." ||
		last.OutboxStatus != inbox.OutboxFailed {
		t.Errorf("the failed reply is not visible with its text: %+v", last)
	}
	d.wait(24 * time.Hour)
	d.once(t, "")
	if posted, _ := d.created(""); len(d.flaky.posts()) != 1 || len(posted) != 0 {
		t.Errorf("a failed reply was posted again: %d POSTs, %d statuses", len(d.flaky.posts()), len(posted))
	}
}

// triage dies after claiming a reply (the outbox holds it in "sending"), posted before the
// crash or not, and is started again two hours later, when Mastodon no longer remembers
// the Idempotency-Key: the engine asks the adapter (adapters.Checker), and the reply ends
// up sent, with exactly one status on the server and its id in the outbox.
func TestEngineMastodonCrashMidSend(t *testing.T) {
	for _, c := range []struct {
		name         string
		postedBefore bool
	}{{"posted before the crash", true}, {"not posted before the crash", false}} {
		t.Run(c.name, func(t *testing.T) {
			d := newDesk(t)
			conv, _, answer := d.reply(t, "Sorry! A new one is on its way.")
			due, err := d.svc.DueReplies(d.ctx, 10)
			if err != nil || len(due) != 1 {
				t.Fatalf("due = %+v, %v", due, err)
			}
			if err := d.svc.ClaimOutbox(d.ctx, due[0].OutboxID); err != nil {
				t.Fatal(err)
			}
			var id string
			if c.postedBefore { // the old process posted it, then died before recording it
				if id, err = newAdapter(t, d.f, nil).Send(d.ctx, due[0]); err != nil {
					t.Fatal(err)
				}
			}
			if st := d.outbox(t); st.Status != inbox.OutboxSending {
				t.Fatalf("after the crash: %+v, want sending", st)
			}

			d.wait(2 * time.Hour)
			d.f.forgetKeys() // a POST with the old key would now create a second status
			d.restart(t)
			d.once(t, "")

			var replies []string
			d.f.mu.Lock()
			for _, s := range d.f.ownStatuses("1") {
				if s["in_reply_to_id"] == answer {
					replies = append(replies, s["id"].(string))
				}
			}
			d.f.mu.Unlock()
			if posts := d.flaky.posts(); len(replies) != 1 || len(posts) != 1 {
				t.Fatalf("%d replies on the server, %d POSTs; want exactly one", len(replies), len(posts))
			}
			if n := d.f.count(ownStatuses); n != 1 {
				t.Errorf("%d lookups of the account's statuses, want 1", n)
			}
			if id == "" {
				id = replies[0]
			}
			st := d.outbox(t)
			if st.Status != inbox.OutboxSent || st.RemoteID != id || replies[0] != id {
				t.Errorf("outbox %+v, want sent as status %s", st, id)
			}
			th, err := d.svc.Thread(d.ctx, conv, 10)
			if last := th.Messages[len(th.Messages)-1]; err != nil || last.ExtID != id || last.OutboxStatus != inbox.OutboxSent {
				t.Errorf("the reply in the thread: %+v, %v", last, err)
			}

			d.wait(time.Hour)
			d.once(t, "")
			if n := len(d.flaky.posts()); n != 1 {
				t.Errorf("%d POSTs after another sync, want still 1", n)
			}
		})
	}
}
