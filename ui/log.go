package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// This file holds the footer's status line and the log screen (L): what happened this
// session, every error included, so that an error a dialog showed is still there to read
// after the dialog has closed.

// maxLog is how many lines the log screen keeps.
const maxLog = 500

// logStamp is the width of a log line's time and the space after it.
const logStamp = len("15:04:05 ")

type logLine struct {
	at    time.Time
	text  string
	err   bool
	count int // how many times in a row it happened
}

// setStatus puts text, or err when there is one, in the footer and the log. While quitting
// waits for y or n, the question keeps the footer and what happens meanwhile only goes
// to the log: an answer must never be given to a question the person no longer sees.
func (m *Model) setStatus(text string, err error) {
	if err != nil {
		text = err.Error()
	}
	m.record(text, err)
	if m.confirmQuit {
		return
	}
	m.status, m.statusErr = text, err
}

// record adds a line to the log, and an error to the log file as well. The same line again
// counts up ("×3") rather than filling the screen, as a draft that fails to save at every
// pause in typing would.
func (m *Model) record(text string, err error) {
	if err != nil {
		text = err.Error()
	}
	if text == "" {
		return
	}
	if err != nil && m.c.Log != nil {
		m.c.Log.Error(text)
	}
	if n := len(m.log); n > 0 && m.log[n-1].text == text && m.log[n-1].err == (err != nil) {
		m.log[n-1].at = m.c.Now()
		m.log[n-1].count++
		return
	}
	m.log = append(m.log, logLine{at: m.c.Now(), text: text, err: err != nil, count: 1})
	if len(m.log) > maxLog {
		m.log = m.log[len(m.log)-maxLog:]
	}
}

// recordFailure logs the error carried by a message meant for a dialog, before the
// dialog takes it: the dialog shows it while it is open, the log keeps it. An action a
// dialog tried also goes to the footer, which outlives the dialog. The composer's errors
// go only to the log: the composer shows the state of its text itself, and a footer line
// about a draft would stay behind, wrong, once the draft is saved.
func (m *Model) recordFailure(msg tea.Msg) {
	switch msg := msg.(type) {
	case attemptedMsg:
		if msg.act.Err != nil {
			m.setStatus("", fmt.Errorf("%s: %w", msg.act.What, msg.act.Err))
		}
	case composerLoadedMsg:
		if msg.err != nil && msg.owner != nil {
			m.record("", fmt.Errorf("open the reply to conversation %d: %w", msg.owner.convID, msg.err))
		}
	case draftSavedMsg:
		if msg.err != nil && msg.owner != nil {
			m.record("", fmt.Errorf("save the draft of the reply to conversation %d: %w", msg.owner.convID, msg.err))
		}
	case replySentMsg:
		if msg.err != nil {
			m.record("", msg.err) // the inbox's error names the conversation
		}
	}
}

// logView shows what happened this session, newest last, each line wrapped to the
// window so that no error is cut; errors stand out.
func (m *Model) logView() string {
	st := m.c.Styles
	h, w := m.bodyHeight(), m.c.Width
	if len(m.log) == 0 {
		return st.Faint.Render("Nothing has happened yet this session.")
	}
	var rows []string // newest first, reversed at the end
	for i := len(m.log) - 1; i >= 0 && len(rows) < h; i-- {
		l := m.log[i]
		text := Safe(l.text)
		if l.count > 1 {
			text += fmt.Sprintf(" ×%d", l.count)
		}
		lines := wrapLines(text, w-logStamp, h)
		for j := len(lines) - 1; j >= 0; j-- {
			line := lines[j]
			if l.err {
				line = st.Error.Render(line)
			}
			head := strings.Repeat(" ", logStamp)
			if j == 0 {
				head = st.Faint.Render(l.at.Format("15:04:05")) + " "
			}
			rows = append(rows, head+line)
		}
	}
	rows = rows[:min(len(rows), h)]
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return strings.Join(rows, "\n")
}
