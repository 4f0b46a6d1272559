package ui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/triage-inbox/triage/inbox"
)

// longQuestion is a customer's message longer than the composer shows at once.
var longQuestion = "Hello,\n\nI ordered a Heron kettle on the 2nd (order 1042). " + strings.Repeat("The tracking page has said in transit for nine days and nobody answers the phone. ", 14) +
	"\n\nCan you tell me where it is, or refund me?\n\nRegards,\nBo"

// The composer shows the message it answers, above the text, at every size from 80×24;
// alt+↓ scrolls it when it is longer than its share.
func TestComposerShowsTheMessageItAnswers(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 35}, {60, 15}} {
		w, h := size[0], size[1]
		c := emptyCommon(t, composerConfig)
		_, err := c.Inbox.IngestMessages(context.Background(),
			inbox.Message{Channel: "email", Account: "help@acme.test", ID: "<m1@bo.test>", Conversation: "<m1@bo.test>", Kind: inbox.KindEmail,
				Author: &inbox.Author{ID: "bo@bo.test", Handle: "bo@bo.test", Name: "Bo Lind"}, Subject: "Where is order 1042?",
				Text: longQuestion, CreatedAt: testNow.Add(-2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		a := newApp(t, c, w, h)
		a.keys("enter", "r").typ("Hi Bo, ")
		a.want("▸ Bo Lind", "Where is order 1042?", "Hello,", "more lines", "Hi Bo,")
		if s := plain(a.m.overlay.View()); strings.Contains(s, "Regards,") {
			t.Errorf("%d×%d: the whole message shows; want it to scroll:\n%s", w, h, s)
		}
		for range 30 {
			a.send(tea.KeyPressMsg{Code: tea.KeyDown, Mod: tea.ModAlt})
		}
		if s := plain(a.m.overlay.View()); !strings.Contains(s, "Regards,") || !strings.Contains(s, "Hi Bo,") {
			t.Errorf("%d×%d: alt+↓ did not bring the end of the message, or lost the reply:\n%s", w, h, s)
		}
		convCheck(t, a.m.View().Content, w, h)
		if !strings.HasPrefix(a.m.overlay.(*composer).ta.Value(), "Hi Bo, ") {
			t.Errorf("%d×%d: scrolling the message changed the reply: %q", w, h, a.m.overlay.(*composer).ta.Value())
		}
	}
}

// editorScript writes an editor: a shell script that runs body with the file as $1.
func editorScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "editor.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// ctrl+e runs $EDITOR on the reply (a real program, so tea.ExecProcess runs) and takes
// the text back; an editor that fails leaves the reply as it was.
func TestComposerEditsInTheEditor(t *testing.T) {
	for _, tc := range []struct {
		name, script, want, status string
	}{
		{"takes the text back", `printf 'Hi Bo,\nyour kettle left today.\n' > "$1"`, "your kettle left today.", "your kettle left today."},
		{"fails", `printf 'half' > "$1"; exit 3`, "Hi Bo, I am on it", "the editor failed"},
		{"empties the file", `: > "$1"`, "Hi Bo, I am on it", "left the reply empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("VISUAL", "")
			t.Setenv("EDITOR", editorScript(t, tc.script))
			c, _ := composerInbox(t)
			p := &program{t: t, seen: map[reflect.Type]int{}}
			filter := func(_ tea.Model, msg tea.Msg) tea.Msg {
				p.mu.Lock()
				p.seen[reflect.TypeOf(msg)]++
				p.mu.Unlock()
				return msg
			}
			p.tm = teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(120, 35),
				teatest.WithProgramOptions(tea.WithFilter(filter)))
			p.wait("Ana Ruiz", []tea.Msg{pageMsg}, []int{0})
			// "Reply", not "Reply to …": drawn before the conversation is read, the title
			// gets the rest later as a diff, so the words need not come out in one piece.
			p.step([]string{"r"}, "Reply", composerLoadedMsg{})
			for _, m := range typeText("Hi Bo, I am on it") {
				p.tm.Send(m)
			}
			// Waiting on the message, not the screen: the renderer redraws only the cells
			// that changed, so a sentence need not reach the output in one piece.
			p.step([]string{"ctrl+e"}, "", editorDoneMsg{})
			if err := p.tm.Quit(); err != nil {
				t.Fatal(err)
			}
			m := p.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
			cm, ok := m.overlay.(*composer)
			if !ok {
				t.Fatalf("the composer closed: %T", m.overlay)
			}
			if got := cm.ta.Value(); !strings.Contains(got, tc.want) {
				t.Errorf("reply after the editor = %q, want it to hold %q", got, tc.want)
			}
			if v := plain(cm.View()); !strings.Contains(strings.Join(strings.Fields(v), " "), tc.status) {
				t.Errorf("the composer does not say %q:\n%s", tc.status, v)
			}
		})
	}
}
