// Package enginetest is the bench every channel's end-to-end test stands on: an inbox on
// a temporary database, on the test's clock, replies sent at once, and the real sync
// engine driving one account, with the engine's log kept to look for secrets in.
package enginetest

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/store"
)

// Desk is the inbox and the engine of one test.
type Desk struct {
	Svc *inbox.Service
	Eng *engine.Engine
	Log *bytes.Buffer // what the engine logged
}

// New opens the inbox (agent maria) on clock and an engine for acct over it; the
// database closes when the test ends.
func New(t testing.TB, clock func() time.Time, acct engine.Account) *Desk {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "triage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, inboxtest.SendAtOnce(t), inbox.WithClock(clock), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	d := &Desk{Svc: svc, Log: &bytes.Buffer{}}
	d.Eng = engine.New(svc, []engine.Account{acct}, engine.Options{Log: slog.New(slog.NewTextHandler(d.Log, nil))})
	return d
}
