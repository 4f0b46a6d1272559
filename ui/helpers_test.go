package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// Tests set up their inbox with the store and the demo seeder; the ui package itself
// imports neither (see ARCHITECTURE.md), only its tests do, to have real data to show.

// testNow is the fixed clock of UI tests, so screens are the same on every run.
var testNow = time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC)

// demoCommon returns a Common over a freshly seeded demo inbox (seed 1, testNow) at
// 120×35 on a dark background.
func demoCommon(t testing.TB) *Common {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg, err := inbox.ParseConfig("demo", demo.ConfigTOML())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return testNow }
	svc, err := inbox.New(ctx, db, cfg, inbox.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, svc, 1, testNow); err != nil {
		t.Fatal(err)
	}
	return &Common{Ctx: ctx, Inbox: svc, Styles: NewStyles(true), Keys: DefaultKeyMap(), Now: now, Width: 120, Height: 35}
}

// emptyCommon returns a Common over an empty inbox with the given config text.
func emptyCommon(t testing.TB, configText string) *Common {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg, err := inbox.ParseConfig("test", configText)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return testNow }
	svc, err := inbox.New(ctx, db, cfg, inbox.WithClock(now), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	return &Common{Ctx: ctx, Inbox: svc, Styles: NewStyles(true), Keys: DefaultKeyMap(), Now: now, Width: 120, Height: 35}
}

// press makes the key message for a key as help writes it: "r", "enter", "ctrl+s", "space".
func press(k string) tea.KeyPressMsg {
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

// typeText makes the key presses that type s.
func typeText(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		if r == ' ' {
			out = append(out, press("space"))
			continue
		}
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// runCmd runs a command and every command its messages lead to through update, the way
// the Bubble Tea runtime would, until nothing is left (ticks are not followed).
func runCmd(t testing.TB, cmd tea.Cmd, update func(tea.Msg) tea.Cmd) {
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
		case tickMsg:
			continue
		}
		queue = append(queue, update(msg))
	}
}

// plain strips styling from a rendered screen so tests read it as a person would.
func plain(s string) string { return ansi.Strip(s) }
