package ui

import (
	"charm.land/lipgloss/v2"
)

// A send that deserves a second look stops, and the composer's notice says why and that
// the send key again sends; the text is never touched. Two things ask for it: a reply
// outside Meta's reply window (composer_window.go), and what others added to the
// conversation since the composer opened (composer_arrived.go).

// sendCheck is one reason a send stops.
type sendCheck uint8

// What arrived asks again for anything newer than what it showed, by moving the
// composer's mark (composer_arrived.go), so it needs no flag here.
const (
	stopWindow sendCheck = 1 << iota // asked once: the window does not reopen by waiting
)

// stopOnce reports whether a send must stop for check: true the first time only, after
// which the notice says what the next send does.
func (m *composer) stopOnce(c sendCheck) bool {
	if m.stopped&c != 0 {
		return false
	}
	m.stopped |= c
	return true
}

// confirmNotice is the notice of a stopped send: in the warning colour, bold, and kept
// first when rows are short, since it says what the next key press does.
func (m *composer) confirmNotice(text string) composerNotice {
	return composerNotice{style: lipgloss.NewStyle().Foreground(m.c.Styles.Warn).Bold(true), text: Safe(text)}
}

// againSends is the end of every such notice: what the keys do now.
func (m *composer) againSends(what string) string {
	k := m.c.Keys
	return k.Send.Help().Key + " again " + what + "; " + k.Cancel.Help().Key + " keeps it as a draft."
}
