package inbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/triage-inbox/triage/store"
)

var benchChannels = []string{"x", "instagram", "facebook", "reddit", "mastodon", "bluesky", "email"}

var benchTexts = []string{
	"Where is my order? It has been two weeks",
	"Love the new grinder, best purchase this year ❤️",
	"My kettle arrived broken, I want a refund",
	"Do you ship to Canada?",
	"The app keeps crashing when I pay, please fix",
	"Can I change the size of my order before it ships?",
	"Still waiting for an answer, this is getting ridiculous",
	"Thanks for the quick help yesterday!",
	"コーヒーミルはいつ入荷しますか？",
	"¿Tienen tienda física en Madrid?",
}

// genMessages produces n messages deterministically: threads of one to four inbound
// messages, about 70% of them answered minutes to days later, spread over 60 days.
func genMessages(n int, seed uint64, end time.Time, fn func(Message)) {
	r := rand.New(rand.NewPCG(seed, 7))
	start := end.Add(-60 * 24 * time.Hour)
	span := end.Sub(start)
	for i := 0; i < n; {
		ch := benchChannels[r.IntN(len(benchChannels))]
		kind := KindComment
		if ch == "email" {
			kind = KindEmail
		} else if r.IntN(4) == 0 {
			kind = KindDM
		}
		conv := fmt.Sprintf("c%d", i)
		author := &Author{ID: fmt.Sprint(r.IntN(50000)), Handle: fmt.Sprintf("@user%d", r.IntN(50000)), Name: "Customer"}
		t := start.Add(time.Duration(r.Int64N(int64(span))))
		for k := 1 + r.IntN(4); k > 0 && i < n; k-- {
			fn(Message{Channel: ch, Account: "@acme", ID: fmt.Sprint(i), Conversation: conv, Kind: kind, Author: author,
				Text: benchTexts[r.IntN(len(benchTexts))], CreatedAt: t})
			i++
			t = t.Add(time.Duration(r.IntN(3600)) * time.Second)
		}
		if r.IntN(10) < 7 && i < n {
			t = t.Add(time.Duration(r.ExpFloat64()*7200) * time.Second)
			fn(Message{Channel: ch, Account: "@acme", ID: fmt.Sprint(i), Conversation: conv, Kind: kind, Direction: Out,
				Agent: []string{"maria", "dev", "sam"}[r.IntN(3)], Text: "Thanks for writing, we are on it", CreatedAt: t})
			i++
		}
	}
}

var benchEnd = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func ingestN(b *testing.B, s *Service, n int) {
	b.Helper()
	const batch = 10000
	var buf []Message
	flush := func() {
		if _, err := s.IngestMessages(context.Background(), buf...); err != nil {
			b.Fatal(err)
		}
		buf = buf[:0]
	}
	genMessages(n, 1, benchEnd, func(m Message) {
		buf = append(buf, m)
		if len(buf) == batch {
			flush()
		}
	})
	flush()
}

func benchService(b *testing.B, path string) *Service {
	b.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := New(context.Background(), db, nil, WithClock(func() time.Time { return benchEnd }), WithAgent("maria"))
	if err != nil {
		b.Fatal(err)
	}
	return s
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

// millionDB builds (once, then reuses from the temp folder) a database of 1M messages.
func millionDB(b *testing.B) *Service {
	path := filepath.Join(os.TempDir(), "triage-bench-1m-v1.db")
	if _, err := os.Stat(path + ".ok"); err != nil {
		os.Remove(path)
		b.Logf("building %s (1,000,000 messages, once)", path)
		s := benchService(b, path)
		ingestN(b, s, 1_000_000)
		s.DB().Close()
		os.WriteFile(path+".ok", nil, 0o600)
	}
	return benchService(b, path)
}

// BenchmarkQueuePage1M fetches one 50-row page of the Inbox view at 1M messages: the
// first page, and a page 200,000 conversations deep reached by its key.
func BenchmarkQueuePage1M(b *testing.B) {
	s := millionDB(b)
	ctx := context.Background()
	inbox := BuiltinViews[0]
	all := View{Name: "All"}
	// Find a deep key by walking the keys cheaply once.
	deep := deepKey(b, s, all, 200_000)
	for _, c := range []struct {
		name string
		p    QueuePage
	}{
		{"inbox/first", QueuePage{View: inbox, Limit: 50}},
		{"all/first", QueuePage{View: all, Limit: 50}},
		{"all/deep", QueuePage{View: all, After: &deep, Limit: 50}},
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

func deepKey(b *testing.B, s *Service, v View, depth int) QueueKey {
	var key *QueueKey
	for seen := 0; seen < depth; {
		rows, err := s.Queue(context.Background(), QueuePage{View: v, After: key, Limit: 1000})
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
		req  StatsRequest
	}{
		{"all-60d", StatsRequest{Since: benchEnd.Add(-61 * 24 * time.Hour), Until: benchEnd}},
		{"7d-by-channel", StatsRequest{Since: benchEnd.Add(-7 * 24 * time.Hour), Until: benchEnd, By: "channel"}},
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
