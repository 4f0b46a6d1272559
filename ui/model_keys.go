package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// The root model's keys: which screen or dialog a key goes to, the keys that act on
// conversations from the queue and the conversation alike, and the search line.

// handleKey: the dialog first, then the search line, then global keys, then the screen.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if m.confirmQuit {
		m.confirmQuit = false
		if msg.String() == "y" || key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		m.setStatus("", nil)
		return nil
	}
	if msg.String() == "ctrl+c" {
		return m.quit()
	}
	if m.overlay != nil {
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.Update(msg)
		return cmd
	}
	if m.searching {
		return m.searchKey(msg)
	}
	switch {
	case key.Matches(msg, k.Help):
		return m.showScreen(screenHelp)
	case key.Matches(msg, k.Quit):
		if m.screen != screenQueue {
			return m.goBack() // q quits from the queue only; elsewhere it goes back, as esc does
		}
		return m.quit()
	case key.Matches(msg, k.Back):
		return m.goBack()
	case key.Matches(msg, k.Stats):
		m.stats = newStatsScreen(m.c)
		m.stats.SetSize(m.c.Width, m.bodyHeight())
		return tea.Batch(m.showScreen(screenStats), m.stats.Init())
	case key.Matches(msg, k.Log):
		return m.showScreen(screenLog)
	case key.Matches(msg, k.Undo):
		return m.undo()
	}
	if m.screen == screenHelp {
		switch {
		case key.Matches(msg, k.Down):
			m.helpOffset++
		case key.Matches(msg, k.Up):
			m.helpOffset = max(m.helpOffset-1, 0)
		}
		return nil
	}
	if m.screen == screenStats && m.stats != nil {
		var cmd tea.Cmd
		m.stats, cmd = m.stats.Update(msg)
		return cmd
	}
	if m.screen != screenQueue && m.screen != screenConversation {
		return nil
	}
	if cmd, ok := m.actionKey(msg); ok {
		return cmd
	}
	if m.screen == screenConversation {
		if cmd, ok := m.convKey(msg); ok {
			return cmd
		}
		switch {
		case key.Matches(msg, k.Retry):
			return m.retryReply()
		case key.Matches(msg, k.TakeBack):
			return m.editFailedReply()
		case key.Matches(msg, k.Approve):
			return m.approveReply()
		case key.Matches(msg, k.SendBack):
			return m.sendBackReply()
		}
		var cmd tea.Cmd
		m.conv, cmd = m.conv.Update(msg)
		return cmd
	}
	return m.queueKey(msg)
}

// undo reverses the person's last action, and in a conversation their last action on it,
// never one elsewhere. A reply taken back inside its undo window opens in the composer.
func (m *Model) undo() tea.Cmd {
	c := m.c
	var in int64
	if m.screen == screenConversation && m.conv != nil {
		in = m.conv.ID()
	}
	return func() tea.Msg {
		u, err := c.Inbox.UndoIn(c.Ctx, in)
		msg := undoMessage(u, err)
		if act, ok := msg.(actionMsg); ok && err == nil && u.Action == "reply" && len(u.Conversations) == 1 {
			return undoneReplyMsg{act: act, conv: u.Conversations[0], private: u.Private}
		}
		return msg
	}
}

// queueKey handles the queue's own keys: open, search, views, selection, movement.
func (m *Model) queueKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	for i, vk := range k.ViewKeys {
		if key.Matches(msg, vk) && i < len(m.queue.views) {
			return m.queue.setView(i)
		}
	}
	switch {
	case key.Matches(msg, k.Open):
		r, ok := m.queue.current()
		if !ok {
			return nil
		}
		return m.openConversation(r.ID)
	case key.Matches(msg, k.Search):
		m.searching = true
		m.search.SetValue(m.queue.query)
		m.search.CursorEnd()
		return m.search.Focus()
	case key.Matches(msg, k.Views):
		return m.open(newViewPicker(m.c, m.queue.view))
	case key.Matches(msg, k.SelectQuery):
		return m.open(newSelectPrompt(m.c, m.queue.currentView()))
	case key.Matches(msg, k.ApplyToSelected):
		if len(m.queue.selected) == 0 {
			m.setStatus("nothing selected: space selects a conversation, T selects all that match a query", nil)
			return nil
		}
		m.prefix = true
		m.setStatus(fmt.Sprintf("; — the next action applies to the %d selected conversations", len(m.queue.selected)), nil)
		return nil
	}
	var cmd tea.Cmd
	m.queue, cmd = m.queue.Update(msg)
	return cmd
}

// targets are what an action key applies to: in the queue the selection (when there is one,
// or after ';') else the cursor row; in a conversation that conversation.
func (m *Model) targets() []int64 {
	if m.screen == screenConversation && m.conv != nil {
		return []int64{m.conv.ID()}
	}
	ids := m.queue.targets(true)
	m.prefix = false
	return ids
}

// actionKey handles the keys that act on conversations, on both the queue and a conversation.
func (m *Model) actionKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	for _, b := range k.Commands {
		if key.Matches(msg, b.Key) {
			ids := m.targets()
			if len(ids) == 0 {
				return nil, true
			}
			m.setStatus("running "+b.Desc+"…", nil)
			return runCommand(m.c, b, ids[0]), true
		}
	}
	actions := []key.Binding{k.Reply, k.Canned, k.QuickCanned, k.Tag, k.Escalate, k.Done, k.Snooze, k.Assign, k.Note, k.Spam, k.Reopen}
	if k.Moderate.Enabled() {
		actions = append(actions, k.Moderate)
	}
	if !key.Matches(msg, actions...) {
		return nil, false
	}
	ids := m.targets()
	if len(ids) == 0 {
		m.setStatus("no conversation here", nil)
		return nil, true
	}
	one := ids[0]
	advance := m.screen == screenQueue
	c := m.c
	switch {
	case key.Matches(msg, k.Reply):
		return m.open(newComposer(c, one, "")), true
	case key.Matches(msg, k.Canned):
		return m.open(newCannedPicker(c, ids, m.who(ids), false)), true
	case key.Matches(msg, k.QuickCanned):
		return m.open(newCannedPicker(c, ids, m.who(ids), true)), true
	case key.Matches(msg, k.Tag):
		return m.open(newTagPicker(c, ids, m.who(ids))), true
	case key.Matches(msg, k.Escalate):
		return m.open(newEscalateDialog(c, ids, m.who(ids))), true
	case key.Matches(msg, k.Snooze):
		return m.open(newSnoozeDialog(c, ids, m.who(ids))), true
	case key.Matches(msg, k.Assign):
		return m.open(newAssignPicker(c, ids, m.who(ids))), true
	case key.Matches(msg, k.Note):
		return m.open(newNoteDialog(c, one, m.who(ids))), true
	case key.Matches(msg, k.Moderate):
		return m.open(newModeratePicker(c, one)), true
	case key.Matches(msg, k.Done):
		return onward(do("done", ids, advance, func() error { return c.Inbox.Done(c.Ctx, ids...) })), true
	case key.Matches(msg, k.Spam):
		return onward(do("marked spam", ids, advance, func() error { return c.Inbox.Spam(c.Ctx, ids...) })), true
	case key.Matches(msg, k.Reopen):
		return do("reopened", ids, advance, func() error { return c.Inbox.Reopen(c.Ctx, ids...) }), true
	}
	return nil, false
}

// searchKey edits the search line; results follow as you type.
func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		if m.searchErr != nil {
			return nil // the error stays, over the results of the last search that made sense
		}
		m.searching = false
		m.search.Blur()
		return m.queue.doneTyping()
	case "esc":
		m.searching = false
		m.search.Blur()
		m.search.SetValue("")
		m.searchErr = nil
		return m.queue.setQuery("", false)
	}
	before := m.search.Value()
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	text := m.search.Value()
	if clean := Safe(text); clean != text {
		m.search.SetValue(clean) // pasted text may carry bidi overrides and the like
		text = clean
	}
	if text == before {
		return cmd
	}
	// Parsing is pure and quick, so it happens here; the page is fetched by a command.
	if _, err := inbox.ParseQueryIn(text, true, m.channels); err != nil {
		var qe *inbox.QueryError
		if errors.As(err, &qe) {
			m.searchErr = qe
		}
		return cmd
	}
	m.searchErr = nil
	return tea.Batch(cmd, m.queue.setQuery(text, true))
}

// selectMatching makes the answer to T the selection.
func (m *Model) selectMatching(msg selectedMsg) {
	if msg.Err != nil {
		m.setStatus("", fmt.Errorf("select %q: %w", msg.Query, msg.Err))
		return
	}
	m.queue.selected = map[int64]bool{}
	for _, id := range msg.IDs {
		m.queue.selected[id] = true
	}
	m.setStatus(fmt.Sprintf("selected %d conversations matching %q; press ; then an action key (t, d, a, e, s, !)", len(msg.IDs), msg.Query), nil)
}

// undoneWhat says in words what an undo reversed: "done", "tag shipping", "escalation".
func undoneWhat(u inbox.Undone) string {
	switch u.Action {
	case "state":
		st, _, _ := strings.Cut(u.Detail, ":")
		switch st {
		case "open", "new":
			return "reopen"
		case "snoozed":
			return "snooze"
		}
		return st
	case "tag", "untag", "assign":
		return u.Action + " " + Safe(u.Detail)
	case "escalate":
		return "escalation"
	case "takeback":
		return "take back"
	case "retry":
		return "send again"
	case "approve":
		return "approval"
	case "send_back":
		return "send back"
	}
	return u.Action
}
