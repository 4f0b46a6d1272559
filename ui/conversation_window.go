package ui

import (
	"cmp"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// What Meta allows in a conversation, under its header: how long a DM's reply window has
// left (or since when it is closed), and in a comment conversation the private reply to
// the latest commenter, with its key. The rules are inbox's; this file says them.

// windowWarnLeft is how little time left turns the window's line to the warning colour.
const windowWarnLeft = time.Hour

// convWindowTickMsg redraws the window's line as its time runs.
type convWindowTickMsg struct {
	id  int64
	seq int
}

// openPrivateReplyMsg asks the root model to open the private reply composer.
type openPrivateReplyMsg struct{ ConvID int64 }

// windowLines is the header's line about Meta's limits, none where no limit applies.
func (s *conversationScreen) windowLines(w int) []string {
	st, now := s.c.Styles, s.c.Now()
	if text := s.window.WindowText(now); text != "" {
		style := st.Faint
		switch left := s.window.ClosesAt.Sub(now); {
		case !s.window.OpenAt(now):
			style = st.Overdue
		case left < windowWarnLeft:
			style = st.DueSoon
		}
		return []string{convFit(style.Render(Safe(text)), w)}
	}
	if p := s.private; p != nil {
		k := s.c.Keys.PrivateReply.Help().Key
		line := st.Bold.Render(Safe(k)) + st.Faint.Render(" private reply to "+Safe(commenter(p.Comment))+
			" by "+inbox.ChannelLabel(p.Channel)+" DM · "+inbox.FormatDuration(p.ClosesAt.Sub(now).Truncate(time.Minute))+" left to send it")
		return []string{convFit(line, w)}
	}
	return nil
}

// commenter is how a private reply names who it goes to: their handle, with an @.
func commenter(m inbox.MessageRow) string {
	if h := strings.TrimSpace(m.AuthorHandle); h != "" {
		if !strings.HasPrefix(h, "@") {
			h = "@" + h
		}
		return h
	}
	return cmp.Or(strings.TrimSpace(m.AuthorName), "the commenter")
}

// windowTick asks for a redraw while a window or a private reply's time runs, and
// nothing without a live clock (tests, where time stands still).
func (s *conversationScreen) windowTick() tea.Cmd {
	if s.c.Tick <= 0 || (!s.window.Applies && s.private == nil) {
		return nil
	}
	id, seq := s.id, s.seq
	return tea.Tick(s.c.Tick, func(time.Time) tea.Msg { return convWindowTickMsg{id: id, seq: seq} })
}

// onWindowTick redraws when the line's words changed (a minute passed, the window
// closed), and asks for the next tick; a tick of an older load stops its chain.
func (s *conversationScreen) onWindowTick(msg convWindowTickMsg) tea.Cmd {
	if msg.id != s.id || msg.seq != s.seq {
		return nil
	}
	if strings.Join(s.windowLines(max(s.width, 1)), "\n") != strings.Join(s.winLines, "\n") {
		s.relayout(func() {})
	}
	return s.windowTick()
}

// privateReply is the private reply key: the composer where one applies, else the
// reason in the status line.
func (s *conversationScreen) privateReply() tea.Cmd {
	if !s.loaded || s.err != nil {
		return nil
	}
	if s.private == nil {
		why := s.privateErr
		if why == nil {
			why = errors.New("no private reply here")
		}
		var pe *inbox.PrivateReplyError
		if errors.As(why, &pe) {
			return func() tea.Msg { return statusMsg{Text: Safe(pe.Error())} } // a reason, not a failure
		}
		return func() tea.Msg { return statusMsg{Err: why} }
	}
	id := s.id
	return func() tea.Msg { return openPrivateReplyMsg{ConvID: id} }
}
