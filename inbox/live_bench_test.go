package inbox

import (
	"context"
	"sync"
	"testing"
)

// BenchmarkHubCommitReachesFiftySessions is the time from a commit in the process (an
// agent's tag) to the moment all of 50 sessions have been told: the hub's part of "an
// action reaches every screen" (each screen then reads its page).
func BenchmarkHubCommitReachesFiftySessions(b *testing.B) {
	ctx := context.Background()
	svc, _ := newTestInbox(b, "", at("2026-03-02T10:00:00Z"))
	mustIngest(b, svc, inMsg("m1", "c1", "hello", "2026-03-02T09:00:00Z"))
	id := convOf(b, svc, "c1")
	h := NewHub(svc, WithLiveGap(0))
	const n = 50
	sessions := make([]*Session, n)
	for i := range sessions {
		sessions[i] = h.Join("agent")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for _, s := range sessions {
			wg.Add(1)
			go func() { defer wg.Done(); s.Next(ctx) }()
		}
		tag := "a"
		if i%2 == 1 {
			tag = "b"
		}
		if err := svc.Tag(ctx, tag, id); err != nil {
			b.Fatal(err)
		}
		wg.Wait()
	}
}
