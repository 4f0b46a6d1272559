package inbox

import (
	"context"
	"testing"
)

// What arrives after the mark is the customer's new message, a colleague's note and a
// colleague's reply; the agent's own note is not news, and nothing before the mark is.
func TestArrivedSinceMark(t *testing.T) {
	ctx := context.Background()
	base, _ := newTestInbox(t, "", at("2026-03-02T10:00:00Z"))
	maria, dev := base.As("maria"), base.As("dev")
	mustIngest(t, base, inMsg("m1", "c1", "where is my order?", "2026-03-02T09:00:00Z"))
	id := convOf(t, base, "c1")
	mark, err := maria.MarkOf(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := maria.Arrived(ctx, id, mark); err != nil || a.Count() != 0 {
		t.Fatalf("nothing arrived yet: %+v, %v", a, err)
	}

	if err := maria.AddNote(ctx, id, "checking the courier"); err != nil { // her own
		t.Fatal(err)
	}
	if a, _ := maria.Arrived(ctx, id, mark); a.Count() != 0 {
		t.Fatalf("her own note counted as arrived: %+v", a)
	}
	// A message the channel dates before the mark still arrived after it.
	mustIngest(t, base, inMsg("m2", "c1", "any news??", "2026-03-02T08:00:00Z"))
	a, err := maria.Arrived(ctx, id, mark)
	if err != nil {
		t.Fatal(err)
	}
	if who, did, text, ok := a.Latest(); a.Count() != 1 || !ok || who != "Ana Ruiz" || did != "wrote" || text != "any news??" {
		t.Fatalf("after the customer wrote: %d arrived, latest %q %q %q", a.Count(), who, did, text)
	}
	if err := dev.AddNote(ctx, id, "I'm on it"); err != nil {
		t.Fatal(err)
	}
	a, _ = maria.Arrived(ctx, id, mark)
	if who, did, text, _ := a.Latest(); a.Count() != 2 || who != "dev" || did != "noted" || text != "I'm on it" {
		t.Fatalf("after dev's note: %d arrived, latest %q %q %q", a.Count(), who, did, text)
	}

	// Marked again, nothing is new until dev replies.
	if mark, err = maria.MarkOf(ctx, id); err != nil {
		t.Fatal(err)
	}
	if a, _ := maria.Arrived(ctx, id, mark); a.Count() != 0 {
		t.Fatalf("after marking again: %+v", a)
	}
	if _, err := dev.Reply(ctx, id, "It left our warehouse today."); err != nil {
		t.Fatal(err)
	}
	a, _ = maria.Arrived(ctx, id, mark)
	if who, did, _, _ := a.Latest(); a.Count() != 1 || who != "dev" || did != "replied" {
		t.Fatalf("after dev replied: %d arrived, latest %q %q", a.Count(), who, did)
	}
	if a, _ := dev.Arrived(ctx, id, mark); a.Count() != 0 {
		t.Fatalf("dev's own reply is news to dev: %+v", a)
	}
}
