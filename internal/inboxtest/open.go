package inboxtest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// Clock is a clock a test moves, safe to read from the sync engine's goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Open is an inbox on a fresh temporary database with cfg (nil: the defaults), on the
// clock now, acting as the agent maria, closed when the test ends.
func Open(t testing.TB, cfg *inbox.Config, now func() time.Time) *inbox.Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "triage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, cfg, inbox.WithClock(now), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
