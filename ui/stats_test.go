package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// openStats makes a stats screen of size w×h over c and runs its first load.
func openStats(t *testing.T, c *Common, w, h int) *statsScreen {
	t.Helper()
	s := newStatsScreen(c)
	s.SetSize(w, h)
	runCmd(t, s.Init(), statsUpdate(s))
	return s
}

// statsUpdate feeds messages to s the way the root model would.
func statsUpdate(s *statsScreen) func(tea.Msg) tea.Cmd {
	return func(msg tea.Msg) tea.Cmd {
		_, cmd := s.Update(msg)
		return cmd
	}
}

// rowOf is the first line of view whose text starts with prefix.
func rowOf(view, prefix string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return l
		}
	}
	return ""
}

func TestStatsSevenDaysMatchInbox(t *testing.T) {
	c := demoCommon(t)
	s := openStats(t, c, 120, 35)
	view := plain(s.View())
	t.Logf("stats at 120×35:\n%s", view)

	until := c.Now()
	want, err := c.Inbox.Stats(c.Ctx, inbox.StatsRequest{Since: until.Add(-7 * 24 * time.Hour), Until: until, By: "channel"})
	if err != nil {
		t.Fatal(err)
	}
	if want.Inbound == 0 || len(want.Groups) < 2 {
		t.Fatalf("demo inbox has too little in 7 days to test: %+v", want.Figures)
	}
	for _, s := range []string{
		"Stats · Last 7 days", "Nov 13 15:30 → Nov 20 15:30",
		"Inbound " + itoa(want.Inbound),
		"Answered " + itoa(want.Answered),
		"Unanswered " + itoa(want.Unanswered),
		"Median FRT " + frt(want.FirstResponseSeconds, median),
		"p90 FRT " + frt(want.FirstResponseSeconds, p90),
		"In SLA " + pctText(want.WithinSLAPct),
		"Escalated " + itoa(want.Escalated),
	} {
		if !strings.Contains(view, s) {
			t.Errorf("view lacks %q", s)
		}
	}
	for _, g := range want.Groups {
		row := rowOf(view, g.Key+" ")
		f := strings.Fields(row)
		if len(f) < 3 || f[1] != itoa(g.Inbound) || f[2] != itoa(g.Answered) {
			t.Errorf("row of %s is %q, want inbound %d, answered %d", g.Key, row, g.Inbound, g.Answered)
		}
		if median := frt(g.FirstResponseSeconds, median); !strings.Contains(row, " "+median+" ") {
			t.Errorf("row of %s is %q, want median %s", g.Key, row, median)
		}
	}
}

func TestStatsWindowKeys(t *testing.T) {
	c := demoCommon(t)
	s := openStats(t, c, 120, 35)
	steps := []struct {
		key, label, span string
	}{
		{"3", "Last 30 days", "Oct 21 16:30 WEST → Nov 20 15:30 WET"}, // 720h back, across the end of summer time
		{"tab", "Today", "Nov 20 00:00 → Nov 20 15:30"},
		{"tab", "Last 7 days", "Nov 13 15:30 → Nov 20 15:30"},
		{"shift+tab", "Today", "Nov 20 00:00 → Nov 20 15:30"},
		{"2", "Last 7 days", "Nov 13 15:30 → Nov 20 15:30"},
	}
	for _, st := range steps {
		_, cmd := s.Update(press(st.key))
		if cmd == nil {
			t.Fatalf("%s: no load", st.key)
		}
		runCmd(t, cmd, statsUpdate(s))
		view := plain(s.View())
		if testing.Verbose() && st.key == "3" {
			t.Logf("30 days at 120×35:\n%s", view)
		}
		if head := strings.Split(view, "\n")[0]; !strings.Contains(head, "Stats · "+st.label+"  ") || !strings.Contains(head, st.span) {
			t.Errorf("after %s: header %q, want %q and %q", st.key, head, st.label, st.span)
		}
	}

	// A result that arrives after another window was chosen is dropped.
	_, slow := s.Update(press("3"))
	_, fast := s.Update(press("1"))
	runCmd(t, fast, statsUpdate(s))
	runCmd(t, slow, statsUpdate(s))
	if head := strings.Split(plain(s.View()), "\n")[0]; !strings.Contains(head, "Today") || s.data.window != 0 {
		t.Errorf("a stale load replaced the current window: %q", head)
	}
	if len(s.ShortHelp()) == 0 {
		t.Error("no help keys")
	}
}

func TestStatsChartsAndOldest(t *testing.T) {
	c := demoCommon(t)
	s := openStats(t, c, 120, 35)
	view := plain(s.View())
	f := s.data.channels.Figures

	if !strings.Contains(view, "First response time  "+itoa(f.Answered)+" answered") {
		t.Errorf("no histogram title")
	}
	full := false
	for i, label := range inbox.FRTBucketLabels {
		row := view[strings.Index(view, label+" "):] // beside the table, or below it
		row = row[:strings.Index(row, "\n")]
		if !strings.HasSuffix(strings.TrimSpace(row), " "+itoa(f.FRTBuckets[i])) {
			t.Errorf("histogram row %s = %q, want count %d", label, row, f.FRTBuckets[i])
		}
		full = full || strings.Contains(row, "████")
	}
	if !full {
		t.Error("no histogram bar is drawn")
	}

	// 7 days from 15:30 touch 8 calendar days; every one has a cell, empty days too.
	if len(s.data.days) != 8 {
		t.Errorf("%d days, want 8", len(s.data.days))
	}
	// At 120 columns, with a dozen channels, the sparklines sit beside the table, under
	// the histogram, every day of the window there, their range as "lo–hi".
	for _, name := range []string{"inbound", "median"} {
		row := ""
		for _, l := range strings.Split(view, "\n") {
			if i := strings.Index(l, "    "+name+"  "); i >= 0 && strings.ContainsAny(l, "▁▂▃▄▅▆▇█") {
				row = l[i+4:]
			}
		}
		if n := strings.Count(row, "▁") + strings.Count(row, "▂") + strings.Count(row, "▃") + strings.Count(row, "▄") +
			strings.Count(row, "▅") + strings.Count(row, "▆") + strings.Count(row, "▇") + strings.Count(row, "█"); n != 8 || !strings.Contains(row, "–") {
			t.Errorf("sparkline %s = %q, want 8 days and a range", name, row)
		}
		if !strings.Contains(row, "█") {
			t.Errorf("sparkline %s has no full block for its largest day: %q", name, row)
		}
	}
	if !strings.Contains(view, "Daily  Nov 13 – Nov 20") {
		t.Error("sparklines do not name their days")
	}

	oldest, err := c.Inbox.OldestUnanswered(context.Background(), 5)
	if err != nil || len(oldest) == 0 {
		t.Fatalf("demo inbox has nothing waiting: %v", err)
	}
	if !strings.Contains(view, "Oldest unanswered") || !strings.Contains(view, Safe(oldest[0].AuthorName)) {
		t.Errorf("oldest list lacks %q", oldest[0].AuthorName)
	}
}

func TestStatsFitsTheScreen(t *testing.T) {
	c := demoCommon(t)
	s := openStats(t, c, 120, 35)
	for _, size := range [][2]int{{60, 15}, {60, 12}, {120, 35}, {80, 24}, {100, 30}, {200, 12}, {40, 8}, {20, 3}} {
		w, h := size[0], size[1]
		s.SetSize(w, h)
		view := s.View()
		lines := strings.Split(view, "\n")
		if len(lines) > h {
			t.Errorf("%d×%d: %d lines", w, h, len(lines))
		}
		for i, l := range lines {
			if n := ansi.StringWidth(l); n > w {
				t.Errorf("%d×%d: line %d is %d wide: %q", w, h, i, n, ansi.Strip(l))
			}
		}
		p := plain(view)
		if testing.Verbose() && w != 120 {
			t.Logf("stats at %d×%d:\n%s", w, h, p)
		}
		if w == 60 && h == 12 && !strings.Contains(p, "more channels") {
			t.Errorf("60×12: the table is not cut with a note of what is left out:\n%s", p)
		}
		if w == 60 {
			if !strings.Contains(p, "Inbound ") || !strings.Contains(p, "Median FRT ") || rowOf(p, "channel ") == "" {
				t.Errorf("60×15 lacks the overall figures or the table:\n%s", p)
			}
			if g := s.data.channels.Groups[0]; rowOf(p, g.Key+" ") == "" {
				t.Errorf("60×15 lacks the busiest channel %s", g.Key)
			}
		}
	}
}

// TestStatsSanitizesOutsideText: names and texts from a channel cannot drive the terminal.
func TestStatsSanitizesOutsideText(t *testing.T) {
	c := emptyCommon(t, "")
	msg := inbox.Message{Channel: "instagram", Account: "@acme", ID: "1", Conversation: "post:1", Kind: inbox.KindComment,
		Author: &inbox.Author{ID: "u1", Handle: "@ev\x1b]52;c;Zm9v\x07il", Name: "Eve\u202e\x1b[2J Liar"},
		Text:   "hi\x1b]8;;http://x\x07there\x07", CreatedAt: testNow.Add(-2 * time.Hour)}
	if _, err := c.Inbox.IngestMessages(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	s := openStats(t, c, 120, 35)
	view := s.View()
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\u202e", "\x07"} {
		if strings.Contains(view, bad) {
			t.Errorf("view contains %q", bad)
		}
	}
	if p := plain(view); !strings.Contains(p, "Eve Liar") || !strings.Contains(p, "hithere") {
		t.Errorf("sanitized author or text missing:\n%s", p)
	}
}

// With nothing to measure the screen says so: no figure shows as 0.0% or 0s.
func TestStatsWithNothingToMeasure(t *testing.T) {
	c := emptyCommon(t, "")
	for _, size := range [][2]int{{120, 35}, {80, 24}} {
		s := openStats(t, c, size[0], size[1])
		view := plain(s.View())
		t.Logf("empty inbox at %d×%d:\n%s", size[0], size[1], view)
		for _, want := range []string{"Inbound 0", "Median FRT —", "p90 FRT —", "In SLA —", "No messages in this window.", "No answers in this window",
			"Nothing waiting"} {
			if !strings.Contains(view, want) {
				t.Errorf("%d×%d: view lacks %q", size[0], size[1], want)
			}
		}
		if strings.Contains(view, "0.0%") || strings.Contains(view, "0s") {
			t.Errorf("%d×%d: a figure with nothing to measure shows as zero:\n%s", size[0], size[1], view)
		}
	}
}
