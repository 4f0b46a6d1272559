package inbox

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// Two hosts on one PostgreSQL database fetch the same account and store the same new
// messages at the same moment, as two syncs do: both succeed, and each message is
// stored once. It holds because a batch first locks its account's row (FOR NO KEY
// UPDATE), so the second host's batch waits for the first to commit and then finds its
// messages, instead of failing on their unique key.
func TestTwoHostsIngestTheSameMessagesAtOnce(t *testing.T) {
	url := pgtest.URL(t)
	now := at("2026-03-02T10:00:00Z")
	a, b := pgHost(t, url, "maria", now), pgHost(t, url, "dev", now)
	ctx := context.Background()
	const rounds, perBatch = 20, 30
	for r := range rounds {
		var batch []Message
		for i := range perBatch {
			id := fmt.Sprintf("r%d-m%d", r, i)
			batch = append(batch, inMsg(id, fmt.Sprintf("conv-%d", i%7), "the same message "+id, "2026-03-02T09:00:00Z"))
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for h, svc := range []*Service{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[h] = svc.IngestMessages(ctx, batch...)
			}()
		}
		wg.Wait()
		for h, err := range errs {
			if err != nil {
				t.Fatalf("round %d, host %d: %v", r, h+1, err)
			}
		}
	}
	n, err := a.db.MessageCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(rounds*perBatch) {
		t.Errorf("%d messages stored, want %d, each once", n, rounds*perBatch)
	}
}
