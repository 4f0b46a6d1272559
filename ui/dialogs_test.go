package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

func TestEscalateDialog(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	r := runOverlay(t, newEscalateDialog(c, ids, ""))
	// "r" jumps to refund; tab to priority, "u" for urgent; tab to the note; enter on the
	// last field escalates.
	r.keys("r", "tab", "u", "tab").typ("charged twice, order 1042").keys("enter")
	if a := r.action(); a.What != "escalated: refund" || !a.Advance || !r.closed() {
		t.Errorf("action %+v, closed %v", a, r.closed())
	}
	th := info(t, c, ids[0])
	if len(th.Escalations) != 1 {
		t.Fatalf("escalations %+v", th.Escalations)
	}
	e := th.Escalations[0]
	if e.Reason != "refund" || e.Priority != int(inbox.PriorityUrgent) || e.Note != "charged twice, order 1042" || e.Status != "open" {
		t.Errorf("escalation %+v", e)
	}
	if th.Info.State != string(inbox.StateEscalated) || th.Info.Priority != int(inbox.PriorityUrgent) {
		t.Errorf("conversation state %q priority %d", th.Info.State, th.Info.Priority)
	}
}

func TestEscalateDialogDefaultsAndKeys(t *testing.T) {
	c, ids := pickerInbox(t, 2)
	d := newEscalateDialog(c, ids, "")
	r := runOverlay(t, d)
	// Nothing is chosen for the person: no reason, and the priority left as it is.
	if v := r.view(); strings.Contains(v, "›") || !strings.Contains(v, "[unchanged]") || !strings.Contains(v, "2 conversations") {
		t.Errorf("the dialog opened with a reason chosen or the priority changed:\n%s", v)
	}
	r.keys("j", "j", "j", "k", "down")
	if d.reasons[d.reason] != "refund" {
		t.Errorf("j j k ↓ led to %q", d.reasons[d.reason])
	}
	r.keys("b", "b") // billing, then bug: letters go round the reasons that start with them
	if d.reasons[d.reason] != "bug" {
		t.Errorf("b b led to %q", d.reasons[d.reason])
	}
	r.keys("shift+tab") // wraps to the note
	if d.field != fieldNote {
		t.Errorf("shift+tab from the reason went to field %d", d.field)
	}
	r.keys("shift+tab", "k", "k", "l") // priority: down twice, then l for low
	if d.prio != inbox.PriorityLow {
		t.Errorf("priority %v", d.prio)
	}
	r.keys("j")
	r.keys("ctrl+s") // from any field
	if a := r.action(); a.What != "escalated: bug on 2 conversations" || len(a.IDs) != 2 {
		t.Errorf("action %+v", a)
	}
	for _, id := range ids {
		if e := info(t, c, id).Escalations; len(e) != 1 || e[0].Priority != int(inbox.PriorityNormal) || e[0].Note != "" {
			t.Errorf("conversation %d escalations %+v", id, e)
		}
	}
}

func TestEscalateDialogEscAndErrors(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	r := runOverlay(t, newEscalateDialog(c, ids, "")).keys("tab", "tab").typ("not sent").keys("esc")
	if !r.closed() || len(r.sent) != 1 {
		t.Errorf("esc sent %v", r.sent)
	}
	if e := info(t, c, ids[0]).Escalations; len(e) != 0 {
		t.Errorf("esc escalated: %+v", e)
	}

	// Escalating before a reason is chosen says so and escalates nothing.
	r = runOverlay(t, newEscalateDialog(c, ids, "")).keys("ctrl+s")
	if r.closed() || len(r.sent) != 0 || !strings.Contains(r.view(), "choose a reason first") {
		t.Errorf("escalated without a reason; sent %v, view:\n%s", r.sent, r.view())
	}
	if e := info(t, c, ids[0]).Escalations; len(e) != 0 {
		t.Errorf("escalated without a reason: %+v", e)
	}

	r = runOverlay(t, newEscalateDialog(c, []int64{9999}, "")).keys("j", "ctrl+s")
	if r.closed() || len(r.sent) != 0 || !strings.Contains(r.view(), "9999") {
		t.Errorf("an error must keep the dialog open and show it; sent %v, view:\n%s", r.sent, r.view())
	}
}

func TestNoteDialog(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	r := runOverlay(t, newNoteDialog(c, ids[0], "")).typ("called the courier, parcel is in Lyon").keys("ctrl+s")
	if a := r.action(); a.What != "note added" || a.Advance || !r.closed() {
		t.Errorf("action %+v", a)
	}
	if n := info(t, c, ids[0]).Notes; len(n) != 1 || n[0].Text != "called the courier, parcel is in Lyon" || n[0].Agent != "maria" {
		t.Errorf("notes %+v", n)
	}
}

func TestNoteDialogEsc(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	if r := runOverlay(t, newNoteDialog(c, ids[0], "")).keys("esc"); !r.closed() {
		t.Error("esc on an empty note does not close")
	}

	r := runOverlay(t, newNoteDialog(c, ids[0], "")).typ("half a thought").keys("esc")
	if r.closed() || !strings.Contains(r.view(), "press esc again") {
		t.Fatalf("first esc with text: closed %v, view:\n%s", r.closed(), r.view())
	}
	r.typ(" more") // typing again disarms
	r.keys("esc")
	if r.closed() {
		t.Fatal("esc after typing again closed at once")
	}
	r.keys("esc")
	if !r.closed() || len(r.sent) != 1 {
		t.Errorf("second esc: sent %v", r.sent)
	}
	if n := info(t, c, ids[0]).Notes; len(n) != 0 {
		t.Errorf("discarded note was saved: %+v", n)
	}

	r = runOverlay(t, newNoteDialog(c, ids[0], "")).typ("   ").keys("ctrl+s")
	if r.closed() || !strings.Contains(r.view(), "a note needs some text") {
		t.Errorf("empty note: sent %v, view:\n%s", r.sent, r.view())
	}
}

// TestPickerAndDialogWidths opens every overlay at small and usual sizes, with long names, and
// checks that no line passes the screen's edge and the box fits its height.
func TestPickerAndDialogWidths(t *testing.T) {
	long := strings.Repeat("very-long-tag-name-", 6)
	cfg := strings.Replace(pickerConfig, `"legal"]`, `"legal", "`+strings.Repeat("unreasonably long reason ", 5)+`"]`, 1)
	c := emptyCommon(t, cfg)
	m := inbox.Message{Channel: "instagram", Account: "@kb", ID: "m1", Conversation: "c1", Kind: inbox.KindComment,
		Author: &inbox.Author{ID: "a1", Name: strings.Repeat("Ana ", 30)}, Text: "hi", CreatedAt: testNow.Add(-time.Hour)}
	if _, err := c.Inbox.IngestMessages(c.Ctx, m); err != nil {
		t.Fatal(err)
	}
	id, err := c.Inbox.ConversationID(c.Ctx, "instagram", "@kb", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Inbox.Tag(c.Ctx, long, id); err != nil {
		t.Fatal(err)
	}
	open := map[string]func() overlay{
		"canned":   func() overlay { return newCannedPicker(c, []int64{id}, "", false) },
		"tag":      func() overlay { return newTagPicker(c, []int64{id}, "") },
		"escalate": func() overlay { return newEscalateDialog(c, []int64{id}, "") },
		"snooze":   func() overlay { return newSnoozeDialog(c, []int64{id}, "") },
		"assign":   func() overlay { return newAssignPicker(c, []int64{id}, "") },
		"note":     func() overlay { return newNoteDialog(c, id, "") },
		"views":    func() overlay { return newViewPicker(c, 0) },
	}
	for name, mk := range open {
		for _, size := range [][2]int{{60, 15}, {61, 16}, {80, 24}, {120, 35}} {
			w, h := size[0], size[1]
			ov := mk()
			ov.SetSize(w, h)
			r := runOverlay(t, ov).typ("tomorrow 9:00 " + long)
			for _, view := range []string{ov.View(), r.view()} {
				lines := strings.Split(view, "\n")
				if len(lines) > h {
					t.Errorf("%s at %dx%d: %d lines", name, w, h, len(lines))
				}
				for i, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Errorf("%s at %dx%d: line %d is %d wide: %q", name, w, h, i, lw, plain(l))
					}
				}
			}
			if len(ov.ShortHelp()) == 0 {
				t.Errorf("%s has no help", name)
			}
		}
	}
}
