package ui

import (
	"cmp"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// Collisions: while a reply is written the customer may write again, or a colleague may
// answer or leave a note. The composer marks where the conversation stood when it
// opened; a send first asks the inbox what others added since and, when something did,
// stops, shows it (the customer's newest message in the message pane above the text,
// a colleague's reply or note in the notice) and moves the mark, so the send key again
// sends unless still more arrived. The text is never touched.

// arrivedExcerpt is how much of an arrival's text the notice quotes.
const arrivedExcerpt = 60

// onArrived takes what arrived before a send: the send stops and says so.
func (m *composer) onArrived(a inbox.Arrivals) {
	m.arrived = &a
	for _, msg := range a.Messages {
		m.mark.Message = max(m.mark.Message, msg.ID)
		if msg.Direction == string(inbox.In) && !m.private {
			m.answering, m.ctxLines, m.ctxOff = &msg, nil, 0 // the reply now answers this one
		}
	}
	for _, n := range a.Notes {
		m.mark.Note = max(m.mark.Note, n.ID)
	}
}

// arrivedNotice says what arrived: "⚠ Ana Ruiz wrote “any news??” · 1 new message
// since you opened this; ctrl+s again sends; esc keeps it as a draft."
func (m *composer) arrivedNotice() (composerNotice, bool) {
	if m.arrived == nil {
		return composerNotice{}, false
	}
	who, did, text, ok := m.arrived.Latest()
	if !ok {
		return composerNotice{}, false
	}
	text = strings.Join(strings.Fields(text), " ")
	quote := "“" + ansi.Truncate(text, arrivedExcerpt, "…") + "”"
	return m.confirmNotice("⚠ " + cmp.Or(who, "someone") + " " + did + " " + quote + " · " +
		arrivedCount(*m.arrived) + " since you opened this; " + m.againSends("sends")), true
}

// arrivedCount is "1 new message", "2 new messages and 1 note", "1 new note".
func arrivedCount(a inbox.Arrivals) string {
	msgs, notes := len(a.Messages), len(a.Notes)
	switch {
	case notes == 0:
		return plural(msgs, "new message")
	case msgs == 0:
		return plural(notes, "new note")
	}
	return plural(msgs, "new message") + " and " + plural(notes, "note")
}
