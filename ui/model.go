package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// Minimum window: below it the screen asks to be made larger instead of breaking.
const minWidth, minHeight = 60, 15

type screenID int

const (
	screenQueue screenID = iota
	screenConversation
	screenStats
	screenHelp
	screenLog
)

// Model is triage's root model: it owns the screens and the dialog on top, routes keys,
// and draws header, body and footer.
type Model struct {
	c       *Common
	queue   *queueScreen
	conv    *conversationScreen
	stats   *statsScreen
	screen  screenID
	back    screenID // where esc returns from help, log and stats
	overlay overlay
	help    help.Model

	search    textinput.Model
	searching bool
	searchErr *inbox.QueryError
	channels  []string // the channels a search may name, read at start and on the clock

	prefix      bool // ';' was pressed: the next action applies to the selection
	helpOffset  int  // first line of the help screen shown, when it is taller than the window
	sync        []inbox.SyncState
	status      string
	statusErr   error
	log         []logLine
	confirmQuit bool
	failed      int   // replies the channels refused, for the footer
	awaiting    int   // replies awaiting approval, for a lead's footer (approval.go)
	onward      int64 // moveOn: the conversation acted on, until the queue read after it lands
	onwardLast  bool  // it was the last row of the view

	frame string // the screen drawn last
	still bool   // the message being handled changes nothing on the screen (keepFrame)
	dirty bool   // a message since the frame was drawn changed the screen: View draws anew

	// Presence and live changes (presence.go, presence_live.go).
	shownConv     int64 // the conversation the hub was last told this person is in
	shownReplying bool  // and whether they were writing a reply in it
	liveStale     bool  // a change came while the queue was loading: read it again after
}

var _ tea.Model = (*Model)(nil)

// New builds the root model over a Common whose Inbox is open.
func New(c *Common) *Model {
	ti := newDialogInput(c.Styles, "/ ", `chan:x is:overdue tag:refund "late order"`)
	c.Keys.Moderate.SetEnabled(c.Mod != nil)
	m := &Model{c: c, queue: newQueue(c), help: help.New(), search: ti}
	m.resize()
	return m
}

// Init loads the first page, asks the terminal for its background colour, starts the clock.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.queue.reloadFromTop(), m.c.tick(), tea.RequestBackgroundColor, m.wake(), m.readChannels(), m.countFailed(), m.listen())
}

// channelsMsg is the list of channels a search may name.
type channelsMsg struct{ names []string }

// readChannels reads the channels a search may name; another process may add one (an
// import), so the clock reads them again.
func (m *Model) readChannels() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		names, err := c.Inbox.Channels(c.Ctx)
		if err != nil {
			return statusMsg{Err: err}
		}
		return channelsMsg{names: names}
	}
}

func (m *Model) wake() tea.Cmd {
	c := m.c
	if c.Inbox.ReadOnly() {
		return nil // nothing can change; the header says read-only
	}
	return func() tea.Msg {
		ids, err := c.Inbox.WakeSnoozed(c.Ctx)
		if err != nil {
			return statusMsg{Err: err} // the store's error already says what it was doing
		}
		if len(ids) > 0 {
			return actionMsg{What: fmt.Sprintf("%d snoozed conversations are back", len(ids)), IDs: ids}
		}
		return nil
	}
}

// bodyHeight is the height left between the header (1 line) and the footer (2 lines).
func (m *Model) bodyHeight() int { return max(m.c.Height-3, 1) }

func (m *Model) resize() {
	w, h := m.c.Width, m.bodyHeight()
	m.queue.SetSize(w, h)
	if m.conv != nil {
		m.conv.SetSize(w, h)
	}
	if m.stats != nil {
		m.stats.SetSize(w, h)
	}
	if m.overlay != nil {
		m.overlay.SetSize(w, h)
	}
	m.help.SetWidth(w)
	m.search.SetWidth(max(w-4, 10))
}

// Update routes a message, then tells the hub where the person is now (presence.go).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := m.route(msg)
	m.dirty = m.dirty || !m.still
	m.report(msg)
	return model, cmd
}

// route handles a message: window and colour changes, results of commands, then keys.
func (m *Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.still = false
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		if !m.c.FixedTheme {
			*m.c.Styles = *NewStyles(msg.IsDark())
			m.queue.look.reset() // lines drawn in the old colours
		}
		return m, nil
	case tickMsg:
		// Ages and badges follow the clock on every render; the reload brings in what
		// other processes (an import, a sync) added, keeping the cursor on its row.
		cmds := []tea.Cmd{m.c.tick(), m.wake(), m.readChannels(), m.countFailed()}
		if !m.queue.loading && m.overlay == nil {
			cmds = append(cmds, m.queue.reload(false))
		}
		return m, tea.Batch(cmds...)
	case syncMsg:
		return m, tea.Batch(m.synced(msg), m.countFailed())
	case liveMsg:
		return m, m.onLive(msg)
	case statusMsg:
		m.setStatus(msg.Text, msg.Err)
		return m, nil
	case channelsMsg:
		m.channels = msg.names
		return m, nil
	case actionMsg:
		return m, tea.Batch(m.afterAction(msg), m.countFailed())
	case undoneReplyMsg:
		comp := newComposer(m.c, msg.conv, "")
		if msg.private {
			comp = newPrivateComposer(m.c, msg.conv)
		}
		return m, tea.Batch(m.afterAction(msg.act), m.countFailed(), m.open(comp))
	case failedCountMsg:
		if msg.err != nil || (msg.n == m.failed && msg.awaiting == m.awaiting) {
			m.keepFrame()
			return m, nil
		}
		m.failed, m.awaiting = msg.n, msg.awaiting
		return m, nil
	case togetherMsg:
		return m, m.routeTogether(msg)
	case convTickMsg:
		if m.conv == nil {
			return m, nil
		}
		return m, m.conv.onTick(msg)
	case closeOverlayMsg:
		_, replying := m.overlay.(*composer)
		m.overlay = nil
		if replying && !m.queue.loading {
			return m, m.queue.reload(false) // a draft kept or dropped changes the queue's mark
		}
		return m, nil
	case chooseViewMsg:
		m.screen = screenQueue
		return m, m.queue.setView(msg.Index)
	case openPrivateReplyMsg:
		return m, m.open(newPrivateComposer(m.c, msg.ConvID))
	case openComposerMsg:
		cmds := []tea.Cmd{m.open(newComposer(m.c, msg.ConvID, msg.Text)), m.countFailed()}
		if m.conv != nil {
			cmds = append(cmds, m.conv.Reload()) // a reply taken back to edit shows so
		}
		return m, tea.Batch(cmds...)
	case cannedChosenMsg:
		return m, m.cannedChosen(msg)
	case commandDoneMsg:
		reload := m.afterAction(actionMsg{What: msg.Desc, IDs: msg.IDs, Err: msg.Err})
		return m, tea.Batch(reload, m.open(newOutputDialog(m.c, msg)))
	case selectedMsg:
		m.selectMatching(msg)
		return m, nil
	case queueNearEdgeMsg:
		// It only starts reading a page: nothing on the screen changes, so the frame drawn
		// last stands, and no frame is drawn while the page is being read.
		var cmd tea.Cmd
		m.queue, cmd = m.queue.Update(msg)
		m.keepFrame()
		return m, cmd
	case queueLoadedMsg, queueCountMsg:
		var cmd tea.Cmd
		before := m.queue.shown()
		m.queue, cmd = m.queue.Update(msg)
		if m.queue.shows(before) {
			m.keepFrame() // a live reload that found the page as it was
		}
		if m.onward != 0 && !m.queue.loading {
			cmd = tea.Batch(cmd, m.arrive())
		}
		return m, tea.Batch(cmd, m.afterQueueLoaded())
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	m.recordFailure(msg)
	return m, m.toActive(msg)
}

// toActive passes any other message to the dialog and the screen that may be waiting for it.
func (m *Model) toActive(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	if m.overlay != nil {
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.Update(msg)
		cmds = append(cmds, cmd)
	}
	if m.conv != nil {
		var cmd tea.Cmd
		m.conv, cmd = m.conv.Update(msg)
		cmds = append(cmds, cmd)
	}
	if m.stats != nil {
		var cmd tea.Cmd
		m.stats, cmd = m.stats.Update(msg)
		cmds = append(cmds, cmd)
	}
	if m.searching {
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// afterAction shows what an action did and reloads what it changed.
func (m *Model) afterAction(msg actionMsg) tea.Cmd {
	if msg.Err != nil {
		m.setStatus("", fmt.Errorf("%s: %w", msg.What, msg.Err))
		return nil
	}
	m.setStatus(msg.What, nil)
	if len(msg.IDs) > 1 || m.queue.selected[firstID(msg.IDs)] {
		for _, id := range msg.IDs {
			delete(m.queue.selected, id)
		}
	}
	if msg.Onward && m.screen == screenConversation && m.conv != nil && len(msg.IDs) == 1 && msg.IDs[0] == m.conv.ID() {
		return m.moveOn(msg.IDs[0])
	}
	var cmds []tea.Cmd
	if msg.Advance && m.screen == screenQueue {
		if r, ok := m.queue.current(); ok && len(msg.IDs) == 1 && msg.IDs[0] == r.ID {
			m.queue.acted = r.ID
			cmds = append(cmds, m.queue.reload(true))
		} else {
			cmds = append(cmds, m.queue.reload(false))
		}
	} else {
		m.queue.acted = 0
		cmds = append(cmds, m.queue.reload(false))
	}
	if m.conv != nil {
		cmds = append(cmds, m.conv.Reload())
	}
	return tea.Batch(cmds...)
}

func firstID(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

func (m *Model) open(o overlay) tea.Cmd {
	m.overlay = o
	o.SetSize(m.c.Width, m.bodyHeight())
	return o.Init()
}

// cannedChosen sends a quick canned reply (reply, done, next) or opens it in the composer;
// for a selection it sends the reply to each conversation (closing each, for C).
func (m *Model) cannedChosen(msg cannedChosenMsg) tea.Cmd {
	c := m.c
	if len(msg.IDs) > 1 {
		ids, name, closeEach := msg.IDs, msg.Name, msg.Quick
		return func() tea.Msg {
			b, err := c.Inbox.ReplyCannedToEach(c.Ctx, name, ids, closeEach)
			what := fmt.Sprintf("replied with “%s” to %d of %d conversations", Safe(name), len(b.Sent), len(ids))
			if closeEach {
				what += " and closed them"
			}
			if len(b.Skipped) > 0 {
				what += fmt.Sprintf("; %d left to answer one by one (%s)", len(b.Skipped), Safe(strings.Join(b.Skipped, "; ")))
			}
			return actionMsg{What: what, IDs: ids, Err: err}
		}
	}
	if !msg.Quick {
		comp := newComposer(c, msg.ConvID, msg.Text)
		comp.holes = msg.Holes
		return m.open(comp)
	}
	// The text holds the customer's name and handle: cleaned as the composer cleans it.
	id, text, name := msg.ConvID, SafeText(msg.Text), Safe(msg.Name)
	return onward(func() tea.Msg {
		sent, err := c.Inbox.ReplyAndClose(c.Ctx, id, text)
		what := "replied with “" + name + "” and closed"
		if sent.AwaitingApproval { // not closed: the customer waits until a lead approves
			what = "replied with “" + name + "”: awaiting approval by a lead, so not closed"
		}
		return actionMsg{What: what, IDs: []int64{id}, Advance: true, Err: err}
	})
}

func (m *Model) showScreen(s screenID) tea.Cmd {
	if m.screen == screenQueue || m.screen == screenConversation {
		m.back = m.screen
	}
	m.screen = s
	return nil
}

func (m *Model) goBack() tea.Cmd {
	switch m.screen {
	case screenConversation:
		m.screen = screenQueue
		m.conv = nil
		return m.queue.reload(false)
	case screenHelp, screenLog, screenStats:
		m.screen = m.back
		return nil
	}
	if m.prefix {
		m.prefix = false
		m.setStatus("", nil)
		return nil
	}
	if len(m.queue.selected) > 0 {
		m.queue.selected = map[int64]bool{}
		m.setStatus("selection cleared", nil)
		return nil
	}
	if m.queue.query != "" {
		m.search.SetValue("")
		return m.queue.setQuery("", false)
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	if c, ok := m.overlay.(*composer); ok && c.unsaved() {
		m.setStatus("The reply you are writing is not saved yet. Quit anyway? (y/n)", nil)
		m.confirmQuit = true
		return nil
	}
	return tea.Quit
}

// synced takes the sync engine's news: new messages appear without moving the cursor off
// the row the person is on, and errors go to the log.
func (m *Model) synced(msg syncMsg) tea.Cmd {
	fresh := false
	for i, s := range msg.States {
		if s.Status == "ok" && s.New > 0 && (i >= len(m.sync) || !s.LastFetch.Equal(m.sync[i].LastFetch)) {
			fresh = true
		}
		if i < len(m.sync) && s.Settled != m.sync[i].Settled {
			fresh = true // a reply was sent or failed: its row, badge and conversation change
		}
		if s.Status == "error" && (i >= len(m.sync) || m.sync[i].Err != s.Err) {
			m.setStatus("", fmt.Errorf("sync %s: %s", s.Account, s.Err))
		}
	}
	m.sync = msg.States
	if fresh && !m.queue.loading {
		var cmds []tea.Cmd
		cmds = append(cmds, m.queue.reload(false))
		if m.conv != nil {
			cmds = append(cmds, m.conv.Reload())
		}
		return tea.Batch(cmds...)
	}
	return nil
}
