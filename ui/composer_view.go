package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// This file draws the composer: its size, how its rows are shared between the reply,
// the voice warnings and the notices (the note, the errors, the warning before text is
// thrown away), and the lines themselves. The composer's logic is in composer.go.

// dialogSize is the composer's outer size: most of the screen, with a margin that shows
// it is a dialog when there is room, and no wider than a comfortable line of prose.
func (m *composer) dialogSize() (w, h int) {
	w, h = m.w, m.h
	if w >= 64 {
		w = min(w-4, 100)
	}
	if h >= 19 {
		h -= 2
	}
	return max(w, 20), max(h, 8)
}

// composerNoticeRows is the most rows one notice takes.
const composerNoticeRows = 3

// discardWarning is shown once esc could not keep the text as the draft.
// Its words that matter come first, to be read even where it is cut.
const discardWarning = "⚠ Draft not kept: esc again closes without keeping it, if saving fails again."

// composerNotice is a notice under the reply, wrapped over the rows it was given.
type composerNotice struct {
	style lipgloss.Style
	text  string // made safe; used when err is nil
	err   error
	keep  int // when rows are short, the notice with the lowest keep has them first
	rows  int
}

// notices are the composer's notices in the order they show: the note, the error of
// loading or sending, the draft's error, and, last, right above the key that does it,
// the warning that esc again throws the text away. The warning keeps its row first:
// it is what stands between the person and losing what they wrote.
func (m *composer) notices() []composerNotice {
	st := m.c.Styles
	var out []composerNotice
	if n, ok := m.windowNotice(); ok {
		out = append(out, n)
	}
	if n, ok := m.arrivedNotice(); ok {
		out = append(out, n)
	}
	if m.note != "" {
		out = append(out, composerNotice{style: st.Faint, text: m.note, keep: 3})
	}
	if m.holes != "" {
		out = append(out, composerNotice{style: lipgloss.NewStyle().Foreground(st.Warn), text: Safe(m.holes), keep: 2})
	}
	if m.err != nil {
		out = append(out, composerNotice{style: st.Error, err: m.err, keep: 1})
	}
	if m.draftErr != nil {
		out = append(out, composerNotice{style: st.Error, err: m.draftErr, keep: 2})
	}
	if m.discard {
		out = append(out, composerNotice{style: lipgloss.NewStyle().Foreground(st.Warn).Bold(true), text: discardWarning})
	}
	return out
}

// need is how many rows the notice takes to be read whole at width w.
func (n composerNotice) need(w int) int {
	if n.err != nil {
		return wrappedRows(Safe(n.err.Error()), w)
	}
	return wrappedRows(n.text, w)
}

// lines is the notice in its rows, styled; an error too long for them reads cause first.
func (n composerNotice) lines(w int) []string {
	var out []string
	if n.err != nil {
		out = errorLines(n.err, w, n.rows)
	} else {
		out = wrapLines(n.text, w, n.rows)
	}
	for i, l := range out {
		out[i] = n.style.Render(l)
	}
	return out
}

// layout shares the rows left after the title, the status and the key hint: each notice
// gets one while the reply keeps one; then the notices get what they need to be read
// whole, and the voice warnings what is left, while the reply keeps composerMinText.
func (m *composer) layout() {
	dw, dh := m.dialogSize()
	iw, ih := dialogInner(m.c.Styles, dw, dh)
	room := ih - 3 // title, status with the counter, key hint
	// The message answered comes first, over a rule: a reply is written with it in view.
	if m.ctxRows = m.contextRows(room, iw); m.ctxRows > 0 {
		room -= m.ctxRows + 1
		m.scrollContext(0) // a larger window may show what was scrolled past
	}
	m.shown = m.notices()
	order := make([]int, len(m.shown))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return m.shown[a].keep - m.shown[b].keep })
	used := 0
	for _, i := range order {
		if used < room-1 {
			m.shown[i].rows = 1
			used++
		}
	}
	for _, i := range order {
		if n := &m.shown[i]; n.rows > 0 {
			more := min(min(n.need(iw), composerNoticeRows)-n.rows, room-composerMinText-used)
			if more > 0 {
				n.rows += more
				used += more
			}
		}
	}
	m.warnRows = min(len(m.warnings), max(0, room-used-composerMinText))
	m.ta.SetWidth(iw)
	m.ta.SetHeight(max(1, room-used-m.warnRows))
}

// View draws the dialog.
func (m *composer) View() string {
	dw, _ := m.dialogSize()
	iw, _ := dialogInner(m.c.Styles, dw, 0)
	st := m.c.Styles
	title := "Reply"
	if m.loaded {
		who := cmp.Or(strings.TrimSpace(Safe(m.info.AuthorName)), Safe(m.info.AuthorHandle), "the customer")
		label := " on " + Safe(inbox.ChannelLabel(m.info.Channel))
		// The name gives way first, so the channel stays readable on a narrow screen.
		title = "Reply to " + ansi.Truncate(who, max(1, iw-ansi.StringWidth("Reply to "+label)), "…") + label
	}
	if m.private {
		title = "Private reply"
		if m.loaded {
			title = m.privateTitle()
		}
	}
	// drawDialog cuts every line to the inner width; the text area goes in as its rows.
	lines := append(m.contextView(iw), strings.Split(m.ta.View(), "\n")...)
	lines = append(lines, m.statusLine(iw))
	lines = append(lines, m.warningLines(iw)...)
	for _, n := range m.shown {
		if n.rows > 0 {
			lines = append(lines, n.lines(iw)...)
		}
	}
	keys := m.c.Keys
	esc := " keep as draft and close"
	if m.discard {
		esc = " try once more to keep it, else close without it"
	}
	lines = append(lines, st.Faint.Render(keys.Send.Help().Key+" send · "+keys.Editor.Help().Key+" editor · "+keys.Cancel.Help().Key+esc))
	return drawDialog(st, dw, title, lines)
}

// statusLine is the draft's state on the left and the channel's length counter on the
// right, red once the reply is longer than the channel takes.
func (m *composer) statusLine(iw int) string {
	st := m.c.Styles
	var left string
	switch {
	case !m.loaded && m.err == nil:
		left = "loading…"
	case m.editing:
		left = "in your editor…"
	case m.sending:
		left = "sending…"
	case m.unsaved():
		left = "draft not saved yet"
	case m.saved != "":
		left = "draft saved"
	}
	left = st.Faint.Render(left)
	var right string
	if limit := m.c.Inbox.Voice().LimitFor(m.info.Channel, m.kind()); m.loaded && limit > 0 {
		n, style := inbox.Length(m.info.Channel, m.ta.Value()), st.Faint
		if n > limit {
			style = st.Overdue
		}
		right = style.Render(fmt.Sprintf("%d/%d", n, limit))
	}
	gap := max(1, iw-lipgloss.Width(left)-lipgloss.Width(right))
	return left + strings.Repeat(" ", gap) + right
}

// warningLines lists the voice warnings that fit, each with its message and, when it
// has one, the offending span underlined in a one-line excerpt of the reply.
func (m *composer) warningLines(iw int) []string {
	if m.warnRows == 0 {
		return nil
	}
	st := m.c.Styles
	shown := m.warnings
	more := 0
	if len(shown) > m.warnRows {
		shown, more = shown[:m.warnRows-1], len(shown)-m.warnRows+1
	}
	runes := []rune(m.ta.Value())
	out := make([]string, 0, m.warnRows)
	for _, w := range shown {
		text := "⚠ " + Safe(w.Message)
		if w.count > 1 {
			text += fmt.Sprintf(" ×%d", w.count)
		}
		msg := ansi.Truncate(text, iw, "…")
		line := st.DueSoon.Render(msg)
		if room := iw - ansi.StringWidth(msg) - 2; w.End > w.Start && room >= 8 {
			line += st.Faint.Render(": ") + m.excerpt(runes, w.Start, w.End, room)
		}
		out = append(out, line)
	}
	if more > 0 {
		out = append(out, st.DueSoon.Render("⚠ "+plural(more, "more warning")))
	}
	return out
}

// excerpt is the text around runes[start:end] on one line of at most width cells, the
// span underlined and centred as far as the text around it allows.
func (m *composer) excerpt(runes []rune, start, end, width int) string {
	start, end = min(max(start, 0), len(runes)), min(max(end, 0), len(runes))
	span := Safe(string(runes[start:end])) // Safe also makes line breaks spaces
	sw := ansi.StringWidth(span)
	if sw >= width {
		return m.c.Styles.Underline.Render(ansi.Truncate(span, width, "…"))
	}
	rest := width - sw
	// At most rest runes either side can show, so no more than that is sanitized.
	before := Safe(string(runes[max(0, start-rest):start]))
	after := Safe(string(runes[end:min(len(runes), end+rest)]))
	bw := min(ansi.StringWidth(before), max(rest/2, rest-ansi.StringWidth(after)))
	if w := ansi.StringWidth(before); w > bw {
		if bw < 2 {
			before = ""
		} else {
			before = "…" + ansi.TruncateLeft(before, w-bw+1, "")
		}
	}
	after = ansi.Truncate(after, rest-ansi.StringWidth(before), "…")
	return before + m.c.Styles.Underline.Render(span) + after
}
