package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// wantConversation fails unless the screen is the conversation of row r: the model shows
// it, and its header names the author.
func (a *app) wantConversation(r inbox.QueueRow) {
	a.t.Helper()
	if a.m.screen != screenConversation || a.m.conv == nil || a.m.conv.ID() != r.ID {
		a.t.Fatalf("want conversation %d of %s on the screen:\n%s", r.ID, r.AuthorName, a.screen())
	}
	head := strings.Split(a.screen(), "\n")[1]
	if !strings.Contains(head, Safe(r.AuthorName)) {
		a.t.Errorf("header %q does not name %s", head, r.AuthorName)
	}
}

func TestConversationJAndKWalkTheQueue(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	rows := a.m.queue.rows[:3]
	a.keys("enter")
	a.wantConversation(rows[0])
	a.want("J/K next/prev", "q/esc back", "? help")
	a.keys("J")
	a.wantConversation(rows[1])
	a.keys("J")
	a.wantConversation(rows[2])
	a.keys("K")
	a.wantConversation(rows[1])
	a.keys("K", "K")
	a.wantConversation(rows[0])
	a.wantStatus("no previous conversation in Inbox")
	// Back in the queue, the cursor is on the conversation last shown.
	a.keys("J", "esc")
	if a.m.screen != screenQueue || a.row().ID != rows[1].ID {
		t.Errorf("back on %d, want the queue on %d", a.row().ID, rows[1].ID)
	}
}

func TestConversationActionsMoveOn(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	rows := append([]inbox.QueueRow(nil), a.m.queue.rows[:4]...)
	a.keys("enter")
	a.wantConversation(rows[0])

	a.keys("d")
	a.wantState(rows[0].ID, inbox.StateDone)
	a.wantConversation(rows[1])

	a.keys("!")
	a.wantState(rows[1].ID, inbox.StateSpam)
	a.wantConversation(rows[2])

	a.keys("e")
	a.want("Escalate")
	a.keys("r", "ctrl+s")
	a.wantState(rows[2].ID, inbox.StateEscalated)
	a.wantConversation(rows[3])

	// Keys that do not take the conversation off one's hands stay on it.
	a.keys("t").typ("followup").keys("enter")
	a.wantConversation(rows[3])
}

func TestConversationDoneOnTheLastGoesBackToTheQueue(t *testing.T) {
	c, ids := composerInbox(t)
	a := newApp(t, c, 120, 35)
	a.moveTo(a.m.queue.rows[len(a.m.queue.rows)-1].ID)
	last := a.row()
	a.keys("enter", "d")
	a.wantState(last.ID, inbox.StateDone)
	if a.m.screen != screenQueue {
		t.Fatalf("after done on the last conversation the screen is %v, want the queue:\n%s", a.m.screen, a.screen())
	}
	a.want("no conversation left after it in Inbox")
	_ = ids
}

func TestQGoesBackEverywhereButTheQueue(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	var quit bool
	quitting := func(cmd tea.Cmd) {
		runCmd(t, cmd, func(msg tea.Msg) tea.Cmd {
			if isQuit(msg) {
				quit = true
				return nil
			}
			return a.update(msg)
		})
	}
	for _, open := range []string{"enter", "?", "L", "S"} {
		a.keys(open)
		if a.m.screen == screenQueue {
			t.Fatalf("%s opened nothing", open)
		}
		quitting(a.m.handleKey(press("q")))
		if quit || a.m.screen != screenQueue {
			t.Errorf("q after %s: quit %v, screen %v; want back to the queue", open, quit, a.m.screen)
		}
	}
	quitting(a.m.handleKey(press("q")))
	if !quit {
		t.Error("q in the queue does not quit")
	}
}

func TestQueueMarksDrafts(t *testing.T) {
	c, ids := composerInbox(t)
	a := newApp(t, c, 120, 35)
	a.moveTo(ids["x"])
	if line := queueLine(a, "Ana Ruiz"); strings.Contains(line, "✎") {
		t.Fatalf("a draft mark before any draft: %q", line)
	}
	a.keys("r").typ("Checking with the courier")
	a.keys("esc")
	if a.m.overlay != nil {
		t.Fatal("the composer did not close")
	}
	if line := queueLine(a, "Ana Ruiz"); !strings.Contains(line, "✎") {
		t.Errorf("no draft mark on a conversation with a draft: %q", line)
	}
	if line := queueLine(a, "Bo Lind"); strings.Contains(line, "✎") {
		t.Errorf("a draft mark on a conversation without one: %q", line)
	}
}

// queueLine is the queue's line that names who.
func queueLine(a *app, who string) string {
	a.t.Helper()
	for _, l := range strings.Split(a.screen(), "\n") {
		if strings.Contains(l, who) {
			return l
		}
	}
	a.t.Fatalf("no line names %s:\n%s", who, a.screen())
	return ""
}

func TestEmailShowsItsSubject(t *testing.T) {
	c := emptyCommon(t, "")
	_, err := c.Inbox.IngestMessages(context.Background(),
		inbox.Message{Channel: "email", Account: "help@acme.test", ID: "<m1@bo.test>", Conversation: "<m1@bo.test>", Kind: inbox.KindEmail,
			Author: &inbox.Author{ID: "bo@bo.test", Handle: "bo@bo.test", Name: "Bo Lind"}, Subject: "Refund for order 1042",
			Text: "Hello, I sent the kettle back a week ago.", CreatedAt: testNow.Add(-2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, c, 120, 35)
	if line := queueLine(a, "Bo Lind"); !strings.Contains(line, "Refund for order 1042 · Hello, I sent") {
		t.Errorf("queue row lacks the subject before the text: %q", line)
	}
	a.keys("enter")
	head := strings.Join(strings.Split(a.screen(), "\n")[1:4], "\n")
	if !strings.Contains(head, "Refund for order 1042") {
		t.Errorf("conversation header lacks the subject:\n%s", head)
	}
}

func TestDialogsNameTheCustomer(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	r := a.row()
	name := Safe(r.AuthorName)
	titles := map[string]string{
		"s": "Snooze " + name + " until…", "t": "Tag " + name, "e": "Escalate " + name + " to customer service",
		"n": "Note on " + name + " (internal)", "c": "Canned reply for " + name, "a": "Assign " + name,
		"C": "Quick canned reply to " + name,
	}
	for _, screen := range []string{"queue", "conversation"} {
		if screen == "conversation" {
			a.keys("enter")
			a.wantConversation(r)
		}
		for k, title := range titles {
			a.keys(k)
			a.want(title)
			if s := a.screen(); strings.Contains(s, "conversation "+itoa(int(r.ID))) {
				t.Errorf("%s, %s: the dialog names conversation %d:\n%s", screen, k, r.ID, s)
			}
			a.keys("esc")
			if a.m.overlay != nil {
				t.Fatalf("%s, %s: esc did not close the dialog", screen, k)
			}
		}
	}
}

func TestQuickCannedNeverDiscardsADraft(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.moveToUnsigned() // the draft is kept word for word
	rows := append([]inbox.QueueRow(nil), a.m.queue.rows[a.m.queue.cursor:a.m.queue.cursor+3]...)
	first := rows[0]
	a.keys("r").typ("Half a reply I mean to finish").keys("esc")
	draft := func(id int64) string {
		d, err := a.c.Inbox.Draft(a.c.Ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if draft(first.ID) == "" {
		t.Fatal("the draft was not saved")
	}

	// Asked, and any answer but y keeps the draft and sends nothing.
	before := len(a.thread(first.ID).Messages)
	a.keys("C", "enter")
	a.want(Safe(first.AuthorName)+" has a saved draft:", "Half a reply I mean to finish", "discards it. Nothing is sent until you")
	a.keys("n")
	a.want("Quick canned reply to")
	a.keys("esc")
	if a.m.overlay != nil {
		t.Fatal("esc did not close the picker")
	}
	if got := draft(first.ID); got != "Half a reply I mean to finish" {
		t.Errorf("draft after n is %q", got)
	}
	if n := len(a.thread(first.ID).Messages); n != before {
		t.Errorf("%d messages after n, %d before: something was sent", n, before)
	}
	a.wantState(first.ID, inbox.State(first.State))

	// c opens both in the composer: the draft first.
	a.keys("C", "enter", "c")
	a.want("Half a reply I mean to finish", draftKeptNote)
	a.keys("esc")

	// From the conversation, y sends, closes and moves on to the next conversation.
	a.keys("enter")
	a.wantConversation(first)
	a.keys("C", "enter", "y")
	a.wantState(first.ID, inbox.StateDone)
	if got := draft(first.ID); got != "" {
		t.Errorf("draft after y is %q, want it gone with the reply sent", got)
	}
	a.wantConversation(rows[1])

	// Without a draft, C sends at once and moves on, as its picker says.
	a.keys("C")
	a.want("go to the next")
	a.keys("enter")
	a.wantState(rows[1].ID, inbox.StateDone)
	a.wantConversation(rows[2])
}

func TestSearchEnterKeepsTheErrorAndTheResults(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.keys("/").typ("chan:emial")
	a.want("did you mean email?")
	rows := queueRows(a)
	if len(rows) < 5 {
		t.Fatalf("want the whole inbox under the error, got:\n%s", a.screen())
	}
	a.keys("enter")
	if !a.m.searching {
		t.Error("enter closed the search line over an invalid search")
	}
	a.want("did you mean email?", "esc clear")
	if s := a.screen(); strings.Contains(s, "enter keep") {
		t.Errorf("help offers enter, which does nothing now:\n%s", s)
	}
	if got := queueRows(a); !slicesEqual(got, rows) {
		t.Errorf("rows after enter on an invalid search:\n%v\nwant those before enter:\n%v", got, rows)
	}
}

// queueRows are the queue's lines on the screen.
func queueRows(a *app) []string {
	lines := strings.Split(a.screen(), "\n")
	return lines[2 : len(lines)-2]
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
