package ui

import (
	"context"
	"log/slog"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// Live: what anyone commits (another agent's reply, tag, done or assignment, a message
// from sync or serve, an import in another process) and where the others are reach the
// screen as a liveMsg from the person's hub session. The page shown is read again with
// the cursor kept on its row, as after sync; a reload already under way (a jump to the
// end, a new search) is left to land first, and the changes are read after it.

// liveMsg says what changed since the screen last heard.
type liveMsg struct{ change inbox.Change }

// listen waits for the session's next changes. Like the clock it runs only when
// Common.Tick > 0: tests keep time still and send liveMsg themselves.
func (m *Model) listen() tea.Cmd {
	s, ctx := m.c.Session, m.c.Ctx
	if s == nil || m.c.Tick <= 0 {
		return nil
	}
	return func() tea.Msg {
		c, err := s.Next(ctx)
		if err != nil {
			return nil // the session left or the screen closed: nothing more to hear
		}
		return liveMsg{change: c}
	}
}

// onLive applies changes: presence is drawn from a new snapshot; data is read again.
// Data alone changes nothing on the screen until the reads come back, so the frame drawn
// last stands (under fifty agents, every commit reaches every screen: drawing frames
// that did not change was most of the server's work).
func (m *Model) onLive(msg liveMsg) tea.Cmd {
	cmds := []tea.Cmd{m.listen()}
	if msg.change&inbox.ChangePresence != 0 {
		m.c.Others = m.c.Session.Others()
		if m.conv != nil {
			m.conv.relayout(func() {}) // the header's line about the others
		}
	} else {
		m.keepFrame()
	}
	if msg.change&inbox.ChangeData != 0 {
		cmds = append(cmds, m.reloadLive())
	}
	return tea.Batch(cmds...)
}

// reloadLive reads the page, its count, the failed replies and the open conversation
// again, keeping the cursor on its row and the conversation's scroll where it is. The
// reads come back as one message, so the screen is drawn once for them, and wait their
// turn with the other screens' (inTurn).
func (m *Model) reloadLive() tea.Cmd {
	cmds := []tea.Cmd{m.countFailed()}
	if m.queue.loading {
		m.liveStale = true // after the read under way: see queueLoaded
	} else {
		cmds = append(cmds, m.queue.reload(false))
	}
	if m.conv != nil {
		cmds = append(cmds, m.conv.Reload())
	}
	return inTurn(m.c.Ctx, together(cmds...))
}

// afterQueueLoaded reads the page once more when a change came while it was loading.
func (m *Model) afterQueueLoaded() tea.Cmd {
	if !m.liveStale || m.queue.loading {
		return nil
	}
	m.liveStale = false
	return m.queue.reload(false)
}

// joinHub makes the person's session in hub, left when ctx ends (the SSH session or
// the local UI closing), which takes their presence off the others' screens.
func joinHub(ctx context.Context, hub *inbox.Hub, agent string) *inbox.Session {
	if hub == nil {
		return nil
	}
	s := hub.Join(agent)
	context.AfterFunc(ctx, s.Leave)
	return s
}

// RunHub makes the hub of svc's database and runs its watch until ctx ends, logging
// why it stopped if it fails (the screens then still hear of this process's commits).
// `triage` runs one for its one screen; `triage team` one for all its sessions, passed
// to each in SessionOptions.Hub.
func RunHub(ctx context.Context, svc *inbox.Service, log *slog.Logger) *inbox.Hub {
	hub := inbox.NewHub(svc)
	go func() {
		if err := hub.Run(ctx, 0); err != nil && log != nil {
			log.Error("live changes from other processes stopped", "err", err)
		}
	}()
	return hub
}
