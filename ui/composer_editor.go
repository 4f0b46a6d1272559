package ui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// ctrl+e hands the reply to the person's own editor ($VISUAL, else $EDITOR, else vi) and
// takes the text back when it exits. Nothing written is lost on the way: the text goes to
// a file first; an editor that cannot start, or exits with an error, leaves the reply as it
// was (and the file, with whatever the editor wrote, is kept and named); an editor that
// leaves the file empty leaves the reply as it was too.
//
// Three steps, so that Update does no I/O: a command writes the file and finds the editor
// (editorReadyMsg), tea.ExecProcess runs it with the terminal (editorExitedMsg), a command
// reads the file back (editorDoneMsg).

type (
	editorReadyMsg struct {
		owner *composer
		cmd   *exec.Cmd
		path  string
		err   error
	}
	editorExitedMsg struct {
		owner *composer
		path  string
		err   error
	}
	editorDoneMsg struct {
		owner *composer
		text  string
		kept  string // the file, kept because the editor failed
		err   error
	}
)

// editorCommand is the person's editor, as the shell would split it ("code --wait").
func editorCommand() []string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if f := strings.Fields(os.Getenv(v)); len(f) > 0 {
			return f
		}
	}
	return []string{"vi"}
}

// openEditor writes the reply to a file and readies the editor on it.
func (m *composer) openEditor() tea.Cmd {
	owner, text := m, m.ta.Value()
	return func() tea.Msg {
		f, err := os.CreateTemp("", "triage-reply-*.txt") // 0600: a reply is nobody else's
		if err != nil {
			return editorReadyMsg{owner: owner, err: fmt.Errorf("open the editor: %w", err)}
		}
		_, werr := f.WriteString(text)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(f.Name())
			return editorReadyMsg{owner: owner, err: fmt.Errorf("open the editor: write %s: %w", f.Name(), werr)}
		}
		argv := append(editorCommand(), f.Name())
		return editorReadyMsg{owner: owner, cmd: exec.Command(argv[0], argv[1:]...), path: f.Name()}
	}
}

// runEditor gives the terminal to the editor.
func (m *composer) runEditor(msg editorReadyMsg) tea.Cmd {
	if msg.err != nil {
		m.err = msg.err
		return nil
	}
	m.editing = true
	owner, path := m, msg.path
	return tea.ExecProcess(msg.cmd, func(err error) tea.Msg { return editorExitedMsg{owner: owner, path: path, err: err} })
}

// readEditor reads back what the editor left, once it has exited.
func (m *composer) readEditor(msg editorExitedMsg) tea.Cmd {
	owner, path, runErr := m, msg.path, msg.err
	return func() tea.Msg {
		if runErr != nil {
			if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
				return editorDoneMsg{owner: owner, kept: path, err: runErr}
			}
			os.Remove(path)
			return editorDoneMsg{owner: owner, err: runErr}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return editorDoneMsg{owner: owner, kept: path, err: err}
		}
		os.Remove(path)
		return editorDoneMsg{owner: owner, text: string(b)}
	}
}

// editorDone takes the editor's text as the reply, or says why the reply is unchanged.
func (m *composer) editorDone(msg editorDoneMsg) tea.Cmd {
	m.editing = false
	switch {
	case msg.err != nil && msg.kept != "":
		m.err = fmt.Errorf("the editor failed (%w); the reply is as it was, and what the editor wrote is in %s", msg.err, msg.kept)
		return nil
	case msg.err != nil:
		m.err = fmt.Errorf("the editor failed; the reply is as it was: %w", msg.err)
		return nil
	}
	text := strings.TrimRight(msg.text, "\n")
	if strings.TrimSpace(text) == "" && strings.TrimSpace(m.ta.Value()) != "" {
		m.err = errors.New("the editor left the reply empty; the reply is as it was")
		return nil
	}
	if text == m.ta.Value() {
		return nil
	}
	m.ta.SetValue(SafeText(text))
	m.err, m.discard = nil, false
	m.check()
	return m.schedule()
}
