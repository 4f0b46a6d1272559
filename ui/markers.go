package ui

import (
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// What a message's channel said of it since it arrived, under its text: its author
// removed it, the account hid it, or its author edited it, with the words first written
// (the customer's original may matter in a dispute; the text above is the edited one).

// maxOriginalShown bounds the original text on the marker line; triage export has all.
const maxOriginalShown = 280

// markLines are a message's marker lines, none for a message as it arrived.
func (s *conversationScreen) markLines(m *inbox.MessageRow, w int) []string {
	st, now := s.c.Styles, s.c.Now()
	where := inbox.ChannelLabel(m.Channel)
	var out []string
	if m.RemovedAt != 0 {
		out = append(out, convHanging(st.Error, "  ✕ ", "removed on "+where+" · "+convWhen(now, m.RemovedAt), w)...)
	}
	if m.Hidden {
		out = append(out, convHanging(st.DueSoon, "  ◌ ", "hidden on "+where, w)...)
	}
	if m.EditedAt != 0 {
		line := "edited · " + convWhen(now, m.EditedAt)
		if m.Original != "" {
			line += ` · first written: "` + ansi.Truncate(Safe(m.Original), maxOriginalShown, "…") + `"`
		}
		out = append(out, convHanging(st.Faint, "  ✎ ", line, w)...)
	}
	return out
}
