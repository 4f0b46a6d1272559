package ui

import (
	"cmp"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// The message a reply answers, shown above the text area so the person writes with it in
// view: who wrote it, when, and its text, scrolled with alt+↑/↓ when it is longer than its
// share of the dialog.

// composerContextShare is the part of the rows the message takes at most; it always keeps
// composerContextMin of them while there is one.
const (
	composerContextShare = 3 // one row in three
	composerContextMin   = 2 // who and when, and a line of text
)

// lastInbound is the newest message from the customer in a thread, if any.
func lastInbound(th inbox.Thread) *inbox.MessageRow {
	for i := len(th.Messages) - 1; i >= 0; i-- {
		if th.Messages[i].Direction == string(inbox.In) {
			m := th.Messages[i]
			return &m
		}
	}
	return nil
}

// contextLines is the answered message at width w: a head line, then its text wrapped.
func (m *composer) contextLines(w int) []string {
	if m.answering == nil {
		return nil
	}
	if m.ctxW == w && m.ctxLines != nil {
		return m.ctxLines
	}
	st, msg := m.c.Styles, m.answering
	head := st.Inbound.Render("▸ "+Safe(cmp.Or(msg.AuthorName, msg.AuthorHandle, "the customer"))) +
		st.Faint.Render(" · "+convWhen(m.c.Now(), msg.CreatedAt))
	if msg.Subject != "" {
		head += st.Faint.Render(" · ") + st.Bold.Render(Safe(msg.Subject))
	}
	text := strings.Trim(SafeText(convShown(msg.Text)), "\n ")
	if text == "" {
		text = "(no text)"
	}
	m.ctxLines = append([]string{convFit(head, w)}, convWrap(st.Faint, text, w)...)
	m.ctxW = w
	return m.ctxLines
}

// contextRows is how many rows the message gets out of room: all it needs up to its share.
func (m *composer) contextRows(room, w int) int {
	n := len(m.contextLines(w))
	if n == 0 {
		return 0
	}
	return min(n, max(room/composerContextShare, composerContextMin))
}

// scrollContext moves the message's visible part by n lines.
func (m *composer) scrollContext(n int) {
	last := max(len(m.ctxLines)-m.ctxRows, 0)
	m.ctxOff = min(max(m.ctxOff+n, 0), last)
}

// contextView is the visible part of the message and a rule under it that says how much
// more there is.
func (m *composer) contextView(iw int) []string {
	if m.ctxRows == 0 {
		return nil
	}
	st := m.c.Styles
	lines := m.contextLines(iw)
	out := append([]string{}, lines[m.ctxOff:min(m.ctxOff+m.ctxRows, len(lines))]...)
	rule := strings.Repeat("─", iw)
	if below := len(lines) - m.ctxOff - m.ctxRows; below > 0 || m.ctxOff > 0 {
		keys := m.c.Keys
		more := " " + keys.ContextUp.Help().Key + "/" + keys.ContextDown.Help().Key + " more "
		if below > 0 {
			more = " " + itoa(below) + " more lines ·" + more
		}
		if w := ansi.StringWidth(more); w+2 < iw {
			rule = strings.Repeat("─", iw-w-2) + more + "──"
		}
	}
	return append(out, st.Faint.Render(rule))
}
