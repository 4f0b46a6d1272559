package ui

import (
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

const (
	pageSize  = 100 // rows fetched at a time
	maxWindow = 400 // rows held at most; the queue itself may hold millions
	lookahead = 10  // fetch more when the cursor gets this close to an edge
)

// queueScreen is the list of conversations of one view. It holds a window of rows, not
// the queue: pages are fetched by key as the cursor nears an edge, so moving through a
// million conversations feels like moving through a hundred.
type queueScreen struct {
	c        *Common
	views    []inbox.View
	view     int
	query    string
	rows     []inbox.QueueRow
	top      bool // rows[0] is the first row of the view
	end      bool // nothing follows the last row
	cursor   int
	offset   int
	count    int
	selected map[int64]bool
	acted    int64 // the conversation the last action was on, to move past it
	gen      int   // the latest request; answers to older ones are dropped
	loading  bool
	err      error
	width    int
	height   int
}

type loadMode int

const (
	loadReload  loadMode = iota // replace the window, starting where it starts
	loadAppend                  // rows after the window
	loadPrepend                 // rows before the window
	loadBottom                  // the last page of the view
)

// queueLoadedMsg is a page of the queue, answering request gen.
type queueLoadedMsg struct {
	gen       int
	mode      loadMode
	rows      []inbox.QueueRow
	err       error
	keepID    int64 // put the cursor back on this conversation if it is still there
	keepIndex int   // else on this index
	advance   bool  // the row at keepIndex was acted on: move past it if it stayed
	limit     int   // rows asked for: fewer means the end of the view
}

// queueCountMsg is the size of the current view.
type queueCountMsg struct {
	gen   int
	count int
	err   error
}

func newQueue(c *Common) *queueScreen {
	return &queueScreen{c: c, views: c.Inbox.Views(), selected: map[int64]bool{}, top: true}
}

func (q *queueScreen) SetSize(w, h int) { q.width, q.height = w, h }

func (q *queueScreen) currentView() inbox.View { return q.views[q.view] }

// current is the conversation under the cursor, if any.
func (q *queueScreen) current() (inbox.QueueRow, bool) {
	if q.cursor < 0 || q.cursor >= len(q.rows) {
		return inbox.QueueRow{}, false
	}
	return q.rows[q.cursor], true
}

// setView switches views and starts again from the top.
func (q *queueScreen) setView(i int) tea.Cmd {
	if i < 0 || i >= len(q.views) {
		return nil
	}
	q.view = i
	q.cursor, q.offset = 0, 0
	return q.reloadFromTop()
}

// setQuery applies a search; live means the person is still typing it.
func (q *queueScreen) setQuery(s string, live bool) tea.Cmd {
	q.query = s
	q.cursor, q.offset = 0, 0
	q.top = true
	return tea.Batch(q.fetch(loadReload, nil, pageSize, 0, 0, false, live), q.countCmd(live))
}

func (q *queueScreen) reloadFromTop() tea.Cmd {
	q.top = true
	return tea.Batch(q.fetch(loadReload, nil, pageSize, 0, 0, false, false), q.countCmd(false))
}

// reload fetches the window again from where it starts (after sync or an action) and keeps
// the cursor on the same conversation when it is still there.
func (q *queueScreen) reload(advance bool) tea.Cmd {
	var from *inbox.QueueKey
	if !q.top && len(q.rows) > 0 {
		k := q.rows[0].Key
		k.ID-- // the key just before the first row: ids are integers, so this is exact
		from = &k
	}
	keep := int64(0)
	if r, ok := q.current(); ok && !advance {
		keep = r.ID
	}
	limit := max(len(q.rows), pageSize)
	return tea.Batch(q.fetch(loadReload, from, limit, keep, q.cursor, advance, false), q.countCmd(false))
}

func (q *queueScreen) fetch(mode loadMode, key *inbox.QueueKey, limit int, keepID int64, keepIndex int, advance, live bool) tea.Cmd {
	q.gen++
	q.loading = true
	gen, view, query, c := q.gen, q.currentView(), q.query, q.c
	page := inbox.QueuePage{View: view, Query: query, Live: live, Limit: limit}
	switch mode {
	case loadReload, loadAppend:
		page.After = key
	case loadPrepend:
		page.Before = key
	case loadBottom:
		page.Before = &inbox.QueueKey{PrioRank: math.MaxInt64, DueAt: math.MaxInt64, SinceAt: math.MaxInt64, ID: math.MaxInt64}
	}
	return func() tea.Msg {
		rows, err := c.Inbox.Queue(c.Ctx, page)
		return queueLoadedMsg{gen: gen, mode: mode, rows: rows, err: err, keepID: keepID, keepIndex: keepIndex, advance: advance, limit: limit}
	}
}

func (q *queueScreen) countCmd(live bool) tea.Cmd {
	gen, view, query, c := q.gen, q.currentView(), q.query, q.c
	return func() tea.Msg {
		n, err := c.Inbox.Count(c.Ctx, view, query, live)
		return queueCountMsg{gen: gen, count: n, err: err}
	}
}

// Update handles the queue's own messages and movement keys.
func (q *queueScreen) Update(msg tea.Msg) (*queueScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case queueLoadedMsg:
		if msg.gen != q.gen {
			return q, nil
		}
		q.loading = false
		q.err = msg.err
		if msg.err == nil {
			q.apply(msg)
		}
	case queueCountMsg:
		if msg.gen == q.gen && msg.err == nil {
			q.count = msg.count
		}
	case tea.KeyPressMsg:
		return q, q.handleKey(msg)
	}
	return q, nil
}

// apply merges a page into the window.
func (q *queueScreen) apply(msg queueLoadedMsg) {
	switch msg.mode {
	case loadReload:
		q.rows = msg.rows
		q.end = len(msg.rows) < msg.limit
		q.cursor = q.placeCursor(msg)
	case loadAppend:
		q.rows = append(q.rows, msg.rows...)
		q.end = len(msg.rows) < msg.limit
		if over := len(q.rows) - maxWindow; over > 0 {
			q.rows = q.rows[over:]
			q.cursor -= over
			q.offset -= over
			q.top = false
		}
	case loadPrepend:
		q.rows = append(append([]inbox.QueueRow(nil), msg.rows...), q.rows...)
		q.cursor += len(msg.rows)
		q.offset += len(msg.rows)
		q.top = len(msg.rows) < msg.limit
		if over := len(q.rows) - maxWindow; over > 0 {
			q.rows = q.rows[:maxWindow]
			q.end = false
		}
	case loadBottom:
		q.rows = msg.rows
		q.end = true
		q.top = len(msg.rows) < msg.limit
		q.cursor = len(q.rows) - 1
	}
	q.clamp()
}

// placeCursor finds where the cursor goes after a reload.
func (q *queueScreen) placeCursor(msg queueLoadedMsg) int {
	if msg.keepID != 0 {
		for i, r := range q.rows {
			if r.ID == msg.keepID {
				return i
			}
		}
	}
	i := msg.keepIndex
	if msg.advance && i < len(q.rows) && q.acted != 0 && q.rows[i].ID == q.acted {
		i++ // the row stayed in the view (a tag, say): move past it, as mail clients do
	}
	return i
}

func (q *queueScreen) clamp() {
	if q.cursor >= len(q.rows) {
		q.cursor = len(q.rows) - 1
	}
	if q.cursor < 0 {
		q.cursor = 0
	}
	h := q.listHeight()
	if q.cursor < q.offset {
		q.offset = q.cursor
	}
	if q.cursor >= q.offset+h {
		q.offset = q.cursor - h + 1
	}
	if q.offset < 0 {
		q.offset = 0
	}
}

func (q *queueScreen) listHeight() int { return max(q.height-1, 1) }

// move moves the cursor by n rows, fetching the next page when it nears an edge.
func (q *queueScreen) move(n int) tea.Cmd {
	q.cursor += n
	q.clamp()
	switch {
	case !q.end && !q.loading && q.cursor >= len(q.rows)-lookahead && len(q.rows) > 0:
		return q.fetch(loadAppend, &q.rows[len(q.rows)-1].Key, pageSize, 0, 0, false, false)
	case !q.top && !q.loading && q.cursor < lookahead && len(q.rows) > 0:
		return q.fetch(loadPrepend, &q.rows[0].Key, pageSize, 0, 0, false, false)
	}
	return nil
}

func (q *queueScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := q.c.Keys
	switch {
	case key.Matches(msg, k.Down):
		return q.move(1)
	case key.Matches(msg, k.Up):
		return q.move(-1)
	case key.Matches(msg, k.HalfDown):
		return q.move(max(q.listHeight()/2, 1))
	case key.Matches(msg, k.HalfUp):
		return q.move(-max(q.listHeight()/2, 1))
	case key.Matches(msg, k.Top):
		q.cursor, q.offset = 0, 0
		if q.top {
			return nil
		}
		q.top = true
		return q.fetch(loadReload, nil, pageSize, 0, 0, false, false)
	case key.Matches(msg, k.Bottom):
		if q.end {
			q.cursor = len(q.rows) - 1
			q.clamp()
			return nil
		}
		return q.fetch(loadBottom, nil, pageSize, 0, 0, false, false)
	case key.Matches(msg, k.Select):
		if r, ok := q.current(); ok {
			if q.selected[r.ID] {
				delete(q.selected, r.ID)
			} else {
				q.selected[r.ID] = true
			}
			return q.move(1)
		}
	}
	return nil
}

// targets are the conversations an action applies to: the selection when there is one,
// else the row under the cursor.
func (q *queueScreen) targets(useSelection bool) []int64 {
	if useSelection && len(q.selected) > 0 {
		ids := make([]int64, 0, len(q.selected))
		for id := range q.selected {
			ids = append(ids, id)
		}
		sortIDs(ids)
		return ids
	}
	if r, ok := q.current(); ok {
		return []int64{r.ID}
	}
	return nil
}

func sortIDs(ids []int64) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
}

// View renders the list: one line per conversation, the cursor row reversed.
func (q *queueScreen) View() string {
	h := q.listHeight()
	var b strings.Builder
	b.WriteString(q.columnsHeader() + "\n")
	if len(q.rows) == 0 {
		msg := "Nothing here. "
		switch {
		case q.err != nil:
			msg = "Could not read the queue: " + q.err.Error()
		case q.loading:
			msg = "Loading…"
		case q.query != "":
			msg += "No conversation matches this search."
		default:
			msg += "This view is empty — well done."
		}
		b.WriteString(q.c.Styles.Faint.Render(ansi.Truncate(msg, q.width, "…")))
		return b.String()
	}
	end := min(q.offset+h, len(q.rows))
	for i := q.offset; i < end; i++ {
		line := q.renderRow(q.rows[i], i == q.cursor)
		b.WriteString(line)
		if i < end-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// layout decides which columns fit the width.
type layout struct {
	kind, tags, assignee bool
	author, text         int
}

func (q *queueScreen) layout() layout {
	w := q.width
	l := layout{author: 14}
	// Every cell but the text, each with the space before it: mark+channel 5, count 4,
	// age 5, SLA badge 13.
	fixed := 5 + 4 + 5 + 13
	if w >= 90 {
		l.kind = true
		fixed += 5
	}
	if w >= 110 {
		l.assignee = true
		fixed += 8
	}
	if w >= 130 {
		l.tags = true
		fixed += 18
		l.author = 18
	}
	l.text = max(w-fixed-(l.author+1)-1, 8)
	return l
}

func (q *queueScreen) columnsHeader() string {
	l := q.layout()
	var parts []string
	parts = append(parts, "  "+pad("CH", 3))
	if l.kind {
		parts = append(parts, pad("KIND", 4))
	}
	parts = append(parts, pad("FROM", l.author), pad("LATEST", l.text))
	if l.tags {
		parts = append(parts, pad("TAGS", 17))
	}
	if l.assignee {
		parts = append(parts, pad("WHO", 7))
	}
	parts = append(parts, padLeft("#", 3), padLeft("AGE", 4), pad("SLA", 12))
	return q.c.Styles.Faint.Render(ansi.Truncate(strings.Join(parts, " "), q.width, ""))
}

var kindShort = map[string]string{"comment": "cmt", "mention": "ment", "dm": "dm", "review": "rev", "email": "mail"}

func (q *queueScreen) renderRow(r inbox.QueueRow, cursor bool) string {
	st := q.c.Styles
	l := q.layout()
	now := q.c.Now()
	mark := "  "
	if q.selected[r.ID] {
		mark = "● "
	}
	author := r.AuthorName
	if author == "" {
		author = r.AuthorHandle
	}
	// A quoted email can be kilobytes; the row shows one line of it, so only as much as
	// could fit is cleaned and measured.
	text := firstLine(r.LastText, 4*l.text)
	if r.Priority >= int(inbox.PriorityUrgent) {
		text = "! " + text
	}
	age := ""
	if r.SinceAt > 0 {
		age = shortAge(now.Sub(time.UnixMilli(r.SinceAt)))
	}
	count := ""
	if r.Unanswered > 0 {
		count = fmt.Sprint(r.Unanswered)
	}
	badge, badgeStyle := slaBadge(st, r, now)

	cells := []string{mark + st.Channel(r.Channel).Render(pad(ChannelTag(r.Channel), 3))}
	if l.kind {
		cells = append(cells, pad(kindShort[r.Kind], 4))
	}
	cells = append(cells, pad(Safe(author), l.author))
	textCell := pad(Safe(text), l.text)
	if r.Priority >= int(inbox.PriorityUrgent) {
		textCell = st.Urgent.Render(textCell)
	}
	cells = append(cells, textCell)
	if l.tags {
		cells = append(cells, st.Tag.Render(pad(Safe(strings.Join(r.Tags, " ")), 17)))
	}
	if l.assignee {
		cells = append(cells, pad(Safe(r.Assignee), 7))
	}
	cells = append(cells, padLeft(count, 3), padLeft(age, 4), badgeStyle.Render(pad(badge, 12)))
	line := strings.Join(cells, " ")
	if cursor {
		return st.Selected.Render(ansi.Truncate(ansi.Strip(line), q.width, "…"))
	}
	if q.selected[r.ID] {
		line = st.Marked.Render(mark) + line[len(mark):]
	}
	return ansi.Truncate(line, q.width, "…")
}

// slaBadge says how a conversation stands against its SLA: due in 12m, overdue 2h.
func slaBadge(st *Styles, r inbox.QueueRow, now time.Time) (string, lipgloss.Style) {
	switch {
	case r.State == string(inbox.StateSnoozed) && r.SnoozeUntil > 0:
		return "zz " + time.UnixMilli(r.SnoozeUntil).In(now.Location()).Format("Mon 15:04"), st.Faint
	case r.Unanswered == 0 || r.DueAt == inbox.NoDue:
		if r.State == string(inbox.StateWaiting) {
			return "waiting", st.Faint
		}
		return "", st.Faint
	}
	left := time.UnixMilli(r.DueAt).Sub(now)
	switch {
	case left < 0:
		return "overdue " + shortAge(-left), st.Overdue
	case left < 30*time.Minute:
		return "due in " + shortAge(left), st.DueSoon
	}
	return "due in " + shortAge(left), st.OnTime
}

// shortAge is an age in at most four characters: 45s, 12m, 3h, 5d, 8w.
func shortAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	return fmt.Sprintf("%dw", int(d.Hours()/24/7))
}

// pad cuts or fills s to exactly w cells.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// firstLine is the start of s on one line, at most n runes, whitespace runs folded.
func firstLine(s string, n int) string {
	var b strings.Builder
	space := false
	count := 0
	for _, r := range s {
		if count >= n {
			break
		}
		if r == '\n' || r == '\r' || r == '\t' || r == ' ' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			count++
		}
		space = false
		b.WriteRune(r)
		count++
	}
	return b.String()
}
