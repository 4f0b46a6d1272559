package inbox

import (
	"context"
	"testing"
	"time"

	"github.com/triage-inbox/triage/store"
)

// A commit through the hub's own database reaches every session at once; a commit by
// another process on the same file (here another handle on it, with its own
// connections) reaches them through Run's data_version watch within a second.
func TestHubTellsSessionsOfCommitsHereAndElsewhere(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, _ := newTestInbox(t, "", at("2026-03-02T10:00:00Z"))
	h := NewHub(svc, WithLiveGap(0))
	a, b := h.Join("maria"), h.Join("dev")
	defer a.Leave()
	defer b.Leave()

	mustIngest(t, svc, inMsg("m1", "c1", "hello", "2026-03-02T09:00:00Z"))
	for _, s := range []*Session{a, b} {
		if c := drain(t, s); c&ChangeData == 0 {
			t.Fatalf("%s was not told of a commit in this process", s.Agent())
		}
	}

	// Another process: its own handle on the file, its own inbox, no hub.
	other, err := store.Open(ctx, svc.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	osvc, err := New(ctx, other, svc.cfg, WithClock(svc.now), WithAgent("importer"))
	if err != nil {
		t.Fatal(err)
	}
	drain(t, a) // whatever opening it wrote
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx, 50*time.Millisecond) }()
	time.Sleep(100 * time.Millisecond) // the watch is open and has read the version
	drain(t, a)
	mustIngest(t, osvc, inMsg("m2", "c2", "from the import", "2026-03-02T09:30:00Z"))
	wait, stop := context.WithTimeout(ctx, time.Second)
	defer stop()
	c, err := a.Next(wait)
	if err != nil || c&ChangeData == 0 {
		t.Fatalf("another process's commit: got %v, %v within a second", c, err)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// A commit of this process is told once. It changes data_version for the watch's own
// connection as another process's commit would, and the watch used to tell it again a
// moment later, so every screen read everything twice for each action.
func TestHubTellsACommitHereOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, _ := newTestInbox(t, "", at("2026-03-02T10:00:00Z"))
	h := NewHub(svc, WithLiveGap(0))
	a := h.Join("maria")
	defer a.Leave()
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx, 20*time.Millisecond) }()
	time.Sleep(60 * time.Millisecond) // the watch is open and has read the version
	drain(t, a)

	mustIngest(t, svc, inMsg("m1", "c1", "hello", "2026-03-02T09:00:00Z"))
	if c := drain(t, a); c&ChangeData == 0 {
		t.Fatal("the session was not told of the commit")
	}
	time.Sleep(150 * time.Millisecond) // several watches
	if c := drain(t, a); c != 0 {
		t.Fatalf("the commit was told again by the watch (%v)", c)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
