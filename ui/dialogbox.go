package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// This file holds what the pickers and dialogs share: their frame, their size, their
// text input and the way an action comes back to them before it reaches the root.

// dialogMaxWidth keeps dialogs a readable column on wide screens; on narrow ones they
// take the whole width.
const dialogMaxWidth = 76

// dialogMinRows is the least number of list rows a dialog keeps, so a tiny terminal
// still shows something to choose from rather than nothing.
const dialogMinRows = 1

// dialogSize is the outer size of a dialog on a w×h screen: at most dialogMaxWidth wide
// and never wider or taller than the screen.
func dialogSize(w, h int) (int, int) {
	return max(min(w, dialogMaxWidth), 8), max(h, 5)
}

// dialogInner is the room inside a dialog's border and padding.
func dialogInner(st *Styles, w, h int) (int, int) {
	return max(1, w-st.Dialog.GetHorizontalFrameSize()), max(1, h-st.Dialog.GetVerticalFrameSize())
}

// drawDialog frames a dialog: a bordered box exactly w wide, its title on top and every
// line cut to the inner width. Cutting here, in one place, is what keeps untrusted or
// long text from wrapping and pushing the box past the screen's edge.
func drawDialog(st *Styles, w int, title string, lines []string) string {
	inner, _ := dialogInner(st, w, 0)
	out := make([]string, 0, len(lines)+1)
	out = append(out, st.DialogHead.Render(ansi.Truncate(title, inner, "…")))
	for _, l := range lines {
		out = append(out, ansi.Truncate(l, inner, "…"))
	}
	return st.Dialog.Width(w).Render(strings.Join(out, "\n"))
}

// dialogErrRows is the most lines a dialog gives the error of its last attempt.
const dialogErrRows = 3

// statusLine is a dialog's last line when it has no error: what enter will do, so the
// person knows before pressing it.
func statusLine(st *Styles, hint string) string { return st.Faint.Render(hint) }

// withStatus ends a dialog's lines with its status: the error of the last attempt when
// there is one, else the hint. The error is wrapped over as many lines as a dialog w×h
// (outer size) has left below lines and its title, up to dialogErrRows and at least one,
// and written cause first when even those are too few (see errorLines). Blank lines at
// the end of lines (a list shorter than its rows) give their room to the error first.
func withStatus(st *Styles, w, h int, lines []string, err error, hint string) []string {
	if err == nil {
		return append(lines, statusLine(st, hint))
	}
	iw, ih := dialogInner(st, w, h)
	need := min(wrappedRows(Safe(err.Error()), iw), dialogErrRows)
	for len(lines) > 0 && ih-1-len(lines) < need && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	rows := min(max(ih-1-len(lines), 1), need)
	for _, l := range errorLines(err, iw, rows) {
		lines = append(lines, st.Error.Render(l))
	}
	return lines
}

// newDialogInput is a one-line text input in triage's colours. Its cursor does not
// blink: a blink is a timer message every half second for the life of the dialog, and
// a steady block is just as easy to see.
func newDialogInput(st *Styles, prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	s := textinput.DefaultStyles(st.Dark)
	s.Cursor.Blink = false
	s.Focused.Prompt = lipgloss.NewStyle().Foreground(st.Accent)
	s.Focused.Placeholder = st.Faint
	s.Blurred.Placeholder = st.Faint
	s.Blurred.Prompt = st.Faint
	in.SetStyles(s)
	return in
}

// sizeInput fits a text input to w columns: its prompt and the cursor cell included.
func sizeInput(in *textinput.Model, w int) {
	in.SetWidth(max(1, w-ansi.StringWidth(in.Prompt)-1))
}

// attemptedMsg brings an action's result back to the dialog that asked for it, before
// the root sees it: an error keeps the dialog open with its message, and only a success
// is passed on (with closeOverlay).
type attemptedMsg struct{ act actionMsg }

// attempt runs an inbox action through do, off the UI goroutine, and reports it to the
// dialog as an attemptedMsg.
func attempt(what string, ids []int64, advance bool, fn func() error) tea.Cmd {
	run := do(what, ids, advance, fn)
	return func() tea.Msg {
		act, _ := run().(actionMsg)
		return attemptedMsg{act: act}
	}
}

// finish is a dialog's answer to its attempt: on success the actionMsg for the root and
// closeOverlay, together; on error no command and the error, which the dialog shows
// while it stays open.
func finish(m attemptedMsg) (tea.Cmd, error) {
	if m.act.Err != nil {
		return nil, m.act.Err
	}
	act := m.act
	return tea.Batch(func() tea.Msg { return act }, closeOverlay), nil
}

// isText reports a key press that types something (a letter, a digit, a space) rather
// than a command key, so dialogs can route it to their input.
func isText(msg tea.KeyPressMsg) bool {
	return msg.Text != "" && msg.Mod&^tea.ModShift == 0
}

// plural writes "1 conversation" or "3 conversations".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + one + "s"
}

// targetName names the conversations an action is for: the customer ("Matt Baker") for
// one, "3 conversations" for a bulk selection. who is the customer's name, made safe, as
// the screen shows it ("" when it is not known); an internal id is never shown.
func targetName(ids []int64, who string) string {
	switch {
	case len(ids) != 1:
		return plural(len(ids), "conversation")
	case who != "":
		return who
	}
	return "this conversation"
}
