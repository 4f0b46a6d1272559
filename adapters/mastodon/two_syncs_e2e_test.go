package mastodon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/internal/pgtest"
	"github.com/triage-inbox/triage/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// slowPosts stands in front of the fake server and counts the POST /api/v1/statuses of
// every reply (by its Idempotency-Key, which is the outbox's own). A reply whose text
// holds "[slow]" is answered after slowFor: the server takes its time before it creates
// the status, as a loaded instance does, longer than the engine's round of sending.
type slowPosts struct {
	f       *fake
	slowFor time.Duration

	mu      sync.Mutex
	posts   map[string]int // POSTs by Idempotency-Key
	texts   map[string]string
	started chan struct{} // closed when the first slow POST arrives
	once    sync.Once
}

func (p *slowPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/statuses" {
		p.f.serve(w, r)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var body struct {
		Status string `json:"status"`
	}
	json.Unmarshal(raw, &body)
	key := r.Header.Get("Idempotency-Key")
	p.mu.Lock()
	p.posts[key]++
	p.texts[key] = body.Status
	p.mu.Unlock()
	if strings.Contains(body.Status, "[slow]") {
		p.once.Do(func() { close(p.started) })
		select {
		case <-time.After(p.slowFor):
		case <-r.Context().Done():
			return
		}
	}
	p.f.serve(w, r)
}

// host is one triage host: its own connection to the database (its own *store.DB), its
// own inbox, adapter and sync engine.
type host struct {
	t   *testing.T
	db  *store.DB
	svc *inbox.Service
	eng *engine.Engine
}

func newHost(t *testing.T, dbPath string, f *fake) *host {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, inboxtest.SendAtOnce(t), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	a := newAdapter(t, f, nil)
	eng := engine.New(svc, []engine.Account{{Name: "acme", Channel: "mastodon", Handle: a.Handle(), Poll: 300 * time.Millisecond, Adapter: a}}, engine.Options{Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	return &host{t: t, db: db, svc: svc, eng: eng}
}

// run runs the host's sync until ctx ends: the engine's Run ("triage sync"), or Once
// again and again ("triage sync --once" from a timer, compressed).
func (h *host) run(ctx context.Context, wg *sync.WaitGroup, once bool) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		if !once {
			if err := h.eng.Run(ctx); err != nil {
				h.t.Errorf("Run: %v", err)
			}
			return
		}
		for ctx.Err() == nil {
			if err := h.eng.Once(ctx); err != nil && ctx.Err() == nil {
				h.t.Errorf("Once: %v", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
}

// Two hosts sync one database at once, with the same Mastodon account: every reply a
// person sends, on either host, is posted exactly once, none is lost, and each ends up
// sent. Some replies are slow to post (the server answers after 4 s, longer than a round
// of the engine's sending), and the second host starts while the first is in the middle
// of one: it must not take that reply over as one a crash left behind.
func TestTwoSyncsSendEachReplyOnce(t *testing.T) {
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "triage.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		for _, mode := range []string{"run", "once"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				if name == "sqlite" && runtime.GOOS != "linux" {
					// SQLite's send locks are open file description locks, Linux's own
					// (see store.fileSendLocks); elsewhere a second process's recovery
					// may take a reply the first is still sending.
					t.Skip("SQLite's send locks need Linux")
				}
				testTwoSyncs(t, engines[name](t), mode == "once")
			})
		}
	}
}

func testTwoSyncs(t *testing.T, dbPath string, once bool) {
	const convs, replies = 6, 18
	ctx := context.Background()
	f := &fake{t: t, statuses: map[string]map[string]any{}, keys: map[string]string{}, nextID: 110000000000000000}
	p := &slowPosts{f: f, slowFor: 4 * time.Second, posts: map[string]int{}, texts: map[string]string{}, started: make(chan struct{})}
	f.srv = httptest.NewServer(p)
	t.Cleanup(f.srv.Close)
	var tops []string
	for i := range convs {
		tops = append(tops, f.addStatus(bob, fmt.Sprintf("<p>@acme order %d arrived broken</p>", i), "public", "", true, nil))
	}

	a := newHost(t, dbPath, f)
	b := newHost(t, dbPath, f)
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	a.run(runCtx, &wg, once)

	// The mentions arrive through host a; each host's person answers in them.
	conv := func(h *host, i int) int64 {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			id, err := h.svc.ConversationID(ctx, "mastodon", "@acme@mastodon.example", "mastodon:"+tops[i])
			if err == nil {
				return id
			}
			if time.Now().After(deadline) {
				t.Fatalf("conversation %d never arrived: %v", i, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if _, err := a.svc.Reply(ctx, conv(a, 0), "[slow] reply 0"); err != nil {
		t.Fatal(err)
	}
	select { // host b starts while host a waits for the slow answer
	case <-p.started:
	case <-time.After(20 * time.Second):
		t.Fatal("the slow reply was never posted")
	}
	b.run(runCtx, &wg, once)
	for i := 1; i < replies; i++ {
		h := a
		if i%2 == 1 {
			h = b
		}
		text := fmt.Sprintf("reply %d", i)
		if i%5 == 0 {
			text = "[slow] " + text
		}
		if _, err := h.svc.Reply(ctx, conv(h, i%convs), text); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		time.Sleep(150 * time.Millisecond)
	}

	// Wait until every reply is settled, then a little longer, for a late second post.
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := a.db.Outbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		settled := 0
		for _, o := range out {
			if o.Status != inbox.OutboxPending && o.Status != inbox.OutboxSending {
				settled++
			}
		}
		if len(out) == replies && settled == replies {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s: %d of %d replies settled: %+v", settled, replies, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	stop()
	wg.Wait()

	out, err := a.db.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(out) != replies {
		t.Fatalf("%d replies in the outbox, want %d", len(out), replies)
	}
	for _, o := range out {
		if n := p.posts[o.Key]; n != 1 || o.Status != inbox.OutboxSent || o.RemoteID == "" || f.keys[o.Key] != o.RemoteID {
			t.Errorf("reply %q: %d POSTs, outbox %s (remote %q, server %q, %d attempts, %q); want 1 POST, sent",
				p.texts[o.Key], n, o.Status, o.RemoteID, f.keys[o.Key], o.Attempts, o.LastError)
		}
	}
	if len(f.posted) != replies {
		t.Errorf("the server created %d statuses, want %d", len(f.posted), replies)
	}
}

// testWriter logs the engines' warnings and errors into the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
