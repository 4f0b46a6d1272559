package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// Approval in the conversation: a reply awaiting approval says so under its text (with
// the keys that approve it or send it back, for those who may), a reply sent back shows
// the lead's note with the keys that send it again or take it back to edit (as a failed
// reply does), and A and B act on the conversation's newest reply awaiting approval. Who
// may approve is the inbox's to say: a refusal comes back from it to the status line.

// approvalLine is what a reply in an approval status shows under its text; ok is false
// for any other reply. bad says it needs its author's hand.
func (s *conversationScreen) approvalLine(m *inbox.MessageRow) (line string, bad, ok bool) {
	k := s.c.Keys
	switch m.OutboxStatus {
	case inbox.OutboxAwaitingApproval:
		// Short enough for one line beside the author card: the keys must not wrap apart.
		line = "⧗ awaiting approval by a lead"
		if s.c.Inbox.CanApprove() && m.Agent != s.c.Inbox.Agent() {
			line += fmt.Sprintf(" · %s approve · %s send back", k.Approve.Help().Key, k.SendBack.Help().Key)
		} else {
			line += ": not sent, the customer still waits"
		}
		return line, false, true
	case inbox.OutboxReturned:
		return fmt.Sprintf("↩ sent back by a lead: %s · %s send again · %s edit", Safe(cmpOr(m.OutboxError, "no note")),
			k.Retry.Help().Key, k.TakeBack.Help().Key), true, true
	}
	return "", false, false
}

// awaitingReply is the conversation's newest reply awaiting approval, the one A and B act on.
func (s *conversationScreen) awaitingReply() (inbox.MessageRow, bool) {
	for i := len(s.thread.Messages) - 1; i >= 0; i-- {
		if m := s.thread.Messages[i]; m.OutboxStatus == inbox.OutboxAwaitingApproval {
			return m, true
		}
	}
	return inbox.MessageRow{}, false
}

// approveReply approves the conversation's reply awaiting approval: it leaves after the
// undo window, and u takes the approval back meanwhile.
func (m *Model) approveReply() tea.Cmd {
	r, ok := m.conv.awaitingReply()
	if !ok {
		m.setStatus("no reply awaiting approval in this conversation", nil)
		return nil
	}
	c, id, who := m.c, m.conv.ID(), m.who([]int64{m.conv.ID()})
	return func() tea.Msg {
		sent, err := c.Inbox.Approve(c.Ctx, r.ID)
		what := fmt.Sprintf("approved %s's reply to %s: sending in %s · %s undo", Safe(r.Agent), who,
			untilText(sent.SendAt.Sub(c.Now())), c.Keys.Undo.Help().Key)
		return actionMsg{What: what, IDs: []int64{id}, Err: err}
	}
}

// sendBackReply asks for the note that sends the conversation's reply awaiting approval
// back to its author. Someone who may not send replies back hears so from the inbox at
// once, before writing a note for nothing.
func (m *Model) sendBackReply() tea.Cmd {
	r, ok := m.conv.awaitingReply()
	if !ok {
		m.setStatus("no reply awaiting approval in this conversation", nil)
		return nil
	}
	c, id := m.c, m.conv.ID()
	if !c.Inbox.CanApprove() {
		return func() tea.Msg {
			return actionMsg{What: "send the reply back", IDs: []int64{id}, Err: c.Inbox.SendBack(c.Ctx, r.ID, "")}
		}
	}
	return m.open(newSendBackDialog(c, id, r))
}

// sendBackDialog asks a lead why a reply goes back to its author.
type sendBackDialog struct {
	c     *Common
	conv  int64
	reply inbox.MessageRow
	input textinput.Model
	busy  bool
	err   error
	w     int
}

func newSendBackDialog(c *Common, conv int64, reply inbox.MessageRow) *sendBackDialog {
	in := newDialogInput(c.Styles, "note: ", "what to change, for "+reply.Agent)
	d := &sendBackDialog{c: c, conv: conv, reply: reply, input: in}
	d.SetSize(c.Width, c.Height)
	return d
}

// Init focuses the note.
func (d *sendBackDialog) Init() tea.Cmd { return d.input.Focus() }

// SetSize fits the dialog to the screen.
func (d *sendBackDialog) SetSize(w, h int) {
	d.w = min(w-4, 80)
	sizeInput(&d.input, max(d.w-4, 10))
}

// ShortHelp lists the dialog's keys.
func (d *sendBackDialog) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send back")), d.c.Keys.Cancel}
}

// Update sends the reply back on enter, with the note; esc keeps it awaiting approval.
func (d *sendBackDialog) Update(msg tea.Msg) (overlay, tea.Cmd) {
	switch msg := msg.(type) {
	case attemptedMsg:
		d.busy = false
		cmd, err := finish(msg)
		d.err = err
		return d, cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, d.c.Keys.Cancel):
			return d, closeOverlay
		case key.Matches(msg, d.c.Keys.Accept):
			if d.busy {
				return d, nil
			}
			d.busy, d.err = true, nil
			c, id, note := d.c, d.reply.ID, strings.TrimSpace(d.input.Value())
			what := "sent " + Safe(d.reply.Agent) + "'s reply back"
			return d, attempt(what, []int64{d.conv}, false, func() error { return c.Inbox.SendBack(c.Ctx, id, note) })
		}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return d, cmd
}

// View is the question, the note and what went wrong, if anything did.
func (d *sendBackDialog) View() string {
	st := d.c.Styles
	body := st.DialogHead.Render("Send "+Safe(d.reply.Agent)+"'s reply back") + "\n" + d.input.View()
	if d.err != nil {
		body += "\n" + st.Error.Render(Safe(d.err.Error()))
	} else {
		body += "\n" + st.Faint.Render("it stays in the conversation for its author to edit or send again; enter sends it back")
	}
	return st.Dialog.Width(d.w).Render(body)
}

// awaitingLine is a lead's footer note of the replies waiting for them, "" for none.
func (m *Model) awaitingLine() string {
	switch {
	case m.awaiting == 0:
		return ""
	case m.awaiting == 1:
		return m.c.Styles.DueSoon.Render("1 reply awaits approval · /is:awaiting-approval")
	}
	return m.c.Styles.DueSoon.Render(fmt.Sprintf("%d replies await approval · /is:awaiting-approval", m.awaiting))
}

// approvalKeys are the keys of approval that help shows: to those who may approve, in an
// inbox where someone's replies need approval; to anyone else they would do nothing.
func (m *Model) approvalKeys() []key.Binding {
	if !m.c.Inbox.CanApprove() || !m.c.Inbox.Config().Team.ApprovalOn() {
		return nil
	}
	return []key.Binding{m.c.Keys.Approve, m.c.Keys.SendBack}
}
