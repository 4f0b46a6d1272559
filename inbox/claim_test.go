package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Eight agents, each with a Service of their own over one database, take the same
// unassigned conversation at once: exactly one wins, every other is told who did, and
// the audit log records one assignment.
func TestTakeRaceHasOneWinner(t *testing.T) {
	ctx := context.Background()
	base, _ := newTestInbox(t, "", at("2026-03-02T10:00:00Z"))
	mustIngest(t, base, inMsg("m1", "c1", "where is my order?", "2026-03-02T09:00:00Z"))
	id := convOf(t, base, "c1")
	const n = 8
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		svc := base.As(fmt.Sprintf("agent%d", i))
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = svc.Take(ctx, "", id)
		}()
	}
	start.Done()
	done.Wait()
	winner := ""
	for i, err := range errs {
		var taken *TakenError
		switch {
		case err == nil && winner == "":
			winner = fmt.Sprintf("agent%d", i)
		case err == nil:
			t.Fatalf("agent%d won too, after %s", i, winner)
		case !errors.As(err, &taken) || !errors.Is(err, ErrTaken):
			t.Fatalf("agent%d: %v, want a *TakenError", i, err)
		}
	}
	if winner == "" {
		t.Fatal("nobody won")
	}
	for i, err := range errs {
		if err != nil && err.Error() != winner+" took it first" {
			t.Errorf("agent%d was told %q, want %q", i, err, winner+" took it first")
		}
	}
	th, err := base.Thread(ctx, id, 1)
	if err != nil {
		t.Fatal(err)
	}
	if th.Info.Assignee != winner {
		t.Fatalf("assignee = %q, want the winner %q", th.Info.Assignee, winner)
	}
	events, err := base.db.AuditOf(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	assigns := 0
	for _, e := range events {
		if e.Action == "assign" {
			assigns++
		}
	}
	if assigns != 1 {
		t.Fatalf("%d assign events, want 1", assigns)
	}
}

// Taking is a claim on what the agent saw: it passes when the conversation is still
// assigned as seen (a deliberate take-over from dev) or already theirs, and fails, with
// nothing changed, when it changed hands since.
func TestTakeChecksWhatTheAgentSaw(t *testing.T) {
	ctx := context.Background()
	base, _ := newTestInbox(t, "", at("2026-03-02T10:00:00Z"))
	mustIngest(t, base, inMsg("m1", "c1", "hello", "2026-03-02T09:00:00Z"))
	id := convOf(t, base, "c1")
	maria, dev := base.As("maria"), base.As("dev")
	if err := dev.Take(ctx, "", id); err != nil {
		t.Fatal(err)
	}
	if err := maria.Take(ctx, "", id); !errors.Is(err, ErrTaken) || err.Error() != "dev took it first" {
		t.Fatalf("maria taking what she saw unassigned: %v, want dev took it first", err)
	}
	if err := maria.Take(ctx, "dev", id); err != nil {
		t.Fatalf("maria taking over from dev, whom she saw: %v", err)
	}
	if err := maria.Take(ctx, "", id); err != nil {
		t.Fatalf("taking what is already hers: %v", err)
	}
	if err := dev.Take(ctx, "", id); err == nil || err.Error() != "maria took it first" {
		t.Fatalf("dev: %v, want maria took it first", err)
	}
}
