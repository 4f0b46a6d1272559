package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// dialogText is a dialog's text as one line, its frame and line breaks taken out, so a
// test can find words that wrapping put on two lines.
func dialogText(view string) string {
	var parts []string
	for _, l := range strings.Split(plain(view), "\n") {
		parts = append(parts, strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│")))
	}
	return strings.Join(parts, " ")
}

// A dialog whose action the store refused shows why: the cause, not just the path cut
// at the dialog's width; at every size, within the box, and made safe.
func TestDialogErrorsShowTheirCause(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	id := ids[0]
	open := map[string]func() overlay{
		"tag":      func() overlay { return newTagPicker(c, ids, "") },
		"escalate": func() overlay { return newEscalateDialog(c, ids, "") },
		"snooze":   func() overlay { return newSnoozeDialog(c, ids, "") },
		"assign":   func() overlay { return newAssignPicker(c, ids, "") },
		"note":     func() overlay { return newNoteDialog(c, id, "") },
	}
	errs := map[string]error{
		"path":      storeFull("/tmp/TestDiskFullUI3021305781/001/triage.db"),
		"long path": storeFull("/home/someone/.local/share/triage/" + strings.Repeat("deeper/", 30) + "triage.db"),
		"hostile":   fmt.Errorf("tag %q: %w", "x\x1b]8;;http://evil\x07y\u202e", storeFull("/d.db")),
	}
	for name, mk := range open {
		for ename, err := range errs {
			// Body heights of 15-, 24- and 35-row windows.
			for _, size := range [][2]int{{60, 12}, {80, 21}, {120, 32}} {
				w, h := size[0], size[1]
				ov := mk()
				ov.SetSize(w, h)
				r := runOverlay(t, ov).send(attemptedMsg{act: actionMsg{What: "acted", IDs: ids, Err: err}})
				where := fmt.Sprintf("%s, %s error, %d×%d", name, ename, w, h)
				if r.closed() {
					t.Fatalf("%s: the dialog closed on an error", where)
				}
				view := ov.View()
				checkScreen(t, where, view, w, "\u202e")
				if n := strings.Count(view, "\n") + 1; n > h {
					t.Errorf("%s: %d lines", where, n)
				}
				if text := dialogText(view); !strings.Contains(text, "database or disk is full") {
					t.Errorf("%s: the cause is not shown:\n%s", where, plain(view))
				}
			}
		}
	}
}

// An error a dialog showed reaches the footer and the log screen too, whole, so it can
// still be read after the dialog is closed; errors of the composer reach the log.
func TestAppDialogErrorsReachTheLog(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	err := storeFull("/home/someone/.local/share/triage/" + strings.Repeat("deeper/", 10) + "triage.db")
	a.keys("t").typ("refund")
	if _, ok := a.m.overlay.(*tagPicker); !ok {
		t.Fatal("t did not open the tag picker")
	}
	a.send(attemptedMsg{act: actionMsg{What: "tagged refund", IDs: []int64{a.row().ID}, Err: err}})
	a.wantStatus("tagged refund: commit to")
	a.keys("esc", "r")
	comp, ok := a.m.overlay.(*composer)
	if !ok {
		t.Fatal("r did not open the composer")
	}
	// A draft failing at each pause in typing is one line of the log, counted.
	for range 3 {
		a.send(draftSavedMsg{owner: comp, err: errDiskFull})
	}
	a.keys("ctrl+c", "n", "esc", "L")
	s := a.screen()
	if a.m.screen != screenLog {
		t.Fatalf("L did not open the log:\n%s", s)
	}
	joined := strings.Join(strings.Fields(s), " ")
	for _, want := range []string{
		"tagged refund: commit to /home/someone/",
		"triage.db: database or disk is full (13)",
		"save the draft of the reply to conversation",
		"database or disk is full (13) ×3",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("the log lacks %q:\n%s", want, s)
		}
	}
	for i, l := range strings.Split(a.m.View().Content, "\n") {
		if ansi.StringWidth(l) > 120 {
			t.Errorf("log line %d is wider than the window", i)
		}
	}
}

// While quitting asks y or n, an error arriving meanwhile goes to the log and leaves the
// question where the person reads it.
func TestAppQuitQuestionStaysOnError(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.keys("r")
	for _, msg := range typeText("half a thought") {
		a.update(msg)
	}
	a.update(press("ctrl+c"))
	a.send(statusMsg{Err: errDiskFull})
	a.want("not saved yet. Quit anyway? (y/n)")
	if n := len(a.m.log); n == 0 || a.m.log[n-1].text != errDiskFull.Error() {
		t.Errorf("the error did not reach the log: %+v", a.m.log)
	}
}

// The footer has one line: an error too long for it reads cause first.
func TestAppFooterErrorCauseFirst(t *testing.T) {
	a := newApp(t, demoCommon(t), 80, 24)
	err := storeFull("/home/someone/.local/share/triage/" + strings.Repeat("deeper/", 10) + "triage.db")
	a.send(actionMsg{What: "done", IDs: []int64{a.row().ID}, Err: err})
	lines := strings.Split(a.screen(), "\n")
	if status := lines[len(lines)-2]; !strings.HasPrefix(status, "database or disk is full (13) — done: commit to /home/") {
		t.Errorf("footer: %q", status)
	}
	a.send(actionMsg{What: "done", IDs: []int64{a.row().ID}, Err: storeFull("/d.db")})
	if lines = strings.Split(a.screen(), "\n"); !strings.HasPrefix(lines[len(lines)-2], "done: commit to /d.db: database or disk is full (13)") {
		t.Errorf("an error that fits is not shown as it reads: %q", lines[len(lines)-2])
	}
}
