package ui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// How a reply of ours stands, under it in the conversation: a countdown while it waits out
// its undo window ("sending in 7s · u undo"), the channel's reason when it failed, with the
// keys that send it again or take it back, and "taken back" for one that was.

// convTickMsg redraws a conversation whose reply is counting down.
type convTickMsg struct {
	id  int64
	seq int
}

// outboxTick asks for a redraw in a second while a reply of the thread waits out its undo
// window, and nothing otherwise: no timer runs for a conversation with nothing to count.
func (s *conversationScreen) outboxTick() tea.Cmd {
	if s.c.Tick <= 0 {
		return nil // no live clock (tests, a fixed time): nothing would count down
	}
	now := s.c.Now().UnixMilli()
	for _, m := range s.thread.Messages {
		if m.OutboxStatus == inbox.OutboxPending && m.OutboxNextAt > now-1000 {
			id, seq := s.id, s.seq
			return tea.Tick(time.Second, func(time.Time) tea.Msg { return convTickMsg{id: id, seq: seq} })
		}
	}
	return nil
}

// onTick redraws the countdown, and reads the thread again once a reply's window closed,
// so "sending" and then "sent" follow.
func (s *conversationScreen) onTick(msg convTickMsg) tea.Cmd {
	if msg.id != s.id || msg.seq != s.seq {
		return nil
	}
	now := s.c.Now().UnixMilli()
	for _, m := range s.thread.Messages {
		if m.OutboxStatus == inbox.OutboxPending && m.OutboxNextAt <= now {
			return s.Reload()
		}
	}
	s.relayout(func() {})
	return s.outboxTick()
}

// outboxLine is what a reply of ours shows under its text, "" for none.
func (s *conversationScreen) outboxLine(m *inbox.MessageRow) (string, bool) {
	if line, bad, ok := s.approvalLine(m); ok {
		return line, bad
	}
	k := s.c.Keys
	now := s.c.Now()
	switch m.OutboxStatus {
	case inbox.OutboxPending:
		left := time.UnixMilli(m.OutboxNextAt).Sub(now)
		if m.OutboxAttempts == 0 && left > 0 {
			return fmt.Sprintf("sending in %s · %s undo", untilText(left), k.Undo.Help().Key), false
		}
		if m.OutboxError != "" {
			return fmt.Sprintf("will try again in %s: %s", untilText(max(left, 0)), Safe(m.OutboxError)), false
		}
		return "sending…", false
	case inbox.OutboxFailed:
		return fmt.Sprintf("✗ not sent: %s · %s send again · %s edit", Safe(cmpOr(m.OutboxError, "the channel refused it")),
			k.Retry.Help().Key, k.TakeBack.Help().Key), true
	case inbox.OutboxUnknown:
		return fmt.Sprintf("? may not have been sent: %s · check the channel, then %s send again or %s edit",
			Safe(cmpOr(m.OutboxError, "the send was cut off")), k.Retry.Help().Key, k.TakeBack.Help().Key), true
	}
	return "", false
}

// untilText is a short countdown: 7s, 2m 5s.
func untilText(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return inbox.FormatDuration(d)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
