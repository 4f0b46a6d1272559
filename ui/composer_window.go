package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/triage-inbox/triage/inbox"
)

// The composer and Meta's limits: a reply in a DM whose reply window has closed is
// written as any other, but the first send only warns (Meta would refuse it; WhatsApp
// takes only templates) and the second sends; the text is never touched. A private reply
// (the P key in a comment conversation) is this composer addressed to the commenter.

// newPrivateComposer opens the composer for a private reply to the latest commenter of
// a comment conversation, from the conversation's saved draft.
func newPrivateComposer(c *Common, convID int64) *composer {
	m := newComposer(c, convID, "")
	m.private = true
	m.ta.Placeholder = "Write your private reply…"
	return m
}

// outsideWindow reports whether a reply now falls outside the conversation's reply
// window. A private reply has its own 7-day rule, which the inbox checks.
func (m *composer) outsideWindow() bool {
	return !m.private && m.loaded && !m.window.OpenAt(m.c.Now())
}

// windowNotice is the window's notice under the reply: faint while it is open, in the
// warning colour under an hour or once closed, and, after a first send outside it, what
// the next send does.
func (m *composer) windowNotice() (composerNotice, bool) {
	if m.private || !m.loaded {
		return composerNotice{}, false
	}
	st, now := m.c.Styles, m.c.Now()
	text := m.window.WindowText(now)
	if text == "" {
		return composerNotice{}, false
	}
	style := st.Faint
	if !m.window.OpenAt(now) || m.window.ClosesAt.Sub(now) < windowWarnLeft {
		style = lipgloss.NewStyle().Foreground(st.Warn)
	}
	if m.stopped&stopWindow != 0 && m.outsideWindow() {
		text = "⚠ Outside the reply window: " + strings.TrimPrefix(strings.TrimPrefix(text, "no reply window: "), "reply window ") + ". " +
			m.againSends("sends it anyway")
		return m.confirmNotice(text), true // keeps its rows first
	}
	return composerNotice{style: style, text: Safe(text), keep: 2}, true
}

// privateTitle is the private reply composer's title: who it goes to, and how.
func (m *composer) privateTitle() string {
	who := "the commenter"
	if m.target != nil {
		who = commenter(m.target.Comment)
	}
	return "Private reply to " + Safe(who) + " (" + Safe(inbox.ChannelLabel(m.info.Channel)) + " DM)"
}
