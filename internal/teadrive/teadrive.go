// Package teadrive drives a Bubble Tea model the way its runtime would, for tests: key
// presses written as help writes them, and commands run until nothing is left. The ui
// package's tests use it, and so do end-to-end tests that type a reply in the UI and
// see it leave through a channel's adapter.
package teadrive

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Press makes the key message for a key as help writes it: "r", "enter", "ctrl+s", "space".
func Press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// Type makes the key presses that type s.
func Type(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		if r == ' ' {
			out = append(out, Press("space"))
			continue
		}
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// Run runs a command and every command its messages lead to through update, the way
// the Bubble Tea runtime would, until nothing is left. Messages skip says to leave
// (timers' ticks) are not followed.
func Run(t testing.TB, cmd tea.Cmd, update func(tea.Msg) tea.Cmd, skip func(tea.Msg) bool) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			t.Fatal("commands did not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch m := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			queue = append(queue, m...)
			continue
		}
		if skip != nil && skip(msg) {
			continue
		}
		queue = append(queue, update(msg))
	}
}
