package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// hubFor puts c's screen in a fresh hub and returns another agent's session in it.
func hubFor(t *testing.T, c *Common, other string) *inbox.Session {
	t.Helper()
	hub := inbox.NewHub(c.Inbox, inbox.WithLiveGap(0))
	c.Session = hub.Join(c.Inbox.Agent())
	s := hub.Join(other)
	t.Cleanup(func() { s.Leave(); c.Session.Leave() })
	return s
}

// rowLine is the queue's line of conversation id, as a person reads it.
func (a *app) rowLine(id int64) string {
	a.t.Helper()
	for i, r := range a.m.queue.rows {
		if r.ID == id {
			lines := strings.Split(a.screen(), "\n")
			if k := 2 + i - a.m.queue.offset; k < len(lines) { // header, columns header
				return lines[k]
			}
		}
	}
	a.t.Fatalf("conversation %d is not on the screen:\n%s", id, a.screen())
	return ""
}

// The WHO column shows dev in a conversation dev has open, and the conversation's
// header says dev is replying once dev writes; the hub hears that maria opened the
// conversation and then that she writes a reply.
func TestPresenceWhoColumnAndHeader(t *testing.T) {
	c := demoCommon(t)
	dev := hubFor(t, c, "dev")
	a := newApp(t, c, 120, 35)
	id := a.row().ID
	if line := a.rowLine(id); strings.Contains(line, "•dev") {
		t.Fatalf("dev shown before dev opened it: %q", line)
	}
	dev.Show(id, false)
	a.send(liveMsg{change: inbox.ChangePresence})
	if line := a.rowLine(id); !strings.Contains(line, "•dev") {
		t.Fatalf("the WHO column does not show dev viewing: %q", line)
	}

	a.keys("enter")
	a.want("dev is viewing")
	if got := dev.Others()[id]; len(got) != 1 || got[0].Agent != "maria" || got[0].Replying {
		t.Fatalf("dev sees %v in the conversation, want maria viewing", got)
	}
	dev.Show(id, true)
	a.send(liveMsg{change: inbox.ChangePresence})
	a.want("dev is replying")

	a.keys("r").typ("On its way")
	if got := dev.Others()[id]; len(got) != 1 || !got[0].Replying {
		t.Fatalf("dev sees %v, want maria replying", got)
	}
	a.keys("esc", "esc") // the reply kept as a draft; back to the queue
	if got := dev.Others()[id]; len(got) != 0 {
		t.Fatalf("dev still sees %v after maria left the conversation", got)
	}
}

// Another agent's action reaches the screen with a liveMsg: the page is read again and
// the cursor stays on its conversation, though a new conversation now sorts above it.
func TestLiveChangeReloadsKeepingTheCursor(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	a.keys("j", "j", "j")
	r, cursor := a.row(), a.m.queue.cursor
	ctx := context.Background()
	dev := c.Inbox.As("dev")
	if err := dev.Assign(ctx, "sam", r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.IngestMessages(ctx, inbox.Message{Channel: "x", Account: "@kettlebird", ID: "live-1",
		Conversation: "live-1", Kind: inbox.KindMention, Author: &inbox.Author{ID: "zed", Handle: "@zed", Name: "Zed Live"},
		Text: "URGENT my kettle is on fire, refund now", CreatedAt: testNow.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.screen(), "Zed Live") || strings.Contains(a.rowLine(r.ID), "sam") {
		t.Fatal("the screen changed before it heard of the change")
	}
	a.send(liveMsg{change: inbox.ChangeData})
	if a.row().ID != r.ID {
		t.Fatalf("the cursor moved from conversation %d to %d", r.ID, a.row().ID)
	}
	if !strings.Contains(a.rowLine(r.ID), "sam") {
		t.Errorf("the assignment is not shown: %q", a.rowLine(r.ID))
	}
	if !strings.Contains(a.screen(), "Zed Live") {
		t.Errorf("the new conversation is not shown:\n%s", a.screen())
	}
	if a.m.queue.cursor != cursor+1 { // so keeping the index would have been the wrong row
		t.Errorf("cursor at %d, want %d: the urgent new conversation sorts above it", a.m.queue.cursor, cursor+1)
	}
}

// A change heard while the page is being read (a new view, a jump to the end) waits for
// that read, then the page is read again: a reload in between would replace the read
// the person asked for with the window they left.
func TestLiveChangeWhileLoadingWaits(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 35)
	cmd := a.m.queue.setView(1) // the read, not yet run
	gen := a.m.queue.gen
	live := a.update(liveMsg{change: inbox.ChangeData})
	if !a.m.liveStale || a.m.queue.gen != gen {
		t.Fatalf("a change during a read: stale %v, generation %d → %d (want kept for after it)", a.m.liveStale, gen, a.m.queue.gen)
	}
	a.run(live)
	a.run(cmd)
	if a.m.liveStale || a.m.queue.gen != gen+1 || a.m.queue.view != 1 {
		t.Fatalf("after the read landed: stale %v, generation %d (want %d), view %d", a.m.liveStale, a.m.queue.gen, gen+1, a.m.queue.view)
	}
}

// Too narrow for the WHO column (80 columns, an SSH client's default), the row still
// shows that someone else is there, by the mark before the channel.
func TestPresenceMarkWithoutWhoColumn(t *testing.T) {
	c := demoCommon(t)
	dev := hubFor(t, c, "dev")
	a := newApp(t, c, 80, 24)
	id := a.row().ID
	before := a.rowLine(id)
	dev.Show(id, true)
	a.send(liveMsg{change: inbox.ChangePresence})
	if line := a.rowLine(id); line == before || !strings.HasPrefix(strings.TrimLeft(line, " "), "✎") {
		t.Fatalf("row without the WHO column: %q (before: %q), want dev's ✎ mark", line, before)
	}
}
