package ui

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// A reply the channel refused must be impossible to miss: the queue row says "failed"
// where its SLA badge was (queue_view.go), the conversation shows the reason under the
// reply with the keys that send it again or take it back to edit, and the footer counts
// them everywhere. This file holds the footer's count and the two keys.

// failedCountMsg is how many replies are failed, read after every change and on the
// clock, and for a lead how many await approval (the same reads, at the same times).
type failedCountMsg struct {
	n, awaiting int
	err         error
}

// countFailed reads the number of failed replies (and, for a lead, of replies awaiting
// approval) off the UI goroutine.
func (m *Model) countFailed() tea.Cmd {
	c, lead := m.c, m.approvalKeys() != nil
	return func() tea.Msg {
		n, err := c.Inbox.FailedReplies(c.Ctx)
		var awaiting int
		if err == nil && lead {
			awaiting, err = c.Inbox.AwaitingApproval(c.Ctx)
		}
		return failedCountMsg{n: n, awaiting: awaiting, err: err}
	}
}

// failedLine is the footer's warning: how many replies failed and how to find them; for
// a lead, first how many replies wait for them.
func (m *Model) failedLine() string {
	line := m.awaitingLine()
	if m.failed == 0 {
		return line
	}
	if line != "" {
		line += "  "
	}
	what := "1 reply failed"
	if m.failed > 1 {
		what = fmt.Sprintf("%d replies failed", m.failed)
	}
	return line + m.c.Styles.Error.Render(what+" · /is:failed")
}

// failedReply is the conversation's newest reply that failed, whose fate is unknown or
// that a lead sent back, the one R and E act on.
func (s *conversationScreen) failedReply() (inbox.MessageRow, bool) {
	for i := len(s.thread.Messages) - 1; i >= 0; i-- {
		m := s.thread.Messages[i]
		if m.OutboxStatus == inbox.OutboxFailed || m.OutboxStatus == inbox.OutboxUnknown || m.OutboxStatus == inbox.OutboxReturned {
			return m, true
		}
	}
	return inbox.MessageRow{}, false
}

// retryReply sends the conversation's failed reply again.
func (m *Model) retryReply() tea.Cmd {
	r, ok := m.conv.failedReply()
	if !ok {
		m.setStatus("no failed reply in this conversation", nil)
		return nil
	}
	c, id, who := m.c, m.conv.ID(), m.who([]int64{m.conv.ID()})
	return func() tea.Msg {
		sent, err := c.Inbox.RetryReply(c.Ctx, r.ID)
		what := fmt.Sprintf("sending the reply to %s again in %s · u undo", who, untilText(sent.SendAt.Sub(c.Now())))
		if sent.AwaitingApproval {
			what = fmt.Sprintf("the reply to %s awaits approval by a lead again · u undo", who)
		}
		return actionMsg{What: what, IDs: []int64{id}, Err: err}
	}
}

// editFailedReply takes the failed reply back and opens it in the composer.
func (m *Model) editFailedReply() tea.Cmd {
	r, ok := m.conv.failedReply()
	if !ok {
		m.setStatus("no failed reply in this conversation", nil)
		return nil
	}
	c, id := m.c, m.conv.ID()
	return func() tea.Msg {
		if _, err := c.Inbox.TakeBack(c.Ctx, r.ID); err != nil {
			return actionMsg{What: "take back the reply", IDs: []int64{id}, Err: err}
		}
		return openComposerMsg{ConvID: id}
	}
}

// undoneReplyMsg is an undo that took a reply back inside its window: the composer opens
// on its text.
type undoneReplyMsg struct {
	act     actionMsg
	conv    int64
	private bool // a private reply: it reopens as one, never as a public reply
}

// undoMessage says what an undo did, naming the customer: "undid done on Matt Baker".
func undoMessage(u inbox.Undone, err error) tea.Msg {
	if errors.Is(err, inbox.ErrNothingToUndo) {
		return statusMsg{Text: "nothing to undo"}
	}
	if errors.Is(err, inbox.ErrAlreadySent) {
		return statusMsg{Text: err.Error()} // said plainly: it is no failure of triage's
	}
	on := ""
	switch n := len(u.Conversations); {
	case n > 1:
		on = fmt.Sprintf(" on %d conversations", n)
	case len(u.Customers) == 1:
		on = " on " + Safe(u.Customers[0])
	}
	what := "undid " + undoneWhat(u) + on
	if u.Action == "reply" && err == nil {
		what = "took back the reply" + on + " before it was sent; it is in the composer"
	}
	if u.Notice != "" {
		what += " — " + u.Notice
	}
	return actionMsg{What: what, IDs: u.Conversations, Err: err}
}
