package ui

import (
	"context"
	"math"
	"slices"
	"sync"
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

// BenchmarkKeypress1M measures moving through the Inbox view of 1M messages, one op being
// one key: j walking down from the top and k walking up from the bottom (a page about
// every hundred keys, so 2,000 keys cross twenty and the window is cut as it slides), j
// and k in turn (never a page), and pgdown and pgup, half a screen a key (a page every
// seven keys).
//
// The program's loop is played as Bubble Tea plays it: a key is Update and View, the
// commands it returns run on goroutines of their own meanwhile, and each answer is a turn
// of the loop of its own (Update and View again): the queue's ask for a page, then the
// page. Keys come at a person's pace, so every page asked for lands before the next key:
// the benchmark waits for it untimed and times the turns it brings. ns/op is the loop's
// time per key, those turns included; reading pages is not, as it is not on the loop.
//
// Reported besides: p50-ns, p99-ns and max-ns of keys; land-p99-ns and land-max-ns of
// the turns that answers bring, and loop-p99-ns of keys and those turns together (what a
// key can wait behind); fetch-ns, the mean time a page takes to read, off the loop;
// fetches/op; and short/op, keys that moved the cursor less than asked because the
// window ended before the view did (a page was not there yet).
func BenchmarkKeypress1M(b *testing.B) {
	svc := benchdb.Million(b)
	j, k := press("j"), press("k")
	pgdown, pgup := tea.KeyPressMsg{Code: tea.KeyPgDown}, tea.KeyPressMsg{Code: tea.KeyPgUp}
	top, bottom := press("g"), press("G")
	half := 0 // rows a half-page key moves, known once a model is sized
	cases := []struct {
		name  string
		start tea.KeyPressMsg // where to start, and start again when the view ends
		key   func(i int) (tea.KeyPressMsg, int)
	}{
		{"j", top, func(int) (tea.KeyPressMsg, int) { return j, 1 }},
		{"k", bottom, func(int) (tea.KeyPressMsg, int) { return k, -1 }},
		{"jk", top, func(i int) (tea.KeyPressMsg, int) {
			if i%2 == 0 {
				return j, 1
			}
			return k, -1
		}},
		{"pgdown", top, func(int) (tea.KeyPressMsg, int) { return pgdown, half }},
		{"pgup", bottom, func(int) (tea.KeyPressMsg, int) { return pgup, -half }},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			d := &driver{b: b, m: benchModel(b, svc), msgs: make(chan tea.Msg, 1024)}
			half = max(d.m.queue.listHeight()/2, 1)
			d.restart(tc.start)
			d.measure(tc.start, tc.key)
		})
	}
}

// driver plays the program's loop over the model.
type driver struct {
	b       *testing.B
	m       *Model
	msgs    chan tea.Msg
	running sync.WaitGroup

	keys, landings []time.Duration
	short          int

	mu        sync.Mutex
	fetches   int
	fetchTook time.Duration
}

// start runs a command on a goroutine of its own, as Bubble Tea does; its answers wait
// in msgs for the loop.
func (d *driver) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.running.Add(1)
	go func() {
		defer d.running.Done()
		t0 := time.Now()
		msg := cmd()
		switch msg := msg.(type) {
		case nil, tickMsg:
		case tea.BatchMsg:
			for _, c := range msg {
				d.start(c)
			}
		case queueLoadedMsg:
			d.mu.Lock()
			d.fetches++
			d.fetchTook += time.Since(t0)
			d.mu.Unlock()
			d.msgs <- msg
		default:
			d.msgs <- msg
		}
	}()
}

// settle waits for every command and takes each answer as a turn of the loop, timed as a
// landing when timed.
func (d *driver) settle(timed bool) {
	for {
		d.running.Wait()
		if len(d.msgs) == 0 {
			return
		}
		for len(d.msgs) > 0 {
			msg := <-d.msgs
			t0 := time.Now()
			_, cmd := d.m.Update(msg)
			d.start(cmd)
			viewSink = d.m.View()
			if timed {
				d.landings = append(d.landings, time.Since(t0))
			}
		}
	}
}

// restart presses g or G and waits for the window to be there, untimed.
func (d *driver) restart(k tea.KeyPressMsg) {
	_, cmd := d.m.Update(k)
	d.start(cmd)
	d.settle(false)
	viewSink = d.m.View()
}

// measure presses b.N keys, key(i) naming the i-th and how many rows it should move.
func (d *driver) measure(startKey tea.KeyPressMsg, key func(i int) (tea.KeyPressMsg, int)) {
	b, q := d.b, d.m.queue
	d.fetches, d.fetchTook = 0, 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k, n := key(i)
		if (n > 0 && q.end && q.cursor == len(q.rows)-1) || (n < 0 && q.top && q.cursor == 0) {
			b.StopTimer()
			d.restart(startKey)
			b.StartTimer()
		}
		before := q.cursor
		t0 := time.Now()
		_, cmd := d.m.Update(k)
		d.start(cmd)
		viewSink = d.m.View()
		d.keys = append(d.keys, time.Since(t0))
		moved := q.cursor - before
		if (n > 0 && moved < n && !q.end) || (n < 0 && moved > n && !q.top) {
			d.short++
		}
		if cmd != nil {
			b.StopTimer() // the person's next key comes after the page, as it would
			d.settle(true)
			b.StartTimer()
		}
	}
	d.settle(false)
	d.report()
}

func (d *driver) report() {
	b := d.b
	all := append(slices.Clone(d.keys), d.landings...)
	slices.Sort(d.keys)
	slices.Sort(d.landings)
	slices.Sort(all)
	b.ReportMetric(float64(percentile(d.keys, 0.50)), "p50-ns")
	b.ReportMetric(float64(percentile(d.keys, 0.99)), "p99-ns")
	b.ReportMetric(float64(d.keys[len(d.keys)-1]), "max-ns")
	b.ReportMetric(float64(percentile(all, 0.99)), "loop-p99-ns")
	if len(d.landings) > 0 {
		b.ReportMetric(float64(percentile(d.landings, 0.99)), "land-p99-ns")
		b.ReportMetric(float64(d.landings[len(d.landings)-1]), "land-max-ns")
	}
	if d.fetches > 0 {
		b.ReportMetric(float64(d.fetchTook)/float64(d.fetches), "fetch-ns")
	}
	b.ReportMetric(float64(d.fetches)/float64(len(d.keys)), "fetches/op")
	b.ReportMetric(float64(d.short)/float64(len(d.keys)), "short/op")
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(float64(len(sorted))*p)) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
