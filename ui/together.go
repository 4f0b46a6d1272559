package ui

import (
	"context"
	"runtime"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// togetherMsg is the answers of several commands delivered as one message, so the
// screen is drawn once for all of them (Bubble Tea draws after every message).
type togetherMsg []tea.Msg

// together runs cmds (and the commands of any batch they return) at the same time and
// answers with all their messages in one togetherMsg, in the order of cmds. Use it for
// reads that land together anyway (a live reload's page, count and failed replies); a
// command that waits for something (a key, the clock) must not be one of them.
func together(cmds ...tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		return togetherMsg(runTogether(cmds))
	}
}

// liveReads are the turns of live reloads in this process: every commit makes every
// screen of triage team read again at once, and fifty screens reading at the same time
// on two cores gained nothing but a connection each (opening one reads the whole
// schema: a fifth of the server's work). A few at a time finish as soon, in order.
var liveReads = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// inTurn runs cmd when a live reload's turn comes (see liveReads), or not at all once
// ctx ends.
func inTurn(ctx context.Context, cmd tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		select {
		case liveReads <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		defer func() { <-liveReads }()
		return cmd()
	}
}

func runTogether(cmds []tea.Cmd) []tea.Msg {
	out := make([][]tea.Msg, len(cmds))
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		if cmd == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch msg := cmd().(type) {
			case nil:
			case tea.BatchMsg:
				out[i] = runTogether(msg)
			default:
				out[i] = []tea.Msg{msg}
			}
		}()
	}
	wg.Wait()
	var msgs []tea.Msg
	for _, o := range out {
		msgs = append(msgs, o...)
	}
	return msgs
}

// routeTogether handles each message of a togetherMsg in turn; the frame drawn last
// stands only when none of them changed the screen.
func (m *Model) routeTogether(msgs togetherMsg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(msgs))
	still := true
	for _, msg := range msgs {
		_, cmd := m.route(msg)
		cmds = append(cmds, cmd)
		still = still && m.still
	}
	m.still = still
	return tea.Batch(cmds...)
}

// keepFrame says the message being handled changed nothing on the screen: View gives
// the frame drawn last again.
func (m *Model) keepFrame() { m.still = true }
