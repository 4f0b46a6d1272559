package ui

import (
	"fmt"
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// queueUpdate feeds messages to a queue screen, for runCmd.
func queueUpdate(q **queueScreen) func(tea.Msg) tea.Cmd {
	return func(msg tea.Msg) tea.Cmd {
		var cmd tea.Cmd
		*q, cmd = (*q).Update(msg)
		return cmd
	}
}

// queueOrder is every conversation of the first view, in queue order, read a page at a time.
func queueOrder(t *testing.T, c *Common) []int64 {
	t.Helper()
	var ids []int64
	var after *inbox.QueueKey
	for {
		rows, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: c.Inbox.Views()[0], After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if len(rows) < 500 {
			return ids
		}
		after = &rows[len(rows)-1].Key
	}
}

// checkWindow fails unless the window is a run of the queue with nothing doubled or left
// out, bounded, and marked top or end only where the queue starts or ends.
func checkWindow(t *testing.T, q *queueScreen, order []int64, step string) {
	t.Helper()
	if len(q.rows) == 0 || len(q.rows) > maxWindow {
		t.Fatalf("%s: window of %d rows", step, len(q.rows))
	}
	i := slices.Index(order, q.rows[0].ID)
	if i < 0 || i+len(q.rows) > len(order) {
		t.Fatalf("%s: window starts at %d (%d rows) of %d", step, i, len(q.rows), len(order))
	}
	for k, r := range q.rows {
		if r.ID != order[i+k] {
			t.Fatalf("%s: window row %d is conversation %d, want %d (position %d of the queue)", step, k, r.ID, order[i+k], i+k)
		}
	}
	if q.top && i != 0 {
		t.Fatalf("%s: window marked top but starts at %d", step, i)
	}
	if q.end && i+len(q.rows) != len(order) {
		t.Fatalf("%s: window marked end but stops at %d of %d", step, i+len(q.rows), len(order))
	}
}

// lagged plays the queue's loop with pages that come late: a command runs when it is
// returned, and its answer is taken lag keys later, as when a person types faster than
// pages are read. The queue's ask for a page (queueNearEdgeMsg, no reading) is taken on
// the next turn, as the program would.
type lagged struct {
	t       *testing.T
	q       *queueScreen
	lag     int
	keys    int
	pending []laggedMsg
}

type laggedMsg struct {
	due int
	msg tea.Msg
}

func (l *lagged) add(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			l.add(c)
		}
	case queueNearEdgeMsg:
		l.pending = append(l.pending, laggedMsg{due: l.keys, msg: msg})
	default:
		l.pending = append(l.pending, laggedMsg{due: l.keys + l.lag, msg: msg})
	}
}

// press presses a key, then takes every answer that is due.
func (l *lagged) press(k string) {
	_, cmd := l.q.Update(press(k))
	l.keys++
	l.add(cmd)
	l.deliver()
}

// deliver takes the answers that are due, in the order they came.
func (l *lagged) deliver() {
	for {
		i := slices.IndexFunc(l.pending, func(p laggedMsg) bool { return p.due <= l.keys })
		if i < 0 {
			return
		}
		msg := l.pending[i].msg
		l.pending = slices.Delete(l.pending, i, i+1)
		_, cmd := l.q.Update(msg)
		l.add(cmd)
	}
}

func (l *lagged) currentID() int64 {
	r, ok := l.q.current()
	if !ok {
		l.t.Fatal("no row under the cursor")
	}
	return r.ID
}

func TestQueueWalksEveryRowInOrderAcrossPages(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 1234)
	order := queueOrder(t, c)
	if len(order) != 1234 {
		t.Fatalf("queue holds %d conversations", len(order))
	}
	reversed := slices.Clone(order)
	slices.Reverse(reversed)
	// lag 0: pages land at once; 20 and 40: they land that many keys after being asked
	// for, still before the cursor reaches the window's edge.
	for _, lag := range []int{0, 20, 40} {
		t.Run(fmt.Sprint("lag", lag), func(t *testing.T) {
			l := &lagged{t: t, q: queueAt(t, c), lag: lag}
			down := []int64{l.currentID()}
			for range len(order) - 1 {
				l.press("j")
				down = append(down, l.currentID())
				checkWindow(t, l.q, order, fmt.Sprintf("j %d", len(down)-1))
			}
			if !slices.Equal(down, order) {
				t.Fatalf("j from top to bottom showed %v…, want the queue order", firstDiff(down, order))
			}
			up := []int64{l.currentID()}
			for range len(order) - 1 {
				l.press("k")
				up = append(up, l.currentID())
				checkWindow(t, l.q, order, fmt.Sprintf("k %d", len(up)-1))
			}
			if !slices.Equal(up, reversed) {
				t.Fatalf("k from bottom to top showed %v…, want the queue order backwards", firstDiff(up, reversed))
			}
		})
	}
}

// firstDiff says where two sequences part.
func firstDiff(got, want []int64) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("at %d: %d, want %d", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d long, want %d", len(got), len(want))
}

func TestQueueHalfPagesNeverOutrunThePages(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 1000)
	order := queueOrder(t, c)
	l := &lagged{t: t, q: queueAt(t, c), lag: 2} // each page lands two keys after asked for
	half := l.q.listHeight() / 2
	for i := 1; i*half < len(order); i++ {
		l.press("ctrl+d")
		if got, want := l.currentID(), order[i*half]; got != want {
			t.Fatalf("ctrl+d %d: cursor on %d, want %d (row %d): a page came too late", i, got, want, i*half)
		}
		checkWindow(t, l.q, order, fmt.Sprint("ctrl+d ", i))
	}
}

func TestQueueWaitsAtTheEdgeWhenAPageIsLate(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 600)
	order := queueOrder(t, c)
	// Pages land 150 keys after being asked for: the cursor stops at the window's edge
	// until they do, as it always has, and never skips or repeats a conversation.
	l := &lagged{t: t, q: queueAt(t, c), lag: 150}
	seen := []int64{l.currentID()}
	waits := 0
	for len(seen) < len(order) {
		l.press("j")
		if id := l.currentID(); id != seen[len(seen)-1] {
			seen = append(seen, id)
		} else {
			waits++
		}
		checkWindow(t, l.q, order, fmt.Sprint("j ", l.keys))
		if l.keys > 10*len(order) {
			t.Fatal("the walk does not get to the end")
		}
	}
	if !slices.Equal(seen, order) {
		t.Fatalf("walk with late pages: %s", firstDiff(seen, order))
	}
	if waits == 0 {
		t.Errorf("no key waited at the edge: the lag does not test the fallback")
	}
}

// walkUntilFetch presses j until the queue asks for the next page, and returns the
// command that reads it, unrun.
func walkUntilFetch(t *testing.T, q *queueScreen) tea.Cmd {
	t.Helper()
	for range maxWindow {
		_, cmd := q.Update(press("j"))
		if cmd == nil {
			continue
		}
		// The key asks on the loop's next turn, after its frame is drawn.
		msg, ok := cmd().(queueNearEdgeMsg)
		if !ok {
			t.Fatalf("j answered %T, want queueNearEdgeMsg", msg)
		}
		if _, read := q.Update(msg); read != nil {
			return read
		}
		t.Fatal("near the edge, the queue read no page")
	}
	t.Fatal("no page asked for")
	return nil
}

func TestQueuePageDroppedWhenTheWindowWasReplaced(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 500)
	q := queueAt(t, c)
	late := walkUntilFetch(t, q)
	cursor := q.rows[q.cursor].ID

	// An action: a conversation in the window is done, and the window is read again (as
	// afterAction does) before the page asked for earlier comes.
	if err := c.Inbox.Done(c.Ctx, q.rows[3].ID); err != nil {
		t.Fatal(err)
	}
	runCmd(t, q.reload(false), queueUpdate(&q))
	order := queueOrder(t, c)
	checkWindow(t, q, order, "after the reload")
	runCmd(t, late, queueUpdate(&q))
	checkWindow(t, q, order, "after the late page")
	if r, _ := q.current(); r.ID != cursor {
		t.Errorf("cursor moved from %d to %d", cursor, r.ID)
	}
	walkToEnd(t, q, order)

	// G while a page is on its way: the page answers a window that is gone.
	q = queueAt(t, c)
	late = walkUntilFetch(t, q)
	runCmd(t, func() tea.Msg { return press("G") }, queueUpdate(&q))
	runCmd(t, late, queueUpdate(&q))
	checkWindow(t, q, order, "G, then the late page")
	if r, _ := q.current(); r.ID != order[len(order)-1] {
		t.Errorf("after G the cursor is on %d, want the last conversation", r.ID)
	}
}

// walkToEnd presses j to the end of the queue, answers landing at once, and checks every
// row from where the cursor is follows the queue order.
func walkToEnd(t *testing.T, q *queueScreen, order []int64) {
	t.Helper()
	r, _ := q.current()
	i := slices.Index(order, r.ID)
	l := &lagged{t: t, q: q}
	for i++; i < len(order); i++ {
		l.press("j")
		if got := l.currentID(); got != order[i] {
			t.Fatalf("walking on: row %d is %d, want %d", i, got, order[i])
		}
		checkWindow(t, q, order, fmt.Sprint("walking on, row ", i))
	}
}

func TestQueuePageReadAfterTheDataChanged(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 150)
	q := queueAt(t, c)
	late := walkUntilFetch(t, q)
	cursor := q.rows[q.cursor].ID
	// Behind the screen's back (another process, say) one shown conversation drops to low
	// priority, which moves it past the window into the page asked for, and one not yet
	// shown turns urgent, which moves it before the window. The page is read after.
	low, urgent := q.rows[10].ID, queueOrder(t, c)[120]
	if err := c.Inbox.SetPriority(c.Ctx, inbox.PriorityLow, low); err != nil {
		t.Fatal(err)
	}
	if err := c.Inbox.SetPriority(c.Ctx, inbox.PriorityUrgent, urgent); err != nil {
		t.Fatal(err)
	}
	order := queueOrder(t, c)
	if order[0] != urgent || order[len(order)-1] != low {
		t.Fatalf("the changes did not move the conversations as the test needs: first %d, last %d", order[0], order[len(order)-1])
	}
	runCmd(t, late, queueUpdate(&q))
	checkWindow(t, q, order, "after the page")
	if r, _ := q.current(); r.ID != cursor {
		t.Errorf("cursor moved from %d to %d", cursor, r.ID)
	}
	walkToEnd(t, q, order)
}

func TestQueueCountSurvivesAPrefetch(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 300)
	q := newQueue(c)
	q.SetSize(c.Width, 30)
	// The first page lands; the count is still on its way when the person walks far
	// enough down for the next page to be asked for.
	var count tea.Cmd
	for _, cmd := range q.reloadFromTop()().(tea.BatchMsg) {
		msg := cmd()
		if _, ok := msg.(queueCountMsg); ok {
			count = func() tea.Msg { return msg }
			continue
		}
		q.Update(msg)
	}
	runCmd(t, walkUntilFetch(t, q), queueUpdate(&q))
	runCmd(t, count, queueUpdate(&q))
	if q.count != 300 {
		t.Errorf("count %d, want 300: the count was dropped", q.count)
	}
}

func TestQueueDropsAPageThatNoLongerBordersTheWindow(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 300)
	q := queueAt(t, c)
	msg := walkUntilFetch(t, q)().(queueLoadedMsg)
	msg.anchor = q.rows[len(q.rows)-2].Key // asked for when the window ended one row earlier
	q.Update(msg)
	if len(q.rows) != pageSize {
		t.Fatalf("a page after another edge was added: window of %d rows", len(q.rows))
	}
	checkWindow(t, q, queueOrder(t, c), "after the stray page")
}
