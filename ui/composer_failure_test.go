package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// These tests make the draft write fail the way a full disk does: the composer's save
// command is replaced by its answer carrying the store's error, so they need neither
// root nor a small disk (soaktest.TestDiskFullUI does the same on a real full disk).

// failSave answers the draft write that cmd would do with err, without writing.
func (r *composerRun) failSave(cmd tea.Cmd, err error) tea.Cmd {
	r.t.Helper()
	if cmd == nil {
		r.t.Fatal("no draft write to fail")
	}
	return r.update(draftSavedMsg{owner: r.m, text: r.m.ta.Value(), err: err})
}

// statusErr is the error of the statusMsg the composer sent the root, or nil.
func (r *composerRun) statusErr() error {
	for _, msg := range r.got {
		if s, ok := msg.(statusMsg); ok && s.Err != nil {
			return s.Err
		}
	}
	return nil
}

// The bug: esc could not save, the disk got room again, and esc again closed the
// composer without saving: the text was gone. Esc again must try to save again.
func TestComposerEscAgainSavesOnceThereIsRoom(t *testing.T) {
	c, ids := composerInbox(t)
	const text = "Your parcel left Lyon this morning"
	r := composerOpen(t, c, ids["x"], "")
	r.keys(typeText(text)...)
	r.run(r.failSave(r.update(press("esc")), storeFull("/data/triage.db")))
	if r.received(composerClosed) {
		t.Fatal("esc closed the composer although the draft was not saved")
	}
	v := r.view()
	if !strings.Contains(v, text) || !strings.Contains(v, "database or disk is full") {
		t.Errorf("after the failed save the text or the cause is not shown:\n%s", v)
	}
	// The warning has a line of its own: appended to the error it was cut off.
	warned := false
	for _, l := range strings.Split(v, "\n") {
		warned = warned || strings.Contains(l, "esc again closes without keeping it") && !strings.Contains(l, "disk is full")
	}
	if !warned {
		t.Errorf("no line warns that esc again closes without keeping the text:\n%s", v)
	}

	// Room again: esc writes the draft, then closes.
	cmd := r.update(press("esc"))
	if cmd == nil {
		t.Fatal("esc again did nothing")
	}
	msg := cmd()
	if _, ok := msg.(closeOverlayMsg); ok {
		t.Fatal("esc again closed the composer without trying to save the draft")
	}
	r.run(func() tea.Msg { return msg })
	if !r.received(composerClosed) {
		t.Fatalf("esc again did not close once the draft was saved:\n%s", r.view())
	}
	if d := composerDraft(t, c, ids["x"]); d != text {
		t.Fatalf("draft = %q, want %q: the text was lost", d, text)
	}
	if !r.received(func(msg tea.Msg) bool {
		s, ok := msg.(statusMsg)
		return ok && strings.Contains(s.Text, "kept as a draft")
	}) {
		t.Error("closing did not say the text is now kept as a draft")
	}
}

// Esc, warned, esc again, and the disk is still full: the person chose to close without
// the text. It closes, and says so in the footer and the log.
func TestComposerEscTwiceOnAFullDisk(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	r.keys(typeText("lost words")...)
	r.run(r.failSave(r.update(press("esc")), storeFull("/data/triage.db")))
	r.run(r.failSave(r.update(press("esc")), storeFull("/data/triage.db")))
	if !r.received(composerClosed) {
		t.Fatalf("esc after the warning did not close:\n%s", r.view())
	}
	if err := r.statusErr(); err == nil || !strings.Contains(err.Error(), "without keeping") || !strings.Contains(err.Error(), "disk is full") {
		t.Errorf("closing without the text was not reported: %v", err)
	}
	if d := composerDraft(t, c, ids["x"]); d != "" {
		t.Errorf("draft = %q", d)
	}

	// A change after the warning takes it back: the next failed esc warns again.
	r = composerOpen(t, c, ids["x"], "")
	r.keys(typeText("more")...)
	r.run(r.failSave(r.update(press("esc")), errDiskFull))
	r.keys(typeText("!")...)
	if strings.Contains(r.view(), "esc again closes") {
		t.Errorf("the warning stayed after the text changed:\n%s", r.view())
	}
	r.run(r.failSave(r.update(press("esc")), errDiskFull))
	if r.received(composerClosed) || !strings.Contains(r.view(), "esc again closes") {
		t.Errorf("esc after a change closed without a fresh warning:\n%s", r.view())
	}
}

// A refused reply and then a refused draft write: both errors show, the reply's first.
func TestComposerShowsReplyAndDraftErrors(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	r.keys(typeText("Almost there")...)
	if r.update(press("ctrl+s")) == nil {
		t.Fatal("ctrl+s did not send")
	}
	tick := r.update(replySentMsg{owner: r.m, err: storeFull("/data/triage.db")})
	if tick == nil {
		t.Fatal("a refused reply did not schedule the draft write")
	}
	r.failSave(r.m.save(), storeFull("/data/triage.db"))
	v := r.view()
	reply, draft := strings.Index(v, "commit to /data/triage.db"), strings.Index(v, "save draft:")
	if reply < 0 || draft < 0 || reply > draft || strings.Count(v, "disk is full") != 2 {
		t.Errorf("want the reply's error, then the draft's:\n%s", v)
	}
	// A draft write that succeeds takes its error away; the reply's stays.
	r.run(r.m.save())
	if v := r.view(); strings.Contains(v, "save draft:") || !strings.Contains(v, "disk is full") {
		t.Errorf("after the draft was saved:\n%s", v)
	}
}

// Every notice fits at every size, and the warning before the text is thrown away keeps
// its row first.
func TestComposerNoticesFit(t *testing.T) {
	long := storeFull("/home/someone/.local/share/triage/" + strings.Repeat("deeper/", 12) + "triage.db")
	for _, size := range [][2]int{{60, 12}, {80, 21}, {120, 32}} {
		w, h := size[0], size[1]
		c, ids := composerInbox(t)
		c.Width, c.Height = w, h
		r := composerOpen(t, c, ids["x"], "")
		r.keys(typeText("unfortunately " + strings.Repeat("a few more words ", 20))...)
		r.m.err = long
		r.m.note = draftKeptNote
		r.run(r.failSave(r.update(press("esc")), long))
		raw := r.m.View()
		lines := strings.Split(raw, "\n")
		if len(lines) > h {
			t.Errorf("%d×%d: %d lines", w, h, len(lines))
		}
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("%d×%d: line %d is %d wide", w, h, i, lw)
			}
		}
		v := plain(raw)
		for _, want := range []string{"esc again", "disk is full", "ctrl+s send"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d×%d: view lacks %q:\n%s", w, h, want, v)
			}
		}
		t.Logf("%d×%d:\n%s", w, h, v)
	}
}
