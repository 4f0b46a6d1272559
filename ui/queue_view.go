package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// View renders the list: one line per conversation, the cursor row reversed. Every line
// fits the width and there are at most height lines (fewer when the list is short).
func (q *queueScreen) View() string {
	h := q.listHeight()
	q.look.start(q.width, q.c.Styles)
	var b strings.Builder
	b.Grow(q.look.size) // about what the last frame took, so the screen is copied once
	defer func() { q.look.size = b.Len() }()
	b.WriteString(q.look.header(q.columnsHeader))
	b.WriteByte('\n')
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
	l, now := q.layout(), q.c.Now()
	end := min(q.offset+h, len(q.rows))
	for i := q.offset; i < end; i++ {
		b.WriteString(q.renderRow(q.rows[i], i == q.cursor, l, now))
		if i < end-1 {
			b.WriteByte('\n')
		}
	}
	q.look.finish(h)
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

// rowLook is everything one line of the queue is drawn from at a given width and theme:
// the row's data as the layout shows it, the clock-driven age and SLA badge, and whether
// the row is under the cursor or selected. Rows that look the same draw the same line.
type rowLook struct {
	channel, kind, author, text string
	subject, tags, assignee     string
	who                         string // the others in it (presence.go); over the assignee
	urgent, draft               bool
	count                       int
	rating                      int // a review's stars, 0 for none
	age, badge                  string
	level                       slaLevel
	cursor, marked              bool
}

// lookOf reads what a row will look like. It is cheap (no width is measured), so every
// visible row is looked at on every frame and drawn only when its look changed.
func (q *queueScreen) lookOf(r inbox.QueueRow, cursor bool, l layout, now time.Time) rowLook {
	lk := rowLook{channel: r.Channel, author: r.AuthorName, text: r.LastText,
		subject: inbox.Topic(r.Subject), urgent: r.Priority >= int(inbox.PriorityUrgent), count: r.Unanswered,
		draft: r.HasDraft, cursor: cursor, marked: q.selected[r.ID], rating: r.Rating}
	if lk.author == "" {
		lk.author = r.AuthorHandle
	}
	if l.kind {
		lk.kind = r.Kind
	}
	if l.tags {
		lk.tags = strings.Join(r.Tags, " ")
	}
	if l.assignee {
		lk.assignee = r.Assignee
	}
	lk.who = whoCell(q.c.Others[r.ID])
	if r.SinceAt > 0 {
		lk.age = shortAge(now.Sub(time.UnixMilli(r.SinceAt)))
	}
	lk.badge, lk.level = slaBadge(r, now)
	return lk
}

// renderRow is a row's line, drawn again only when its look changed since the last frame.
func (q *queueScreen) renderRow(r inbox.QueueRow, cursor bool, l layout, now time.Time) string {
	lk := q.lookOf(r, cursor, l, now)
	if line, ok := q.look.get(r.ID, lk); ok {
		return line
	}
	line := q.draw(lk, l)
	q.look.put(r.ID, lk, line)
	return line
}

// draw lays out a row's cells and cuts the line to the width.
func (q *queueScreen) draw(lk rowLook, l layout) string {
	st := q.c.Styles
	// Two marks before the channel: selected for a bulk action, and a reply kept as a
	// draft.
	mark, draft := " ", " "
	if lk.marked {
		mark = st.Marked.Render("●")
	}
	switch {
	case lk.draft:
		draft = st.Outbound.Render("✎")
	case lk.who != "" && !l.assignee:
		// Too narrow for the WHO column: the others show by their mark alone (presence.go).
		mark, _ := utf8.DecodeRuneInString(lk.who)
		draft = whoStyle(st, lk.who).Render(string(mark))
	}
	// A quoted email can be kilobytes; the row shows one line of it, so only as much as
	// could fit is cleaned and measured.
	text := firstLine(lk.text, 4*l.text)
	if lk.subject != "" {
		text = firstLine(lk.subject, l.text) + " · " + text // an email is known by its subject
	}
	if lk.urgent {
		text = "! " + text
	}
	count := ""
	if lk.count > 0 {
		count = fmt.Sprint(lk.count)
	}

	cells := []string{mark + draft + pad(st.Channel(lk.channel).Render(ChannelTag(lk.channel)), 3)} // the badge alone styled: YouTube's has a background
	if l.kind {
		cells = append(cells, pad(kindShort[lk.kind], 4))
	}
	cells = append(cells, pad(Safe(lk.author), l.author))
	// A review leads with its stars: what a person goes through app-store reviews by.
	stars, textWidth := "", l.text
	if lk.rating > 0 && l.text > 8 {
		stars, textWidth = ratingStyle(st, lk.rating).Render(fmt.Sprintf("%d★", lk.rating))+" ", l.text-3
	}
	textCell := pad(Safe(text), textWidth)
	if lk.urgent {
		textCell = st.Urgent.Render(textCell)
	}
	textCell = stars + textCell
	cells = append(cells, textCell)
	if l.tags {
		cells = append(cells, st.Tag.Render(pad(Safe(lk.tags), 17)))
	}
	switch {
	case l.assignee && lk.who != "":
		cells = append(cells, whoStyle(st, lk.who).Render(pad(lk.who, 7)))
	case l.assignee:
		cells = append(cells, pad(Safe(lk.assignee), 7))
	}
	cells = append(cells, padLeft(count, 3), padLeft(lk.age, 4), lk.level.style(st).Render(pad(lk.badge, 12)))
	line := strings.Join(cells, " ")
	if lk.cursor {
		return st.Selected.Render(ansi.Truncate(ansi.Strip(line), q.width, "…"))
	}
	return ansi.Truncate(line, q.width, "…")
}

// rowCache keeps the lines of the last frames by conversation, with the look each was
// drawn from. Measuring text is most of what drawing a row costs, and a key changes one
// or two rows (the cursor leaves one and lands on another), so a frame draws those and
// reuses the rest. A line is reused only when its look is the same, so a row whose data
// changed in a reload, whose age ticked or which was selected is drawn again; a new width
// or theme starts the cache afresh.
type rowCache struct {
	width  int
	styles *Styles
	dark   bool
	head   string // the columns header, which depends on width and theme alone
	size   int    // bytes of the last frame
	draws  int    // lines drawn so far, which tests read to see what a frame redrew
	lines  map[int64]cachedLine
	frame  uint64
}

type cachedLine struct {
	look  rowLook
	line  string
	frame uint64 // the last frame that showed it
}

// start begins a frame at a width and theme, forgetting every line if either changed.
func (c *rowCache) start(width int, st *Styles) {
	c.frame++
	if c.lines != nil && c.width == width && c.styles == st && c.dark == st.Dark {
		return
	}
	c.width, c.styles, c.dark, c.head = width, st, st.Dark, ""
	c.lines = map[int64]cachedLine{}
}

// reset forgets every line, for when the theme changes in place.
func (c *rowCache) reset() { c.lines = nil }

func (c *rowCache) header(draw func() string) string {
	if c.head == "" {
		c.head = draw()
	}
	return c.head
}

func (c *rowCache) get(id int64, lk rowLook) (string, bool) {
	e, ok := c.lines[id]
	if !ok || e.look != lk {
		return "", false
	}
	e.frame = c.frame
	c.lines[id] = e
	return e.line, true
}

func (c *rowCache) put(id int64, lk rowLook, line string) {
	c.draws++
	c.lines[id] = cachedLine{look: lk, line: line, frame: c.frame}
}

// finish ends a frame that showed up to h rows: once the cache holds a few screens'
// worth, the lines this frame did not show are dropped, so it stays the size of a screen
// however far the person scrolls.
func (c *rowCache) finish(h int) {
	if len(c.lines) <= 4*h {
		return
	}
	for id, e := range c.lines {
		if e.frame != c.frame {
			delete(c.lines, id)
		}
	}
}

// slaLevel is how a conversation stands against its SLA, which picks the badge's style.
type slaLevel int

const (
	slaNone slaLevel = iota // snoozed, waiting, or nothing due
	slaOnTime
	slaDueSoon
	slaOverdue
	slaFailed // a reply of ours the channel refused: the most urgent thing on the row
)

func (l slaLevel) style(st *Styles) lipgloss.Style {
	switch l {
	case slaOnTime:
		return st.OnTime
	case slaDueSoon:
		return st.DueSoon
	case slaOverdue:
		return st.Overdue
	case slaFailed:
		return st.Error
	}
	return st.Faint
}

// slaBadge says how a conversation stands against its SLA: due in 12m, overdue 2h; or
// "failed" when a reply of ours was refused, which outranks any due time.
func slaBadge(r inbox.QueueRow, now time.Time) (string, slaLevel) {
	switch {
	case r.Failed > 0:
		return "failed", slaFailed
	case r.State == string(inbox.StateSnoozed) && r.SnoozeUntil > 0:
		return "zz " + time.UnixMilli(r.SnoozeUntil).In(now.Location()).Format("Mon 15:04"), slaNone
	case r.Unanswered == 0 || r.DueAt == inbox.NoDue:
		if r.State == string(inbox.StateWaiting) {
			return "waiting", slaNone
		}
		return "", slaNone
	}
	left := time.UnixMilli(r.DueAt).Sub(now)
	switch {
	case left < 0:
		return "overdue " + shortAge(-left), slaOverdue
	case left < 30*time.Minute:
		return "due in " + shortAge(left), slaDueSoon
	}
	return "due in " + shortAge(left), slaOnTime
}

// ratingStyle colours a review's stars as the SLA badge colours time: one or two stars
// ask for attention, three are middling, four and five are fine.
func ratingStyle(st *Styles, stars int) lipgloss.Style {
	switch {
	case stars <= 2:
		return st.Overdue
	case stars == 3:
		return st.DueSoon
	}
	return st.OnTime
}
