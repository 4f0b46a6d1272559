package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/teadrive"
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

// press, typeText and runCmd drive the model as the runtime would (see teadrive); the
// UI's own timer ticks are not followed.
func press(k string) tea.KeyPressMsg { return teadrive.Press(k) }

func typeText(s string) []tea.Msg { return teadrive.Type(s) }

func runCmd(t testing.TB, cmd tea.Cmd, update func(tea.Msg) tea.Cmd) {
	t.Helper()
	teadrive.Run(t, cmd, update, func(msg tea.Msg) bool { _, tick := msg.(tickMsg); return tick })
}

// plain strips styling from a rendered screen so tests read it as a person would.
func plain(s string) string { return ansi.Strip(s) }
