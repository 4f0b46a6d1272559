package ui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// statsWindows are the windows the stats screen offers, in the order keys 1–3 reach them.
// A window of days ends now and starts that many 24h back, as `triage stats --since 7d`
// does; "today" starts at midnight in the inbox's time zone.
var statsWindows = []struct {
	label string
	days  int // 0 for today
}{{"Today", 0}, {"Last 7 days", 7}, {"Last 30 days", 30}}

// statsOldest is how many of the longest-waiting conversations the screen lists.
const statsOldest = 5

// slaGoalPct is the share of messages within SLA below which the figure shows as a miss.
const slaGoalPct = 90.0

// statsKeys are the stats screen's own bindings; esc (back) belongs to the root model.
type statsKeys struct {
	Today, Week, Month, Next, Prev key.Binding
}

func newStatsKeys() statsKeys {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return statsKeys{
		Today: b("1", "today", "1"),
		Week:  b("2", "7 days", "2"),
		Month: b("3", "30 days", "3"),
		Next:  b("tab", "next window", "tab"),
		Prev:  b("shift+tab", "previous window", "shift+tab"),
	}
}

// statsScreen shows response-time figures for a window: overall, per channel, a
// histogram of first response times, day-by-day sparklines and the oldest messages
// still waiting.
type statsScreen struct {
	c             *Common
	keys          statsKeys
	window        int  // index into statsWindows
	seq           int  // the latest load; older results are dropped
	loading       bool // a load is under way
	data          *statsData
	err           error
	width, height int
}

// statsData is everything one load reads, for one window.
type statsData struct {
	window       int
	since, until time.Time
	loc          *time.Location
	channels     inbox.Stats // grouped by channel
	agents       inbox.Stats // grouped by agent, with each one's workload (stats_agents.go)
	days         []statsDay
	oldest       []inbox.Waiting
}

// statsDay is one day of the sparklines; days without messages are zero.
type statsDay struct {
	date    time.Time
	inbound int
	median  float64 // seconds of first response, NaN when nothing was answered
}

// statsDataMsg brings the result of a load back to the screen.
type statsDataMsg struct {
	seq  int
	data *statsData
	err  error
}

// newStatsScreen makes the stats screen on the 7-day window; Init loads it.
func newStatsScreen(c *Common) *statsScreen {
	return &statsScreen{c: c, keys: newStatsKeys(), window: 1, width: c.Width, height: c.Height}
}

// Init loads the figures of the current window.
func (s *statsScreen) Init() tea.Cmd { return s.load() }

// SetSize sets the area the screen draws in.
func (s *statsScreen) SetSize(w, h int) { s.width, s.height = w, h }

// ShortHelp lists the keys that choose the window.
func (s *statsScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Today, s.keys.Week, s.keys.Month, s.keys.Next}
}

// Update switches windows on keys and takes in loaded figures.
func (s *statsScreen) Update(msg tea.Msg) (*statsScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case statsDataMsg:
		if msg.seq != s.seq {
			return s, nil // a window chosen since has its own load under way
		}
		s.loading = false
		if err := msg.err; err != nil {
			s.err = err
			return s, func() tea.Msg { return statusMsg{Text: "Could not load stats", Err: err} }
		}
		s.data, s.err = msg.data, nil
	case tea.KeyPressMsg:
		n := len(statsWindows)
		switch {
		case key.Matches(msg, s.keys.Today):
			return s, s.setWindow(0)
		case key.Matches(msg, s.keys.Week):
			return s, s.setWindow(1)
		case key.Matches(msg, s.keys.Month):
			return s, s.setWindow(2)
		case key.Matches(msg, s.keys.Next):
			return s, s.setWindow((s.window + 1) % n)
		case key.Matches(msg, s.keys.Prev):
			return s, s.setWindow((s.window + n - 1) % n)
		}
	}
	return s, nil
}

// setWindow chooses a window and loads it; choosing the current one again reloads it.
func (s *statsScreen) setWindow(i int) tea.Cmd {
	s.window = i
	return s.load()
}

// load returns the command that reads the window's figures. It captures values only, so
// it never touches the model from the command's goroutine.
func (s *statsScreen) load() tea.Cmd {
	s.seq++
	s.loading = true
	seq, window, svc, now := s.seq, s.window, s.c.Inbox, s.c.Now
	ctx := s.c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return func() tea.Msg {
		d, err := loadStats(ctx, svc, now(), window)
		return statsDataMsg{seq: seq, data: d, err: err}
	}
}

// loadStats reads the figures of a window ending at now: by channel for the window, by
// day for the sparklines (at least the last seven days, so "today" has a trend), and the
// oldest conversations still waiting.
func loadStats(ctx context.Context, svc *inbox.Service, now time.Time, window int) (*statsData, error) {
	loc := time.UTC // days are counted in the business hours' zone, as Stats does
	if tz := svc.Config().BusinessHours.Timezone; tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	d := &statsData{window: window, until: now, loc: loc}
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	daysSince := midnight.AddDate(0, 0, -6)
	if n := statsWindows[window].days; n > 0 {
		d.since = now.Add(-time.Duration(n) * 24 * time.Hour)
		daysSince = d.since
	} else {
		d.since = midnight
	}
	var err error
	d.channels, err = svc.Stats(ctx, inbox.StatsRequest{Since: d.since, Until: d.until, By: "channel"})
	if err != nil {
		return nil, fmt.Errorf("stats by channel: %w", err)
	}
	d.agents, err = svc.Stats(ctx, inbox.StatsRequest{Since: d.since, Until: d.until, By: "agent"})
	if err != nil {
		return nil, fmt.Errorf("stats by agent: %w", err)
	}
	daily, err := svc.Stats(ctx, inbox.StatsRequest{Since: daysSince, Until: d.until, By: "day"})
	if err != nil {
		return nil, fmt.Errorf("stats by day: %w", err)
	}
	byKey := map[string]inbox.Figures{}
	for _, g := range daily.Groups {
		byKey[g.Key] = g.Figures
	}
	first := daysSince.In(loc)
	last := d.until.Add(-time.Nanosecond).In(loc) // the window ends before until
	for day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc); !day.After(last); day = day.AddDate(0, 0, 1) {
		f := byKey[day.Format("2006-01-02")]
		sd := statsDay{date: day, inbound: f.Inbound, median: math.NaN()}
		if f.FirstResponseSeconds != nil {
			sd.median = f.FirstResponseSeconds.Median
		}
		d.days = append(d.days, sd)
	}
	if d.oldest, err = svc.OldestUnanswered(ctx, statsOldest); err != nil {
		return nil, fmt.Errorf("oldest unanswered: %w", err)
	}
	return d, nil
}

// View draws the screen in at most its width and height: the most important parts
// first (the window, the overall figures, the table), then what else fits.
func (s *statsScreen) View() string {
	w, h := s.width, s.height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := s.c.Styles
	blocks := []statsBlock{{lines: []string{s.header(w)}}}
	switch {
	case s.err != nil:
		blocks = append(blocks, statsBlock{lines: []string{st.Error.Render("Could not load stats: " + Safe(s.err.Error()))}})
	case s.data == nil:
		blocks = append(blocks, statsBlock{lines: []string{st.Faint.Render("Loading…")}})
	}
	if d := s.data; d != nil {
		blocks = append(blocks, statsBlock{lines: s.summary(d.channels.Figures, w), rank: 1})
		table := s.table(s.columns(), d.channels.Groups, w)
		cutTable := func(n int) []string {
			if n >= len(table) {
				return table
			}
			return append(table[:n-1:n-1], st.Faint.Render(fmt.Sprintf("… %d more channels", len(table)-n+1)))
		}
		hist, spark, agents := s.histogram(d.channels.Figures, w), s.sparklines(d.days, w), s.agentBlock(d.agents.Groups, w)
		tableW := s.tableWidth(w)
		if side := w - tableW - 4; w >= 100 && side >= 36 {
			// Wide: the histogram beside the table, and the sparklines under it when the
			// table is long enough (a dozen channels), else below in full width.
			hist = s.histogram(d.channels.Figures, side)
			if narrow := s.sparklines(d.days, side); len(narrow) > 0 && len(hist)+1+len(narrow) <= len(table) {
				hist, spark = append(append(hist, ""), narrow...), nil
			}
			joined := func(n int) []string { return joinColumns(cutTable(n), tableW, hist[:min(n, len(hist))], 4) }
			blocks = append(blocks,
				statsBlock{lines: joined(max(len(table), len(hist))), rank: 2, min: 3, cutTo: joined},
				agents,
				statsBlock{lines: spark, rank: 4},
				statsBlock{lines: s.oldest(d.oldest, w), rank: 3})
		} else {
			blocks = append(blocks,
				statsBlock{lines: table, rank: 2, min: 3, cutTo: cutTable},
				agents,
				statsBlock{lines: hist, rank: 4},
				statsBlock{lines: spark, rank: 5},
				statsBlock{lines: s.oldest(d.oldest, w), rank: 3})
		}
	}
	lines := fitBlocks(blocks, h)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}

// oldest lists the conversations waiting longest for a reply: how long, where, how
// they stand against their SLA, who wrote and what.
func (s *statsScreen) oldest(list []inbox.Waiting, w int) []string {
	st := s.c.Styles
	lines := []string{st.Header.Render("Oldest unanswered")}
	if len(list) == 0 {
		return append(lines, st.Faint.Render("Nothing waiting: every message has an answer."))
	}
	now := s.c.Now()
	authorW := min(28, max(12, w/5))
	for _, m := range list {
		kind, ok := kindShort[string(m.Kind)]
		if !ok {
			kind = Safe(string(m.Kind))
		}
		left := m.Due.Sub(now)
		badge, style := "due in "+shortAge(left), st.OnTime
		switch {
		case left <= 0:
			badge, style = "overdue "+shortAge(-left), st.Overdue
		case left < 30*time.Minute:
			style = st.DueSoon
		}
		author := st.Bold.Render(Safe(m.AuthorName))
		if m.AuthorName == "" {
			author = st.Bold.Render(Safe(m.AuthorHandle))
		} else if m.AuthorHandle != "" && m.AuthorHandle != m.AuthorName {
			// YouTube's name is the @handle: said once.
			author += " " + st.Faint.Render(Safe(m.AuthorHandle))
		}
		lines = append(lines, strings.Join([]string{
			padLeft(shortAge(m.Age(now)), 4),
			st.Channel(m.Channel).Render(pad(ChannelTag(m.Channel), 2)),
			st.Faint.Render(pad(kind, 4)),
			style.Render(pad(badge, 12)),
			pad(author, authorW),
			Safe(m.Excerpt),
		}, " "))
	}
	return lines
}

// header names the window and its span, and says when a load is under way.
func (s *statsScreen) header(w int) string {
	st := s.c.Styles
	label := statsWindows[s.window].label
	out := st.HeaderView.Render("Stats") + st.Faint.Render(" · ") + st.Header.Render(label)
	if s.loading && s.data != nil {
		out += st.Faint.Render("  loading…")
	}
	if d := s.data; d != nil && d.window == s.window {
		since, until := d.since.In(d.loc), d.until.In(d.loc)
		from := since.Format("Jan 2 15:04")
		if a, b := since.Format("MST"), until.Format("MST"); a != b {
			from += " " + a // the window spans a change of clocks
		}
		for _, span := range []string{
			from + " → " + until.Format("Jan 2 15:04 MST"),
			"since " + since.Format("Jan 2 15:04"),
		} {
			if ansi.StringWidth(out)+2+ansi.StringWidth(span) <= w {
				return out + "  " + st.Faint.Render(span)
			}
		}
	}
	return out
}

// summary is the window's overall figures, wrapped to the width between figures.
func (s *statsScreen) summary(f inbox.Figures, w int) []string {
	st := s.c.Styles
	item := func(label, value string) string { return st.Faint.Render(label+" ") + st.Bold.Render(value) }
	items := []string{
		item("Inbound", itoa(f.Inbound)),
		item("Answered", itoa(f.Answered)),
		item("Unanswered", itoa(f.Unanswered)),
		item("Median FRT", frt(f.FirstResponseSeconds, median)),
		item("p90 FRT", frt(f.FirstResponseSeconds, p90)),
		st.Faint.Render("In SLA ") + s.slaStyle(f).Render(pctText(f.WithinSLAPct)),
		item("Escalated", itoa(f.Escalated)),
	}
	var lines []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case ansi.StringWidth(line)+3+ansi.StringWidth(it) <= w:
			line += st.Faint.Render(" · ") + it
		default:
			lines = append(lines, line)
			line = it
		}
	}
	return append(lines, line)
}

// slaStyle colours a share within SLA: a miss under the goal, good at or above it.
func (s *statsScreen) slaStyle(f inbox.Figures) lipgloss.Style {
	switch {
	case f.WithinSLAPct == nil:
		return s.c.Styles.Faint
	case *f.WithinSLAPct < slaGoalPct:
		return s.c.Styles.Overdue
	}
	return s.c.Styles.OnTime
}

// statsColumn is a column of the channel table; rank says which columns stay when the
// width is short (lowest first), whatever their place.
type statsColumn struct {
	head  string
	rank  int
	left  bool
	cell  func(g inbox.Group) string
	style func(g inbox.Group) lipgloss.Style
}

func (s *statsScreen) columns() []statsColumn {
	st := s.c.Styles
	plainStyle := func(inbox.Group) lipgloss.Style { return st.App }
	return []statsColumn{
		{head: "channel", rank: 0, left: true, cell: func(g inbox.Group) string { return ansi.Truncate(Safe(g.Key), 12, "…") },
			style: func(g inbox.Group) lipgloss.Style { return st.Channel(g.Key) }},
		{head: "inbound", rank: 1, cell: func(g inbox.Group) string { return itoa(g.Inbound) }, style: plainStyle},
		{head: "answered", rank: 5, cell: func(g inbox.Group) string { return itoa(g.Answered) }, style: plainStyle},
		{head: "unanswered", rank: 4, cell: func(g inbox.Group) string { return itoa(g.Unanswered) }, style: plainStyle},
		{head: "median", rank: 2, cell: func(g inbox.Group) string { return frt(g.FirstResponseSeconds, median) }, style: plainStyle},
		{head: "p90", rank: 6, cell: func(g inbox.Group) string { return frt(g.FirstResponseSeconds, p90) }, style: plainStyle},
		{head: "in SLA", rank: 3, cell: func(g inbox.Group) string { return pctText(g.WithinSLAPct) },
			style: func(g inbox.Group) lipgloss.Style { return s.slaStyle(g.Figures) }},
		{head: "escalated", rank: 7, cell: func(g inbox.Group) string { return itoa(g.Escalated) }, style: plainStyle},
	}
}

// tableLayout picks the columns of cols that fit in w, with their widths.
func (s *statsScreen) tableLayout(cols []statsColumn, groups []inbox.Group, w int) ([]statsColumn, []int) {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = ansi.StringWidth(c.head)
		for _, g := range groups {
			widths[i] = max(widths[i], ansi.StringWidth(c.cell(g)))
		}
	}
	for keep := len(cols); keep > 0; keep-- {
		var outC []statsColumn
		var outW []int
		total := -2
		for i, c := range cols {
			if c.rank < keep {
				outC, outW = append(outC, c), append(outW, widths[i])
				total += widths[i] + 2
			}
		}
		if total <= w || keep == 1 {
			return outC, outW
		}
	}
	return nil, nil
}

// tableWidth is how wide the table draws in at most w cells.
func (s *statsScreen) tableWidth(w int) int {
	if s.data == nil {
		return 0
	}
	_, widths := s.tableLayout(s.columns(), s.data.channels.Groups, w)
	total := -2
	for _, cw := range widths {
		total += cw + 2
	}
	return max(total, 0)
}

// table is one row per group (a channel, an agent), busiest first, under a header.
func (s *statsScreen) table(all []statsColumn, groups []inbox.Group, w int) []string {
	st := s.c.Styles
	if len(groups) == 0 {
		return []string{st.Faint.Render("No messages in this window.")}
	}
	cols, widths := s.tableLayout(all, groups, w)
	align := func(c statsColumn, text string, cw int) string {
		if c.left {
			return pad(text, cw)
		}
		return padLeft(text, cw)
	}
	var head []string
	for i, c := range cols {
		head = append(head, st.Header.Render(align(c, c.head, widths[i])))
	}
	lines := []string{strings.Join(head, "  ")}
	for _, g := range groups {
		var cells []string
		for i, c := range cols {
			cells = append(cells, c.style(g).Render(align(c, c.cell(g), widths[i])))
		}
		lines = append(lines, strings.Join(cells, "  "))
	}
	return lines
}
