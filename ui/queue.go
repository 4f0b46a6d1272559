package ui

import (
	"context"
	"math"
	"reflect"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

const (
	pageSize  = 100 // rows fetched at a time
	maxWindow = 400 // rows held at most; the queue itself may hold millions
)

// queueScreen is the list of conversations of one view. It holds a window of rows, not
// the queue: the next page is fetched by key in the background while the cursor is still
// well inside the window, so moving through a million conversations never waits on the
// database.
type queueScreen struct {
	c        *Common
	views    []inbox.View
	view     int
	query    string
	live     bool // the query is read as typed: its last word a prefix (see inbox.QueuePage)
	typing   bool // the query is still being typed: the count stops at inbox.LiveCountLimit
	rows     []inbox.QueueRow
	top      bool // rows[0] is the first row of the view
	end      bool // nothing follows the last row
	cursor   int
	offset   int
	count    int
	countMax bool // count stopped at inbox.LiveCountLimit: there are more
	selected map[int64]bool
	acted    int64 // the conversation the last action was on, to move past it
	gen      int   // what the window shows (view, query, reload); answers to older ones are dropped
	genCtx   context.Context
	stopGen  context.CancelFunc // cancels the reads of the generation before, still running
	loading  bool               // the window is being replaced
	fetching bool               // a page next to the window is on its way
	err      error
	width    int
	height   int
	look     rowCache // the lines drawn last, so a key redraws only the rows it changed
}

type loadMode int

const (
	loadReload  loadMode = iota // replace the window, starting where it starts
	loadAppend                  // rows after the window
	loadPrepend                 // rows before the window
	loadBottom                  // the last page of the view
)

// queueLoadedMsg is a page of the queue, answering request gen.
type queueLoadedMsg struct {
	gen       int
	mode      loadMode
	rows      []inbox.QueueRow
	err       error
	keepID    int64 // put the cursor back on this conversation if it is still there
	keepIndex int   // else on this index
	advance   bool  // the row at keepIndex was acted on: move past it if it stayed
	// follow: a reload that keeps the person's place. When they moved while it was read
	// (the row under the cursor is no longer asked), the place they moved to is kept.
	follow bool
	asked  int64          // the conversation under the cursor when the reload was asked for
	limit  int            // rows asked for: fewer means the end of the view
	anchor inbox.QueueKey // loadAppend, loadPrepend: the window's edge the page follows or precedes
}

// queueCountMsg is the size of the current view.
type queueCountMsg struct {
	gen   int
	count int
	more  bool // a live search's count stopped at inbox.LiveCountLimit
	err   error
}

func newQueue(c *Common) *queueScreen {
	return &queueScreen{c: c, views: c.Inbox.Views(), selected: map[int64]bool{}, top: true}
}

func (q *queueScreen) SetSize(w, h int) { q.width, q.height = w, h }

func (q *queueScreen) currentView() inbox.View { return q.views[q.view] }

// current is the conversation under the cursor, if any.
func (q *queueScreen) current() (inbox.QueueRow, bool) {
	if q.cursor < 0 || q.cursor >= len(q.rows) {
		return inbox.QueueRow{}, false
	}
	return q.rows[q.cursor], true
}

// setView switches views and starts again from the top.
func (q *queueScreen) setView(i int) tea.Cmd {
	if i < 0 || i >= len(q.views) {
		return nil
	}
	q.view = i
	q.cursor, q.offset = 0, 0
	return q.reloadFromTop()
}

// setQuery applies a search; live means the person is still typing it. Every read of the
// window keeps the query's reading until the next search, so the rows a person saw while
// typing are the rows a reload, a scroll or the count bring.
func (q *queueScreen) setQuery(s string, live bool) tea.Cmd {
	q.query, q.live, q.typing = s, live, live
	q.cursor, q.offset = 0, 0
	q.top = true
	return tea.Batch(q.fetch(loadReload, nil, pageSize, 0, 0, false), q.countCmd())
}

func (q *queueScreen) reloadFromTop() tea.Cmd {
	q.top = true
	return tea.Batch(q.fetch(loadReload, nil, pageSize, 0, 0, false), q.countCmd())
}

// reload fetches the window again from where it starts (after sync or an action) and keeps
// the cursor on the same conversation when it is still there.
func (q *queueScreen) reload(advance bool) tea.Cmd {
	var from *inbox.QueueKey
	if !q.top && len(q.rows) > 0 {
		k := q.rows[0].Key
		k.ID-- // the key just before the first row: ids are integers, so this is exact
		from = &k
	}
	keep := int64(0)
	if r, ok := q.current(); ok && !advance {
		keep = r.ID
	}
	limit := max(len(q.rows), pageSize)
	return tea.Batch(q.fetch(loadReload, from, limit, keep, q.cursor, advance), q.countCmd())
}

// followPerson makes a reload that lands keep the row the person is on now, when they
// moved while it was read: under fifty agents a live reload is nearly always under
// way, and one that put the cursor back where it was asked undid the keys pressed
// meanwhile (j, j, and the cursor jumped back up).
func (q *queueScreen) followPerson(msg *queueLoadedMsg) {
	r, ok := q.current()
	if !msg.follow || !ok || r.ID == msg.asked {
		return
	}
	msg.keepID, msg.keepIndex, msg.advance = r.ID, q.cursor, false
}

// fetch replaces the window (loadReload from key, or loadBottom). It starts a new
// generation: pages and counts asked for before it are dropped when they come.
func (q *queueScreen) fetch(mode loadMode, key *inbox.QueueKey, limit int, keepID int64, keepIndex int, advance bool) tea.Cmd {
	q.gen++
	// The reads of the generation before are stopped, not only ignored: typing a search
	// at a million messages starts one per keystroke, and each common word can take a
	// fifth of a second that the next keystroke's search would wait for.
	if q.stopGen != nil {
		q.stopGen()
	}
	q.genCtx, q.stopGen = context.WithCancel(q.c.Ctx)
	q.loading = true
	q.fetching = false // a page next to the old window no longer fits the new one
	page := inbox.QueuePage{View: q.currentView(), Query: q.query, Live: q.live, Limit: limit, After: key}
	if mode == loadBottom {
		page.After = nil
		page.Before = &inbox.QueueKey{PrioRank: math.MaxInt64, DueAt: math.MaxInt64, SinceAt: math.MaxInt64, ID: math.MaxInt64}
	}
	msg := queueLoadedMsg{gen: q.gen, mode: mode, keepID: keepID, keepIndex: keepIndex, advance: advance, limit: limit}
	if r, ok := q.current(); ok && mode == loadReload && (keepID != 0 || advance) {
		msg.follow, msg.asked = true, r.ID
	}
	return q.page(page, msg)
}

// page runs a page request in a command and answers with msg, its rows and error filled in.
func (q *queueScreen) page(page inbox.QueuePage, msg queueLoadedMsg) tea.Cmd {
	c, ctx := q.c, q.ctx()
	return func() tea.Msg {
		msg.rows, msg.err = c.Inbox.Queue(ctx, page)
		return msg
	}
}

// ctx is the context of the current generation's reads.
func (q *queueScreen) ctx() context.Context {
	if q.genCtx == nil {
		return q.c.Ctx
	}
	return q.genCtx
}

// prefetchZone is how close to an edge of the window the cursor may come before the page
// beyond it is asked for: half a page, or a whole screen when that is more, so even a
// half-page move starts the request well before it could reach the edge. It stays under
// (maxWindow-pageSize)/2, so the page that lands never puts the cursor in the other
// edge's zone.
func (q *queueScreen) prefetchZone() int {
	return min(max(pageSize/2, q.listHeight()), (maxWindow-pageSize)/2-1)
}

// nearEdge says whether the window needs the page after it (loadAppend) or before it
// (loadPrepend): the cursor is within prefetchZone rows of an edge the view goes on
// beyond, and no page is being read.
func (q *queueScreen) nearEdge() (loadMode, bool) {
	if q.loading || q.fetching || len(q.rows) == 0 {
		return 0, false
	}
	z := q.prefetchZone()
	switch {
	case !q.end && q.cursor >= len(q.rows)-z:
		return loadAppend, true
	case !q.top && q.cursor < z:
		return loadPrepend, true
	}
	return 0, false
}

// askPage is how a key that brings the cursor near an edge asks for the page beyond: it
// answers at once with queueNearEdgeMsg, so the page is read on the loop's next turn,
// once the frame of the key is drawn. Reading a page takes a few milliseconds at a
// million conversations; this way it never competes for the processor with drawing the
// key that asked for it. Until the page lands the cursor stops at the edge, as it
// always has.
func (q *queueScreen) askPage() tea.Cmd {
	if _, ok := q.nearEdge(); !ok {
		return nil
	}
	gen := q.gen
	return func() tea.Msg { return queueNearEdgeMsg{gen: gen} }
}

// queueNearEdgeMsg asks the queue to read the page beyond the window's edge, if it still
// needs it.
type queueNearEdgeMsg struct{ gen int }

// prefetch reads the page the window needs next, if any, in a command.
func (q *queueScreen) prefetch() tea.Cmd {
	mode, ok := q.nearEdge()
	if !ok {
		return nil
	}
	page := inbox.QueuePage{View: q.currentView(), Query: q.query, Live: q.live, Limit: pageSize}
	msg := queueLoadedMsg{gen: q.gen, mode: mode, limit: pageSize}
	if mode == loadAppend {
		msg.anchor = q.rows[len(q.rows)-1].Key
		page.After = &msg.anchor
	} else {
		msg.anchor = q.rows[0].Key
		page.Before = &msg.anchor
	}
	q.fetching = true
	return q.page(page, msg)
}

func (q *queueScreen) countCmd() tea.Cmd {
	gen, view, query, live, c, ctx := q.gen, q.currentView(), q.query, q.live, q.c, q.ctx()
	limit := 0
	if q.typing {
		limit = inbox.LiveCountLimit
	}
	return func() tea.Msg {
		n, err := c.Inbox.CountUpTo(ctx, view, query, live, limit)
		more := limit > 0 && n > limit
		if more {
			n = inbox.LiveCountLimit
		}
		return queueCountMsg{gen: gen, count: n, more: more, err: err}
	}
}

// Update handles the queue's own messages and movement keys.
func (q *queueScreen) Update(msg tea.Msg) (*queueScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case queueLoadedMsg:
		if msg.gen != q.gen {
			return q, nil
		}
		if msg.mode == loadAppend || msg.mode == loadPrepend {
			q.fetching = false
			if !q.borders(msg) {
				return q, q.askPage() // the window moved while the page was on its way
			}
			if msg.err == nil && q.overlaps(msg.rows) {
				return q, q.reload(false)
			}
		} else {
			q.loading = false
		}
		q.err = msg.err
		if msg.err != nil {
			return q, nil // the next move asks again
		}
		q.apply(msg)
		return q, q.askPage()
	case queueNearEdgeMsg:
		if msg.gen == q.gen {
			return q, q.prefetch()
		}
	case queueCountMsg:
		if msg.gen == q.gen && msg.err == nil {
			q.count, q.countMax = msg.count, msg.more
		}
	case tea.KeyPressMsg:
		return q, q.handleKey(msg)
	}
	return q, nil
}

// borders says whether a page asked for next to the window still borders it: the window
// may have been cut or replaced since.
func (q *queueScreen) borders(msg queueLoadedMsg) bool {
	if len(q.rows) == 0 {
		return false
	}
	if msg.mode == loadAppend {
		return !q.end && q.rows[len(q.rows)-1].Key == msg.anchor
	}
	return !q.top && q.rows[0].Key == msg.anchor
}

// overlaps says whether a page read next to the window holds a conversation the window
// already shows. The two were read at different times; a conversation that moved in
// between (its priority changed elsewhere, say) would be listed twice, so the window is
// read again instead.
func (q *queueScreen) overlaps(page []inbox.QueueRow) bool {
	if len(page) == 0 {
		return false
	}
	shown := make(map[int64]struct{}, len(q.rows))
	for _, r := range q.rows {
		shown[r.ID] = struct{}{}
	}
	for _, r := range page {
		if _, ok := shown[r.ID]; ok {
			return true
		}
	}
	return false
}

// apply merges a page into the window.
func (q *queueScreen) apply(msg queueLoadedMsg) {
	switch msg.mode {
	case loadReload:
		q.followPerson(&msg)
		q.rows = msg.rows
		q.end = len(msg.rows) < msg.limit
		q.cursor = q.placeCursor(msg)
	case loadAppend:
		q.rows = append(q.rows, msg.rows...)
		q.end = len(msg.rows) < msg.limit
		if over := len(q.rows) - maxWindow; over > 0 {
			q.rows = q.rows[over:]
			q.cursor -= over
			q.offset -= over
			q.top = false
		}
	case loadPrepend:
		q.rows = append(append([]inbox.QueueRow(nil), msg.rows...), q.rows...)
		q.cursor += len(msg.rows)
		q.offset += len(msg.rows)
		q.top = len(msg.rows) < msg.limit
		if over := len(q.rows) - maxWindow; over > 0 {
			q.rows = q.rows[:maxWindow]
			q.end = false
		}
	case loadBottom:
		q.rows = msg.rows
		q.end = true
		q.top = len(msg.rows) < msg.limit
		q.cursor = len(q.rows) - 1
	}
	q.clamp()
}

// placeCursor finds where the cursor goes after a reload.
func (q *queueScreen) placeCursor(msg queueLoadedMsg) int {
	if msg.keepID != 0 {
		for i, r := range q.rows {
			if r.ID == msg.keepID {
				return i
			}
		}
	}
	i := msg.keepIndex
	if msg.advance && i < len(q.rows) && q.acted != 0 && q.rows[i].ID == q.acted {
		i++ // the row stayed in the view (a tag, say): move past it, as mail clients do
	}
	return i
}

func (q *queueScreen) clamp() {
	if q.cursor >= len(q.rows) {
		q.cursor = len(q.rows) - 1
	}
	if q.cursor < 0 {
		q.cursor = 0
	}
	h := q.listHeight()
	if q.cursor < q.offset {
		q.offset = q.cursor
	}
	if q.cursor >= q.offset+h {
		q.offset = q.cursor - h + 1
	}
	if q.offset < 0 {
		q.offset = 0
	}
}

func (q *queueScreen) listHeight() int { return max(q.height-1, 1) }

// move moves the cursor by n rows, asking for the page beyond when it nears an edge.
func (q *queueScreen) move(n int) tea.Cmd {
	q.cursor += n
	q.clamp()
	return q.askPage()
}

func (q *queueScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := q.c.Keys
	switch {
	case key.Matches(msg, k.Down):
		return q.move(1)
	case key.Matches(msg, k.Up):
		return q.move(-1)
	case key.Matches(msg, k.HalfDown):
		return q.move(max(q.listHeight()/2, 1))
	case key.Matches(msg, k.HalfUp):
		return q.move(-max(q.listHeight()/2, 1))
	case key.Matches(msg, k.Top):
		q.cursor, q.offset = 0, 0
		if q.top {
			return nil
		}
		q.top = true
		return q.fetch(loadReload, nil, pageSize, 0, 0, false)
	case key.Matches(msg, k.Bottom):
		if q.end {
			q.cursor = len(q.rows) - 1
			q.clamp()
			return nil
		}
		return q.fetch(loadBottom, nil, pageSize, 0, 0, false)
	case key.Matches(msg, k.Select):
		if r, ok := q.current(); ok {
			if q.selected[r.ID] {
				delete(q.selected, r.ID)
			} else {
				q.selected[r.ID] = true
			}
			return q.move(1)
		}
	}
	return nil
}

// targets are the conversations an action applies to: the selection when there is one,
// else the row under the cursor.
func (q *queueScreen) targets(useSelection bool) []int64 {
	if useSelection && len(q.selected) > 0 {
		ids := make([]int64, 0, len(q.selected))
		for id := range q.selected {
			ids = append(ids, id)
		}
		sortIDs(ids)
		return ids
	}
	if r, ok := q.current(); ok {
		return []int64{r.ID}
	}
	return nil
}

func sortIDs(ids []int64) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
}

// doneTyping is the end of typing a search: the query keeps its reading, and a count
// that stopped at inbox.LiveCountLimit is made exact.
func (q *queueScreen) doneTyping() tea.Cmd {
	q.typing = false
	if !q.countMax {
		return nil
	}
	return q.countCmd()
}

// countText is the size of the view as the header shows it: "1000+" while a search being
// typed has more matches than it counts.
func (q *queueScreen) countText() string {
	if q.countMax {
		return itoa(q.count) + "+"
	}
	return itoa(q.count)
}

// queueShown is what of the queue screen a frame shows, to tell whether an answer
// changed it.
type queueShown struct {
	rows                  []inbox.QueueRow
	cursor, offset, count int
	countMax, loading     bool
	err                   error
}

// shown is what the screen shows now.
func (q *queueScreen) shown() queueShown {
	return queueShown{rows: q.rows, cursor: q.cursor, offset: q.offset, count: q.count,
		countMax: q.countMax, loading: q.loading, err: q.err}
}

// shows says whether the screen still shows what it showed at s: a live reload or a
// count that found the page as it was needs no new frame.
func (q *queueScreen) shows(s queueShown) bool {
	return q.cursor == s.cursor && q.offset == s.offset && q.count == s.count && q.countMax == s.countMax &&
		q.loading == s.loading && q.err == s.err && reflect.DeepEqual(q.rows, s.rows)
}
