package inbox

import (
	"context"
	"testing"
	"time"

	"github.com/triage-inbox/triage/internal/pgtest"
	"github.com/triage-inbox/triage/store"
)

// pgHost opens the PostgreSQL database at url as one host of a team would: its own
// handle (pool, origin) and its own inbox of agent.
func pgHost(t *testing.T, url, agent string, now time.Time) *Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg, err := ParseConfig("test.toml", "")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(ctx, db, cfg, WithClock(func() time.Time { return now }), WithAgent(agent))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Two hosts on one PostgreSQL database: a commit on one reaches a session of the
// other's hub within a second, through Run at its usual pace; a commit of the hub's own
// host is told once, at once, and not again by the watch.
func TestHubOnPostgresHearsAnotherHost(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	now := at("2026-03-02T10:00:00Z")
	a := pgHost(t, url, "maria", now)
	b := pgHost(t, url, "dev", now)
	h := NewHub(a, WithLiveGap(0))
	s := h.Join("maria")
	defer s.Leave()
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx, 0) }() // DefaultWatchEvery, as triage and triage team run it
	time.Sleep(100 * time.Millisecond)   // the watch listens
	drain(t, s)

	for i, msg := range []Message{
		inMsg("m1", "c1", "hello from the other host", "2026-03-02T09:00:00Z"),
		inMsg("m2", "c2", "and again", "2026-03-02T09:10:00Z"),
	} {
		start := time.Now()
		mustIngest(t, b, msg)
		wait, stop := context.WithTimeout(ctx, time.Second)
		c, err := s.Next(wait)
		stop()
		if err != nil || c&ChangeData == 0 {
			t.Fatalf("commit %d on the other host: got %v, %v within a second", i+1, c, err)
		}
		t.Logf("commit %d on the other host reached the session in %v", i+1, time.Since(start))
	}

	mustIngest(t, a, inMsg("m3", "c3", "here", "2026-03-02T09:20:00Z"))
	if c := drain(t, s); c&ChangeData == 0 {
		t.Fatal("the session was not told of its own host's commit")
	}
	time.Sleep(3 * DefaultWatchEvery) // several looks of the watch
	if c := drain(t, s); c != 0 {
		t.Fatalf("its own host's commit was told again by the watch (%v)", c)
	}

	cancel()
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// A commit of this host tells its sessions at once and takes its own change off the
// watch (Hub.Changed, VersionWatch.Seen); a commit of the other host heard just before
// must stay for the watch's next look, not be taken with it.
func TestHubOnPostgresKeepsAnotherHostsChangeAcrossItsOwn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	now := at("2026-03-02T10:00:00Z")
	a := pgHost(t, url, "maria", now)
	b := pgHost(t, url, "dev", now)
	h := NewHub(a, WithLiveGap(0))
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx, time.Hour) }() // the test looks itself
	for h.watching() == false {
		time.Sleep(time.Millisecond)
	}
	mustIngest(t, b, inMsg("m1", "c1", "there", "2026-03-02T09:30:00Z"))
	time.Sleep(100 * time.Millisecond) // heard by the watch
	mustIngest(t, a, inMsg("m2", "c2", "here", "2026-03-02T09:31:00Z"))
	if !h.look(ctx) {
		t.Fatal("the other host's commit was taken with this host's own")
	}
	if h.look(ctx) {
		t.Fatal("told twice")
	}
	cancel()
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// watching reports whether Run's watch is open.
func (h *Hub) watching() bool {
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	return h.watch != nil
}
