package ui

import (
	"cmp"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Moving from conversation to conversation without going back to the queue, as mail
// clients do: J and K open the next and the previous conversation of the queue, and an
// action that takes a conversation off the person's hands (done, spam, escalate, a quick
// canned reply) opens the one after it once the queue has been read again. The queue's
// cursor follows, so esc lands on the conversation last shown.

// openConversation shows conversation id.
func (m *Model) openConversation(id int64) tea.Cmd {
	m.conv = newConversation(m.c, id)
	m.conv.SetSize(m.c.Width, m.bodyHeight())
	m.screen = screenConversation
	return m.conv.Init()
}

// convKey handles the keys that leave one conversation for another.
func (m *Model) convKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.NextConv):
		return m.stepConversation(1), true
	case key.Matches(msg, k.PrevConv):
		return m.stepConversation(-1), true
	}
	return nil, false
}

// stepConversation opens the conversation n rows from the one shown (1 the next, -1 the
// previous) in the queue's order.
func (m *Model) stepConversation(n int) tea.Cmd {
	q := m.queue
	at, shown := q.indexOf(m.conv.ID())
	if !shown {
		// It left the view (done elsewhere, say): the cursor is where it was, so the
		// row there is already the next one.
		at = q.cursor
		if n > 0 {
			n = 0
		}
	}
	if i := at + n; i < 0 || i >= len(q.rows) {
		which := "next"
		if n < 0 {
			which = "previous"
		}
		m.setStatus(fmt.Sprintf("no %s conversation in %s", which, q.currentView().Name), nil)
		return nil
	}
	q.cursor = at
	page := q.move(n)
	r, _ := q.current()
	m.setStatus("", nil)
	return tea.Batch(page, m.openConversation(r.ID))
}

// moveOn follows an action that took conversation id off the person's hands on its
// screen: the queue is read again, moving past it, and arrive opens what follows.
func (m *Model) moveOn(id int64) tea.Cmd {
	q := m.queue
	i, shown := q.indexOf(id)
	if shown {
		q.cursor = i
	}
	m.onward = id
	m.onwardLast = shown && i == len(q.rows)-1 && q.end
	q.acted = id
	return q.reload(true)
}

// arrive opens the conversation the queue's cursor moved on to after moveOn, or shows
// the queue when nothing follows. The person may have gone elsewhere meanwhile; then it
// does nothing.
func (m *Model) arrive() tea.Cmd {
	from, last := m.onward, m.onwardLast
	m.onward, m.onwardLast = 0, false
	if m.screen != screenConversation || m.conv == nil || m.conv.ID() != from {
		return nil
	}
	r, ok := m.queue.current()
	if !ok || last || r.ID == from {
		m.screen, m.conv = screenQueue, nil
		m.setStatus(m.status+" · no conversation left after it in "+m.queue.currentView().Name, nil)
		return nil
	}
	return m.openConversation(r.ID)
}

// indexOf is the row of conversation id in the window, if it is there.
func (q *queueScreen) indexOf(id int64) (int, bool) {
	for i, r := range q.rows {
		if r.ID == id {
			return i, true
		}
	}
	return 0, false
}

// who names the customer of the one conversation ids holds, as the screen shows them, for
// a dialog's title; "" for several conversations, or one the screen does not show.
func (m *Model) who(ids []int64) string {
	if len(ids) != 1 {
		return ""
	}
	id := ids[0]
	if s := m.conv; s != nil && s.ID() == id && s.loaded && s.err == nil {
		return Safe(cmp.Or(strings.TrimSpace(s.thread.Info.AuthorName), s.thread.Info.AuthorHandle))
	}
	if i, ok := m.queue.indexOf(id); ok {
		r := m.queue.rows[i]
		return Safe(cmp.Or(strings.TrimSpace(r.AuthorName), r.AuthorHandle))
	}
	return ""
}
