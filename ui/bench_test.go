package ui

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/benchdb"
)

// benchModel is the root model over the 1M inbox at 120×35 with its first page loaded.
func benchModel(b *testing.B, svc *inbox.Service) *Model {
	now := func() time.Time { return benchdb.End }
	c := &Common{Ctx: context.Background(), Inbox: svc, Styles: NewStyles(true), Keys: DefaultKeyMap(), Now: now}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	runCmd(b, m.Init(), func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd })
	if len(m.queue.rows) == 0 || m.queue.count == 0 {
		b.Fatalf("the first page did not load: %d rows, count %d, err %v", len(m.queue.rows), m.queue.count, m.queue.err)
	}
	return m
}

var viewSink tea.View

// keypress is what one key costs the person at the keyboard: Update, the command it
// returns run to the end (a page fetch when the cursor nears the window's edge), and
// drawing the screen. It reports whether a command ran.
func keypress(b *testing.B, m *Model, k tea.KeyPressMsg) bool {
	_, cmd := m.Update(k)
	if cmd != nil {
		runCmd(b, cmd, func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd })
	}
	viewSink = m.View()
	return cmd != nil
}

// BenchmarkKeypress1M measures moving through the Inbox view of 1M messages, one op being
// one key: j walking down (a fetch about every hundred keys), j and k in turn (never a
// fetch), and walks of 10,000 rows, each started again from the top (untimed).
// Besides ns/op it reports the 99th percentile and the slowest key, and for the walks
// how many keys fetched a page and what those keys cost.
func BenchmarkKeypress1M(b *testing.B) {
	svc := benchdb.Million(b)
	j, k := press("j"), press("k")
	b.Run("j", func(b *testing.B) {
		m := benchModel(b, svc)
		measure(b, func(int) (tea.KeyPressMsg, bool) { return j, false }, m)
	})
	b.Run("jk", func(b *testing.B) {
		m := benchModel(b, svc)
		measure(b, func(i int) (tea.KeyPressMsg, bool) {
			if i%2 == 0 {
				return j, false
			}
			return k, false
		}, m)
	})
	b.Run("down10k", func(b *testing.B) {
		m := benchModel(b, svc)
		measure(b, func(i int) (tea.KeyPressMsg, bool) { return j, i > 0 && i%10_000 == 0 }, m)
	})
}

// measure presses b.N keys, key(i) naming the i-th and whether to go back to the top first.
func measure(b *testing.B, key func(i int) (tea.KeyPressMsg, bool), m *Model) {
	b.ReportAllocs()
	var took, fetchTook []time.Duration
	for i := 0; b.Loop(); i++ {
		k, restart := key(i)
		if restart || (m.queue.end && m.queue.cursor == len(m.queue.rows)-1) {
			b.StopTimer()
			keypress(b, m, press("g"))
			b.StartTimer()
		}
		t0 := time.Now()
		fetched := keypress(b, m, k)
		d := time.Since(t0)
		took = append(took, d)
		if fetched {
			fetchTook = append(fetchTook, d)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(percentile(took, 0.99)), "p99-ns")
	b.ReportMetric(float64(took[len(took)-1]), "max-ns")
	if len(fetchTook) > 0 {
		var sum time.Duration
		for _, d := range fetchTook {
			sum += d
		}
		b.ReportMetric(float64(len(fetchTook))/float64(len(took)), "fetches/op")
		b.ReportMetric(float64(sum)/float64(len(fetchTook)), "fetch-key-ns")
	}
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(float64(len(sorted))*p)) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
