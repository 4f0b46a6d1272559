package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// Presence on the screen: the queue's WHO column and the conversation's header show who
// else has a conversation open and who is writing a reply in it. What this person does
// is told to the hub as it happens (report); what the others do comes back as a liveMsg
// (presence_live.go), which takes a snapshot into Common.Others for the views to draw.

// report tells the hub where the person is after a message: the conversation open (on
// its screen or under the composer) and whether a reply with text is being written;
// a key or the mouse is activity. It runs in Update, not in a command: it only sets a
// few fields under the hub's lock, and commands run in any order, so "left the
// conversation" could land before "opened it".
func (m *Model) report(msg tea.Msg) {
	s := m.c.Session
	if s == nil {
		return
	}
	conv, replying := int64(0), false
	if m.conv != nil {
		conv = m.conv.ID()
	}
	if c, ok := m.overlay.(*composer); ok {
		conv, replying = c.convID, c.writing()
	}
	switch {
	case conv != m.shownConv || replying != m.shownReplying:
		m.shownConv, m.shownReplying = conv, replying
		s.Show(conv, replying)
	case isActivity(msg):
		s.Touch()
	}
}

func isActivity(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.MouseClickMsg, tea.MouseWheelMsg, tea.PasteMsg:
		return true
	}
	return false
}

// writing reports whether the composer holds a reply being written: text the person
// typed, not the sign-off a new reply starts with, and not yet sent.
func (m *composer) writing() bool {
	return m.loaded && !m.sent && !m.untouched() && strings.TrimSpace(m.ta.Value()) != ""
}

// whoCell is the queue's WHO cell for the others in a conversation: "✎dev" when dev is
// writing a reply in it, "•dev" when only viewing, "+1" for each agent more; "" when
// nobody else is there (the cell then shows the assignee).
func whoCell(others []inbox.Presence) string {
	if len(others) == 0 {
		return ""
	}
	first := others[0]
	for _, p := range others {
		if p.Replying {
			first = p // the one replying matters most: a second reply would collide
			break
		}
	}
	mark := "•"
	if first.Replying {
		mark = "✎"
	}
	more := ""
	if n := len(others) - 1; n > 0 {
		more = "+" + itoa(n)
	}
	return mark + ansi.Truncate(Safe(first.Agent), 7-1-len(more), "") + more
}

// presenceLines is the conversation header's line about the others in it: "dev is
// replying · ana and lee are viewing"; none when nobody else is there.
func (s *conversationScreen) presenceLines(w int) []string {
	others := s.c.Others[s.id]
	if len(others) == 0 {
		return nil
	}
	var replying, viewing []string
	for _, p := range others {
		if p.Replying {
			replying = append(replying, Safe(p.Agent))
		} else {
			viewing = append(viewing, Safe(p.Agent))
		}
	}
	st := s.c.Styles
	var parts []string
	if len(replying) > 0 {
		parts = append(parts, lipgloss.NewStyle().Foreground(st.Warn).Bold(true).Render(names(replying)+isAre(replying)+" replying"))
	}
	if len(viewing) > 0 {
		parts = append(parts, lipgloss.NewStyle().Foreground(st.Accent).Render(names(viewing)+isAre(viewing)+" viewing"))
	}
	return []string{convFit(strings.Join(parts, st.Faint.Render(" · ")), w)}
}

// names joins names as a sentence does: "dev", "dev and ana", "dev, ana and lee".
func names(n []string) string {
	if len(n) == 1 {
		return n[0]
	}
	return strings.Join(n[:len(n)-1], ", ") + " and " + n[len(n)-1]
}

func isAre(n []string) string {
	if len(n) == 1 {
		return " is"
	}
	return " are"
}

// whoStyle draws a WHO cell of presence apart from an assignee's name: in the warning
// colour when someone is replying, in the accent colour when only viewing.
func whoStyle(st *Styles, cell string) lipgloss.Style {
	if strings.HasPrefix(cell, "✎") {
		return lipgloss.NewStyle().Foreground(st.Warn).Bold(true)
	}
	return lipgloss.NewStyle().Foreground(st.Accent)
}
