package inbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// The benchmarks run on synthetic messages (adapters/synth), seed 1, ending at benchEnd.
// They live in the external test package so they may import adapters/synth, which
// imports inbox.

var benchEnd = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// benchDBName is the cached 1M-message database in os.TempDir(); change it whenever the
// generator or the schema changes, so an old file is not reused.
const benchDBName = "triage-bench-1m-v2.db"

func benchService(b *testing.B, path string) *inbox.Service {
	b.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := inbox.New(context.Background(), db, nil, inbox.WithClock(func() time.Time { return benchEnd }), inbox.WithAgent("maria"))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func ingestN(b *testing.B, s *inbox.Service, n int) {
	b.Helper()
	if _, err := synth.Ingest(context.Background(), s, n, 1, benchEnd, 10_000); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIngest100k ingests 100,000 messages into an empty database, in batches of 10,000.
func BenchmarkIngest100k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := benchService(b, filepath.Join(b.TempDir(), "ingest.db"))
		b.StartTimer()
		ingestN(b, s, 100_000)
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// millionDB opens the database of 1M messages, building it the first time into a file of
// its own and renaming it into place, so a run cut short or a package benchmarked at the
// same time (ui builds the same file) never sees half a database.
func millionDB(b *testing.B) *inbox.Service {
	path := filepath.Join(os.TempDir(), benchDBName)
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		b.Logf("building %s (1,000,000 messages, once)", path)
		s := benchService(b, tmp)
		ingestN(b, s, 1_000_000)
		if err := s.DB().Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	return benchService(b, path)
}

// BenchmarkQueuePage1M fetches one 50-row page of the Inbox view at 1M messages: the
// first page, and a page 200,000 conversations deep reached by its key.
func BenchmarkQueuePage1M(b *testing.B) {
	s := millionDB(b)
	ctx := context.Background()
	inboxView := inbox.BuiltinViews[0]
	all := inbox.View{Name: "All"}
	// Find a deep key by walking the keys cheaply once.
	deep := deepKey(b, s, all, 200_000)
	for _, c := range []struct {
		name string
		p    inbox.QueuePage
	}{
		{"inbox/first", inbox.QueuePage{View: inboxView, Limit: 50}},
		{"all/first", inbox.QueuePage{View: all, Limit: 50}},
		{"all/deep", inbox.QueuePage{View: all, After: &deep, Limit: 50}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := s.Queue(ctx, c.p)
				if err != nil || len(rows) == 0 {
					b.Fatal(err, len(rows))
				}
			}
		})
	}
}

func deepKey(b *testing.B, s *inbox.Service, v inbox.View, depth int) inbox.QueueKey {
	var key *inbox.QueueKey
	for seen := 0; seen < depth; {
		rows, err := s.Queue(context.Background(), inbox.QueuePage{View: v, After: key, Limit: 1000})
		if err != nil || len(rows) == 0 {
			b.Fatalf("walking to depth %d: %v after %d", depth, err, seen)
		}
		k := rows[len(rows)-1].Key
		key = &k
		seen += len(rows)
	}
	return *key
}

// BenchmarkStats1M computes stats over all 1M messages (60 days), and over the last 7 days
// grouped by channel.
func BenchmarkStats1M(b *testing.B) {
	s := millionDB(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		req  inbox.StatsRequest
	}{
		{"all-60d", inbox.StatsRequest{Since: benchEnd.Add(-61 * 24 * time.Hour), Until: benchEnd}},
		{"7d-by-channel", inbox.StatsRequest{Since: benchEnd.Add(-7 * 24 * time.Hour), Until: benchEnd, By: "channel"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				st, err := s.Stats(ctx, c.req)
				if err != nil || st.Inbound == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}
