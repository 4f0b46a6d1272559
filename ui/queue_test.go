package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// manyConversations ingests n one-message conversations, oldest first, so the queue order
// (same priority; due times follow arrival) is c0, c1, c2, ….
func manyConversations(t *testing.T, c *Common, n int) {
	t.Helper()
	var msgs []inbox.Message
	for i := range n {
		msgs = append(msgs, inbox.Message{Channel: "instagram", Account: "@acme", ID: fmt.Sprint(i), Conversation: fmt.Sprintf("c%d", i),
			Kind: inbox.KindComment, Author: &inbox.Author{ID: fmt.Sprint(i), Name: fmt.Sprintf("Customer %d", i)},
			Text: fmt.Sprintf("message number %d", i), CreatedAt: testNow.Add(-time.Duration(n-i) * time.Minute)})
	}
	if _, err := c.Inbox.IngestMessages(c.Ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

func queueAt(t *testing.T, c *Common) *queueScreen {
	q := newQueue(c)
	q.SetSize(c.Width, 30)
	runCmd(t, q.reloadFromTop(), func(msg tea.Msg) tea.Cmd { var cmd tea.Cmd; q, cmd = q.Update(msg); return cmd })
	return q
}

func keys(t *testing.T, q **queueScreen, ks ...string) {
	for _, k := range ks {
		runCmd(t, func() tea.Msg { return press(k) }, func(msg tea.Msg) tea.Cmd {
			var cmd tea.Cmd
			*q, cmd = (*q).Update(msg)
			return cmd
		})
	}
}

func TestQueuePagesThroughAWindow(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 1000)
	q := queueAt(t, c)
	if len(q.rows) != pageSize || q.count != 1000 || !q.top || q.end {
		t.Fatalf("first page: %d rows, count %d, top %v end %v", len(q.rows), q.count, q.top, q.end)
	}
	if r, _ := q.current(); r.LastText != "message number 0" {
		t.Fatalf("first row = %q, want the oldest", r.LastText)
	}
	// Walk down 650 rows: pages come as the cursor nears the edge; the window stays bounded.
	for range 650 {
		keys(t, &q, "j")
	}
	if r, _ := q.current(); r.LastText != "message number 650" {
		t.Errorf("after 650 × j the cursor is on %q", r.LastText)
	}
	if len(q.rows) > maxWindow {
		t.Errorf("window holds %d rows, more than %d", len(q.rows), maxWindow)
	}
	// G goes to the very end, k walks back up across a page boundary.
	keys(t, &q, "G")
	if r, _ := q.current(); r.LastText != "message number 999" || !q.end {
		t.Errorf("G: cursor on %q, end %v", r.LastText, q.end)
	}
	for range 150 {
		keys(t, &q, "k")
	}
	if r, _ := q.current(); r.LastText != "message number 849" {
		t.Errorf("G then 150 × k: cursor on %q", r.LastText)
	}
	keys(t, &q, "g")
	if r, _ := q.current(); r.LastText != "message number 0" {
		t.Errorf("g: cursor on %q", r.LastText)
	}
	// ctrl+d moves half a page.
	keys(t, &q, "ctrl+d")
	if q.cursor != q.listHeight()/2 {
		t.Errorf("ctrl+d: cursor %d, want %d", q.cursor, q.listHeight()/2)
	}
}

func TestQueueRowsFitAndShowSLA(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 5)
	hostile := inbox.Message{Channel: "x", Account: "@acme", ID: "evil", Kind: inbox.KindDM,
		Author: &inbox.Author{ID: "e", Handle: "@e\u202Evil", Name: "\x1b]0;pwned\x07Mallory\x1b[2J"},
		Text:   "日本語のテキスト👨‍👩‍👧" + strings.Repeat("W", 3000) + "\x1b]52;c;AAAA\x07", CreatedAt: testNow.Add(-3 * time.Hour)}
	if _, err := c.Inbox.IngestMessages(c.Ctx, hostile); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{60, 90, 120, 160} {
		c.Width = w
		q := queueAt(t, c)
		view := q.View()
		if strings.ContainsAny(view, "\x07") || strings.Contains(view, "\x1b]") || strings.Contains(view, "\x1b[2J") {
			t.Errorf("width %d: hostile text reached the screen: %q", w, view)
		}
		for i, line := range strings.Split(view, "\n") {
			if lw := ansi.StringWidth(line); lw > w {
				t.Errorf("width %d: line %d is %d wide: %q", w, i, lw, ansi.Strip(line))
			}
		}
		text := plain(view)
		if !strings.Contains(text, "Mallory") || !strings.Contains(text, "overdue 2h") {
			t.Errorf("width %d: want the hostile row shown as Mallory, overdue 2h:\n%s", w, text)
		}
	}
}

// A message dated ahead of the clock (the sender's clock runs fast) is as young as a
// message can be: its age reads 0s, not a negative number cut to "-26…".
func TestQueueAgeOfAMessageFromTheFuture(t *testing.T) {
	c := emptyCommon(t, "")
	ahead := inbox.Message{Channel: "x", Account: "@acme", ID: "ahead", Kind: inbox.KindDM,
		Author: &inbox.Author{ID: "f", Handle: "@fastclock"}, Text: "my clock runs four minutes fast",
		CreatedAt: testNow.Add(4*time.Minute + 24*time.Second)}
	if _, err := c.Inbox.IngestMessages(c.Ctx, ahead); err != nil {
		t.Fatal(err)
	}
	text := plain(queueAt(t, c).View())
	var row string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "@fastclock") {
			row = line
		}
	}
	if row == "" || strings.Contains(row, "-") || !strings.Contains(row, " 0s ") {
		t.Errorf("the row of a message 4m24s ahead of the clock does not show age 0s:\n%s", text)
	}
}

// A search typed on top of another stops the reads of the one before: at a million
// messages each can take a fifth of a second that the next would otherwise wait for. The
// newest search still lands.
func TestQueueSearchStopsTheOneBefore(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 30)
	q := queueAt(t, c)
	first := q.setQuery("message", true)
	second := q.setQuery("number 7 ", true) // the space ends the word: "7" is searched whole
	reads := func(cmd tea.Cmd) []tea.Msg {
		var out []tea.Msg
		for _, sub := range cmd().(tea.BatchMsg) {
			out = append(out, sub())
		}
		return out
	}
	for _, msg := range reads(first) {
		var err error
		switch m := msg.(type) {
		case queueLoadedMsg:
			err = m.err
		case queueCountMsg:
			err = m.err
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the search before went on: %T err %v", msg, err)
		}
		q, _ = q.Update(msg) // dropped: an older generation
	}
	for _, msg := range reads(second) {
		q, _ = q.Update(msg)
	}
	if len(q.rows) != 1 || q.count != 1 || q.rows[0].LastText != "message number 7" {
		t.Fatalf("after the second search: %d rows, count %d", len(q.rows), q.count)
	}
}

// A search is read as typed (its last word a prefix) by every read until the next one:
// after the person stops typing, a reload (the clock, an action, a sync) and the count
// bring the same conversations they saw, not those of the word taken whole.
func TestQueueSearchKeepsItsReading(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 30) // "message number 0" … "message number 29"
	q := queueAt(t, c)
	update := func(msg tea.Msg) tea.Cmd { var cmd tea.Cmd; q, cmd = q.Update(msg); return cmd }
	runCmd(t, q.setQuery("numb", true), update) // "numb*": every conversation
	if len(q.rows) != 30 || q.count != 30 {
		t.Fatalf("typed %q: %d rows, count %d; want 30", "numb", len(q.rows), q.count)
	}
	runCmd(t, q.reload(false), update)
	if len(q.rows) != 30 || q.count != 30 {
		t.Fatalf("after a reload: %d rows, count %d; want the 30 the search showed", len(q.rows), q.count)
	}
	runCmd(t, q.setQuery("", false), update)
	if len(q.rows) != 30 {
		t.Fatalf("search cleared: %d rows", len(q.rows))
	}
	runCmd(t, q.setQuery("numb", false), update) // the word whole: no conversation
	if len(q.rows) != 0 || q.count != 0 {
		t.Fatalf("%q whole: %d rows, count %d; want none", "numb", len(q.rows), q.count)
	}
}

// While a search is typed its count stops past a thousand and the header says "1000+";
// once the search is entered (enter) the rows stay and the count is exact.
func TestQueueLiveCountStops(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, inbox.LiveCountLimit+5)
	a := newApp(t, c, 100, 20)
	a.keys("/").typ("message numb")
	a.want("Inbox 1000+")
	a.keys("enter")
	a.want("Inbox 1005  /message numb")
	a.run(a.m.queue.reload(false)) // a sync or a clock tick after enter counts exactly too
	a.want("Inbox 1005")
	a.keys("/").typ("er 100") // "message number 100": 100 and 1000–1004, a prefix
	a.want("Inbox 6")
}

// Keys pressed while a reload is being read are kept when it lands: the cursor stays on
// the row the person moved to, not the row it was on when the reload was asked for.
// Under a busy team a live reload is nearly always under way, and the cursor jumped
// back after every j. A reload after an action still moves past the row acted on when
// the person did not move.
func TestQueueReloadKeepsWhereThePersonMoved(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 30)
	q := queueAt(t, c)
	update := func(msg tea.Msg) tea.Cmd { var cmd tea.Cmd; q, cmd = q.Update(msg); return cmd }

	reload := q.reload(false) // asked on the first row
	keys(t, &q, "j", "j")     // the person moves on while it is read
	moved, _ := q.current()
	runCmd(t, reload, update)
	if r, _ := q.current(); r.ID != moved.ID || q.cursor != 2 {
		t.Errorf("after the reload the cursor is on %q (row %d), want %q (row 2) where the person moved",
			r.AuthorName, q.cursor, moved.AuthorName)
	}

	// Nobody moved: the reload puts the cursor back on its row, wherever that row went.
	keys(t, &q, "j")
	here, _ := q.current()
	runCmd(t, q.reload(false), update)
	if r, _ := q.current(); r.ID != here.ID {
		t.Errorf("a reload moved the cursor from %q to %q", here.AuthorName, r.AuthorName)
	}

	// After an action on the row (advance), the cursor goes past it when it stayed.
	acted, _ := q.current()
	q.acted = acted.ID
	runCmd(t, q.reload(true), update)
	if r, _ := q.current(); r.ID == acted.ID {
		t.Errorf("after acting on %q the cursor stayed on it", acted.AuthorName)
	}
}
