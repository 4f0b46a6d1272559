package inbox

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// Others shows other agents where they are, one entry per agent (replying wins over
// viewing across their sessions), leaves out the asking agent's own sessions, and stops
// showing a session after the TTL without activity, telling the others when it does.
func TestPresenceShowsOthersAndExpires(t *testing.T) {
	svc, clock := newTestInbox(t, "", at("2026-03-02T10:00:00Z"))
	h := NewHub(svc, WithPresenceTTL(time.Minute), WithLiveGap(0))
	maria, dev, dev2, ana := h.Join("maria"), h.Join("dev"), h.Join("dev"), h.Join("ana")
	defer maria.Leave()
	maria.Show(7, true) // maria's own: never shown to maria
	dev.Show(7, false)
	dev2.Show(7, true)
	ana.Show(9, false)
	want := map[int64][]Presence{7: {{Agent: "dev", Replying: true}}, 9: {{Agent: "ana"}}}
	if got := maria.Others(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Others() = %v, want %v", got, want)
	}
	drain(t, maria)

	// 50 s later dev's first session and ana are active again; dev2 is not.
	clock.t = clock.t.Add(50 * time.Second)
	dev.Touch()
	ana.Touch()
	clock.t = clock.t.Add(15 * time.Second) // dev2 idle 65 s > TTL, the others 15 s
	h.Expire()
	want = map[int64][]Presence{7: {{Agent: "dev"}}, 9: {{Agent: "ana"}}}
	if got := maria.Others(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after dev2 went idle: Others() = %v, want %v", got, want)
	}
	if c := drain(t, maria); c&ChangePresence == 0 {
		t.Fatalf("maria was not told that dev2 went idle (got %v)", c)
	}
	h.Expire()
	if c := drain(t, maria); c != 0 {
		t.Fatalf("told again of nothing new: %v", c)
	}

	// A key pressed in the idle session brings it back; leaving takes it away for good.
	dev2.Touch()
	if got := maria.Others()[7]; !reflect.DeepEqual(got, []Presence{{Agent: "dev", Replying: true}}) {
		t.Fatalf("after dev2 pressed a key: %v", got)
	}
	dev.Leave()
	dev2.Leave()
	ana.Show(0, false) // back to the queue
	if got := maria.Others(); len(got) != 0 {
		t.Fatalf("after dev left and ana went back to the queue: %v", got)
	}
	if _, err := dev.Next(context.Background()); err != ErrLeft {
		t.Fatalf("Next after Leave = %v, want ErrLeft", err)
	}
}

// drain returns the changes waiting for s without blocking (0: none).
func drain(t *testing.T, s *Session) Change {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	c, err := s.Next(ctx)
	if err != nil && err != context.DeadlineExceeded {
		t.Fatal(err)
	}
	return c
}
