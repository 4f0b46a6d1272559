package ui

import (
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// uncachedView draws the queue as a first frame would, every row from scratch.
func uncachedView(q *queueScreen) string {
	saved := q.look
	q.look = rowCache{}
	v := q.View()
	q.look = saved
	return v
}

// frame draws the queue and checks it is what drawing every row afresh gives; it returns
// the view and how many rows it drew.
func frame(t *testing.T, q *queueScreen, step string) (string, int) {
	t.Helper()
	before := q.look.draws
	got := q.View()
	drawn := q.look.draws - before
	if want := uncachedView(q); got != want {
		t.Fatalf("%s: the frame differs from one drawn afresh:\n got %q\nwant %q", step, got, want)
	}
	return got, drawn
}

// lineOf is the plain line of the conversation with this text in a view.
func lineOf(view, text string) string {
	for _, l := range strings.Split(plain(view), "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

func TestQueueFrameRedrawsOnlyRowsThatChanged(t *testing.T) {
	c := emptyCommon(t, "")
	now := testNow
	c.Now = func() time.Time { return now }
	manyConversations(t, c, 60)
	q := queueAt(t, c)
	visible := q.listHeight()

	if _, n := frame(t, q, "first frame"); n != visible {
		t.Fatalf("first frame drew %d rows, want every visible row (%d)", n, visible)
	}
	if _, n := frame(t, q, "same again"); n != 0 {
		t.Errorf("a frame with nothing changed drew %d rows", n)
	}

	// j: the cursor leaves one row and lands on the next; only those two are drawn.
	keys(t, &q, "j")
	view, n := frame(t, q, "j")
	if n != 2 {
		t.Errorf("j drew %d rows, want 2", n)
	}
	if l := strings.Split(view, "\n")[2]; !strings.HasPrefix(l, "\x1b[7m") || !strings.Contains(l, "Customer 1 ") {
		t.Errorf("after j the second row should be drawn reversed: %q", l)
	}

	// Marking a row changes its line (a ● before it) and moves on: two rows drawn.
	keys(t, &q, "space")
	view, n = frame(t, q, "space")
	if n != 2 {
		t.Errorf("space drew %d rows, want 2", n)
	}
	if l := lineOf(view, "Customer 1 "); !strings.HasPrefix(l, "● ") {
		t.Errorf("the marked row reads %q, want it to start with ●", l)
	}

	// A row's data changes and the window is reloaded: that row alone is drawn again, and
	// shows the change.
	id := q.rows[5].ID
	if err := c.Inbox.Assign(c.Ctx, "maria", id); err != nil {
		t.Fatal(err)
	}
	runCmd(t, q.reload(false), queueUpdate(&q))
	view, n = frame(t, q, "assign and reload")
	if n != 1 {
		t.Errorf("reload after one row changed drew %d rows, want 1", n)
	}
	if l := lineOf(view, "Customer 5 "); !strings.Contains(l, "maria") {
		t.Errorf("the assigned row reads %q, want it to show maria", l)
	}

	// A row turned urgent moves to the top and reads "! …": drawn again, the rest kept.
	if err := c.Inbox.SetPriority(c.Ctx, inbox.PriorityUrgent, q.rows[20].ID); err != nil {
		t.Fatal(err)
	}
	runCmd(t, q.reload(false), queueUpdate(&q))
	view, n = frame(t, q, "urgent and reload")
	if n != 1 {
		t.Errorf("reload after one row turned urgent drew %d rows, want 1", n)
	}
	if l := strings.Split(plain(view), "\n")[1]; !strings.Contains(l, "! message number 20") {
		t.Errorf("the first row reads %q, want the urgent one", l)
	}

	// The clock moves: every age changes, so every row is drawn.
	now = now.Add(3 * time.Hour)
	if _, n := frame(t, q, "clock"); n != visible {
		t.Errorf("3 hours later the frame drew %d rows, want %d", n, visible)
	}

	// A narrower window draws every row again at the new width.
	c.Width = 90
	q.SetSize(90, 30)
	view, n = frame(t, q, "resize")
	if n != visible {
		t.Errorf("resize drew %d rows, want %d", n, visible)
	}
	for i, l := range strings.Split(view, "\n") {
		if w := ansi.StringWidth(l); w > 90 {
			t.Errorf("after resize line %d is %d wide", i, w)
		}
	}
	if strings.Contains(plain(view), "WHO") {
		t.Errorf("at 90 columns the WHO column should be gone:\n%s", plain(view))
	}

	// The terminal turns out to be light: every row is drawn in the light colours.
	dark := view
	*q.c.Styles = *NewStyles(false)
	view, n = frame(t, q, "light theme")
	if n != visible || view == dark || plain(view) != plain(dark) {
		t.Errorf("light theme: drew %d rows (want %d), changed colours %v, same text %v", n, visible, view != dark, plain(view) == plain(dark))
	}
}

func TestQueueRootSwitchesThemeAndKeepsLinesInTheWindow(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 40)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	runCmd(t, m.Init(), func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd })
	dark := m.View().Content
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	light := m.View().Content
	if light == dark || plain(light) != plain(dark) {
		t.Fatalf("after a light background: colours changed %v, text kept %v", light != dark, plain(light) == plain(dark))
	}
	saved := m.queue.look
	m.queue.look = rowCache{}
	if afresh := m.View().Content; light != afresh {
		t.Errorf("the light screen differs from one drawn afresh:\n got %q\nwant %q", light, afresh)
	}
	m.queue.look = saved
	for i, l := range strings.Split(light, "\n") {
		if w := ansi.StringWidth(l); w > 120 || i >= 35 {
			t.Errorf("line %d is %d wide, of a screen of 120×35", i, w)
		}
	}
}

func TestQueueCacheStaysTheSizeOfAScreen(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 700)
	q := queueAt(t, c)
	for range 650 {
		keys(t, &q, "j")
		q.View()
	}
	if n, h := len(q.look.lines), q.listHeight(); n > 4*h {
		t.Errorf("after 650 rows the cache holds %d lines, more than 4 screens (%d)", n, 4*h)
	}
}

func TestRootKeepsItsFrameWhileAPageIsAskedFor(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 300)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	runCmd(t, m.Init(), func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd })
	for range maxWindow {
		_, cmd := m.Update(press("j"))
		before := m.View().Content
		if cmd == nil {
			continue
		}
		ask, ok := cmd().(queueNearEdgeMsg)
		if !ok {
			t.Fatalf("j answered %T, want queueNearEdgeMsg", ask)
		}
		frames := m.queue.look.frame
		_, read := m.Update(ask)
		if read == nil {
			t.Fatal("the ask read no page")
		}
		if got := m.View().Content; got != before || m.queue.look.frame != frames {
			t.Fatalf("asking for a page drew the screen again (changed %v)", got != before)
		}
		// The page lands: the next frame is drawn, and shows the same rows.
		runCmd(t, read, func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd })
		if got := m.View().Content; m.queue.look.frame == frames || got != before {
			t.Errorf("after the page landed: drawn again %v, same screen %v", m.queue.look.frame != frames, got == before)
		}
		return
	}
	t.Fatal("no page asked for")
}
