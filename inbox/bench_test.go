package inbox_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/benchdb"
)

// The benchmarks run on synthetic messages (adapters/synth) through internal/benchdb,
// in the external test package so they may import packages that import inbox.

// BenchmarkIngest100k ingests 100,000 messages into an empty database, in batches of 10,000.
func BenchmarkIngest100k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := benchdb.Open(b, filepath.Join(b.TempDir(), "ingest.db"))
		b.StartTimer()
		benchdb.Ingest(b, s, 100_000)
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// onEngines runs fn as a sub-benchmark per engine (sqlite, postgres); PostgreSQL's are
// skipped, with the reason, where pgtest cannot start a cluster.
func onEngines(b *testing.B, fn func(b *testing.B, engine string)) {
	for _, e := range benchdb.Engines {
		b.Run(e, func(b *testing.B) { fn(b, e) })
	}
}

// BenchmarkBulkImport100k imports 100,000 messages into an empty database as `triage
// import` does: one transaction, a bulk load (on PostgreSQL, COPY), messages prepared on
// another goroutine.
func BenchmarkBulkImport100k(b *testing.B) {
	onEngines(b, func(b *testing.B, engine string) {
		for b.Loop() {
			b.StopTimer()
			s := benchdb.Open(b, emptyOn(b, engine))
			b.StartTimer()
			if _, err := benchdb.BulkImport(context.Background(), s, 100_000); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// BenchmarkQueuePage1M fetches one 50-row page of the Inbox view at 1M messages: the
// first page, and a page 200,000 conversations deep reached by its key.
func BenchmarkQueuePage1M(b *testing.B) { onEngines(b, queuePage1M) }

func queuePage1M(b *testing.B, engine string) {
	s := benchdb.SizedOn(b, engine, 1_000_000)
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

// BenchmarkStats1M computes stats over all 1M messages (60 days), over the last 30 days
// grouped by channel (`triage stats --since 30d --by channel`), and over the last 7 days
// grouped by channel.
func BenchmarkStats1M(b *testing.B) { onEngines(b, stats1M) }

func stats1M(b *testing.B, engine string) {
	s := benchdb.SizedOn(b, engine, 1_000_000)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		req  inbox.StatsRequest
	}{
		{"all-60d", inbox.StatsRequest{Since: benchdb.End.Add(-61 * 24 * time.Hour), Until: benchdb.End}},
		{"30d-by-channel", inbox.StatsRequest{Since: benchdb.End.Add(-30 * 24 * time.Hour), Until: benchdb.End, By: "channel"}},
		{"7d-by-channel", inbox.StatsRequest{Since: benchdb.End.Add(-7 * 24 * time.Hour), Until: benchdb.End, By: "channel"}},
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

// BenchmarkSearchAsYouType is one keystroke of search at 10k, 100k and 1M messages: what
// the queue does for each character typed after "/": the first page of the view and its
// count up to LiveCountLimit, one after the other (the queue runs them side by side),
// with the last word matched as a prefix. Each sub-benchmark is one text as it stands
// after a keystroke.
func BenchmarkSearchAsYouType(b *testing.B) {
	onEngines(b, func(b *testing.B, engine string) {
		for _, size := range []struct {
			name string
			n    int
		}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}} {
			b.Run(size.name, func(b *testing.B) { searchAsYouType(b, benchdb.SizedOn(b, engine, size.n)) })
		}
	})
}

func searchAsYouType(b *testing.B, s *inbox.Service) {
	ctx := context.Background()
	for _, view := range []inbox.View{inbox.BuiltinViews[0], {Name: "All"}} {
		for _, typed := range []string{"r", "re", "ref", "refund", "where is my", "kettle broke", "zzzq"} {
			b.Run(view.Name+"/"+typed, func(b *testing.B) {
				for b.Loop() {
					s.DB().ForgetTextPlans() // each keystroke is a new query
					if _, err := s.Queue(ctx, inbox.QueuePage{View: view, Query: typed, Live: true, Limit: 50}); err != nil {
						b.Fatal(err)
					}
					if _, err := s.CountUpTo(ctx, view, typed, true, inbox.LiveCountLimit); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
