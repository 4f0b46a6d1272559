package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/BurntSushi/toml"
	"github.com/triage-inbox/triage/inbox"
)

// keysFromTOML decodes a [keys] table the way config.toml is read.
func keysFromTOML(t *testing.T, text string) map[string]any {
	t.Helper()
	var cfg struct {
		Keys map[string]any `toml:"keys"`
	}
	if _, err := toml.Decode(text, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Keys
}

func TestKeyBoundToShellCommand(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh on this system")
	}
	c := emptyCommon(t, "")
	manyConversations(t, c, 3)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	keys := keysFromTOML(t, `
[keys]
done = "x"
[[keys.command]]
key = "O"
run = "cat > '`+in+`'; echo opened ticket 42"
description = "open a ticket"
[[keys.command]]
key = "F"
run = "echo broken >&2; exit 3"
description = "failing script"
`)
	if err := c.Keys.Remap(keys); err != nil {
		t.Fatal(err)
	}
	m := New(c)
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }
	runCmd(t, m.Init(), update)
	runCmd(t, func() tea.Msg { return press("O") }, update)

	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var doc inbox.ConversationDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the command did not get the conversation as JSON: %v\n%s", err, data)
	}
	if doc.Conversation != "c0" || len(doc.Messages) != 1 || doc.Messages[0].Text != "message number 0" {
		t.Errorf("conversation JSON = %+v", doc)
	}
	screen := plain(m.render())
	if !strings.Contains(screen, "opened ticket 42") || !strings.Contains(screen, "open a ticket") {
		t.Errorf("output not shown:\n%s", screen)
	}
	runCmd(t, func() tea.Msg { return press("esc") }, update)

	runCmd(t, func() tea.Msg { return press("F") }, update)
	screen = plain(m.render())
	if !strings.Contains(screen, "broken") || !strings.Contains(screen, "exit status 3") {
		t.Errorf("failure not reported:\n%s", screen)
	}
	runCmd(t, func() tea.Msg { return press("esc") }, update)

	// The remapped done key works and the old one no longer does.
	runCmd(t, func() tea.Msg { return press("d") }, update)
	if n, _ := c.Inbox.Count(c.Ctx, inbox.View{Name: "Done", States: []inbox.State{inbox.StateDone}}, "", false); n != 0 {
		t.Errorf("d still closes after remapping done to x")
	}
	runCmd(t, func() tea.Msg { return press("x") }, update)
	if n, _ := c.Inbox.Count(c.Ctx, inbox.View{Name: "Done", States: []inbox.State{inbox.StateDone}}, "", false); n != 1 {
		t.Errorf("x did not close the conversation (%d done)", n)
	}
	runCmd(t, func() tea.Msg { return press("?") }, update)
	if help := plain(m.render()); !strings.Contains(help, "open a ticket") || !strings.Contains(help, "x          done") {
		t.Errorf("help does not list the bound command and the remapped key:\n%s", help)
	}
}

func TestBadKeyConfig(t *testing.T) {
	for _, text := range []string{
		"[keys]\nreplyy = \"r\"\n",
		"[keys]\nreply = 3\n",
		"[[keys.command]]\nkey = \"O\"\n",
		"[[keys.command]]\nkey = \"O\"\nrun = \"x\"\ncolor = \"red\"\n",
	} {
		if err := DefaultKeyMap().Remap(keysFromTOML(t, text)); err == nil {
			t.Errorf("Remap accepted %q", text)
		}
	}
}
