package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
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

	prefix      bool // ';' was pressed: the next action applies to the selection
	helpOffset  int  // first line of the help screen shown, when it is taller than the window
	sync        []inbox.SyncState
	status      string
	statusErr   error
	log         []logLine
	confirmQuit bool

	frame string // the screen drawn last
	still bool   // the last message changed nothing on the screen: View gives frame again
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
	return tea.Batch(m.queue.reloadFromTop(), m.c.tick(), tea.RequestBackgroundColor, m.wake())
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

// Update routes a message: window and colour changes, results of commands, then keys.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
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
		cmds := []tea.Cmd{m.c.tick(), m.wake()}
		if !m.queue.loading && m.overlay == nil {
			cmds = append(cmds, m.queue.reload(false))
		}
		return m, tea.Batch(cmds...)
	case syncMsg:
		return m, m.synced(msg)
	case statusMsg:
		m.setStatus(msg.Text, msg.Err)
		return m, nil
	case actionMsg:
		return m, m.afterAction(msg)
	case closeOverlayMsg:
		m.overlay = nil
		return m, nil
	case chooseViewMsg:
		m.screen = screenQueue
		return m, m.queue.setView(msg.Index)
	case openComposerMsg:
		return m, m.open(newComposer(m.c, msg.ConvID, msg.Text))
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
		m.still = m.frame != ""
		return m, cmd
	case queueLoadedMsg, queueCountMsg:
		var cmd tea.Cmd
		m.queue, cmd = m.queue.Update(msg)
		return m, cmd
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

// cannedChosen sends a quick canned reply (reply, done, next) or opens it in the composer.
func (m *Model) cannedChosen(msg cannedChosenMsg) tea.Cmd {
	if !msg.Quick {
		return m.open(newComposer(m.c, msg.ConvID, msg.Text))
	}
	// The text holds the customer's name and handle: cleaned as the composer cleans it.
	c, id, text := m.c, msg.ConvID, SafeText(msg.Text)
	return do("replied with “"+msg.Name+"” and closed", []int64{id}, true, func() error {
		if _, err := c.Inbox.Reply(c.Ctx, id, text); err != nil {
			return err
		}
		return c.Inbox.Done(c.Ctx, id)
	})
}

// handleKey: the dialog first, then the search line, then global keys, then the screen.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if m.confirmQuit {
		m.confirmQuit = false
		if msg.String() == "y" || key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		m.setStatus("", nil)
		return nil
	}
	if msg.String() == "ctrl+c" {
		return m.quit()
	}
	if m.overlay != nil {
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.Update(msg)
		return cmd
	}
	if m.searching {
		return m.searchKey(msg)
	}
	switch {
	case key.Matches(msg, k.Help):
		return m.showScreen(screenHelp)
	case key.Matches(msg, k.Quit):
		if m.screen == screenHelp || m.screen == screenLog || m.screen == screenStats {
			m.screen = m.back
			return nil
		}
		return m.quit()
	case key.Matches(msg, k.Back):
		return m.goBack()
	case key.Matches(msg, k.Stats):
		m.stats = newStatsScreen(m.c)
		m.stats.SetSize(m.c.Width, m.bodyHeight())
		return tea.Batch(m.showScreen(screenStats), m.stats.Init())
	case key.Matches(msg, k.Log):
		return m.showScreen(screenLog)
	case key.Matches(msg, k.Undo):
		return m.undo()
	}
	if m.screen == screenHelp {
		switch {
		case key.Matches(msg, k.Down):
			m.helpOffset++
		case key.Matches(msg, k.Up):
			m.helpOffset = max(m.helpOffset-1, 0)
		}
		return nil
	}
	if m.screen == screenStats && m.stats != nil {
		var cmd tea.Cmd
		m.stats, cmd = m.stats.Update(msg)
		return cmd
	}
	if m.screen != screenQueue && m.screen != screenConversation {
		return nil
	}
	if cmd, ok := m.actionKey(msg); ok {
		return cmd
	}
	if m.screen == screenConversation {
		var cmd tea.Cmd
		m.conv, cmd = m.conv.Update(msg)
		return cmd
	}
	return m.queueKey(msg)
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

func (m *Model) undo() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		u, err := c.Inbox.Undo(c.Ctx)
		if errors.Is(err, inbox.ErrNothingToUndo) {
			return statusMsg{Text: "nothing to undo"}
		}
		what := "undid " + undoneWhat(u)
		if len(u.Conversations) > 1 {
			what += fmt.Sprintf(" on %d conversations", len(u.Conversations))
		}
		if u.Draft != "" {
			what = "reply taken back before it was sent; its text is in the draft"
		}
		if u.Notice != "" {
			what += " — " + u.Notice
		}
		return actionMsg{What: what, IDs: u.Conversations, Err: err}
	}
}

// queueKey handles the queue's own keys: open, search, views, selection, movement.
func (m *Model) queueKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	for i, vk := range k.ViewKeys {
		if key.Matches(msg, vk) && i < len(m.queue.views) {
			return m.queue.setView(i)
		}
	}
	switch {
	case key.Matches(msg, k.Open):
		r, ok := m.queue.current()
		if !ok {
			return nil
		}
		m.conv = newConversation(m.c, r.ID)
		m.conv.SetSize(m.c.Width, m.bodyHeight())
		m.screen = screenConversation
		return m.conv.Init()
	case key.Matches(msg, k.Search):
		m.searching = true
		m.search.SetValue(m.queue.query)
		m.search.CursorEnd()
		return m.search.Focus()
	case key.Matches(msg, k.Views):
		return m.open(newViewPicker(m.c, m.queue.view))
	case key.Matches(msg, k.SelectQuery):
		return m.open(newSelectPrompt(m.c, m.queue.currentView()))
	case key.Matches(msg, k.ApplyToSelected):
		if len(m.queue.selected) == 0 {
			m.setStatus("nothing selected: space selects a conversation, T selects all that match a query", nil)
			return nil
		}
		m.prefix = true
		m.setStatus(fmt.Sprintf("; — the next action applies to the %d selected conversations", len(m.queue.selected)), nil)
		return nil
	}
	var cmd tea.Cmd
	m.queue, cmd = m.queue.Update(msg)
	return cmd
}

// targets are what an action key applies to: in the queue the selection (when there is one,
// or after ';') else the cursor row; in a conversation that conversation.
func (m *Model) targets() []int64 {
	if m.screen == screenConversation && m.conv != nil {
		return []int64{m.conv.ID()}
	}
	ids := m.queue.targets(true)
	m.prefix = false
	return ids
}

// actionKey handles the keys that act on conversations, on both the queue and a conversation.
func (m *Model) actionKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	for _, b := range k.Commands {
		if key.Matches(msg, b.Key) {
			ids := m.targets()
			if len(ids) == 0 {
				return nil, true
			}
			m.setStatus("running "+b.Desc+"…", nil)
			return runCommand(m.c, b, ids[0]), true
		}
	}
	actions := []key.Binding{k.Reply, k.Canned, k.QuickCanned, k.Tag, k.Escalate, k.Done, k.Snooze, k.Assign, k.Note, k.Spam, k.Reopen}
	if k.Moderate.Enabled() {
		actions = append(actions, k.Moderate)
	}
	if !key.Matches(msg, actions...) {
		return nil, false
	}
	ids := m.targets()
	if len(ids) == 0 {
		m.setStatus("no conversation here", nil)
		return nil, true
	}
	one := ids[0]
	advance := m.screen == screenQueue
	c := m.c
	many := ""
	if len(ids) > 1 {
		many = fmt.Sprintf(" (%d conversations)", len(ids))
	}
	switch {
	case key.Matches(msg, k.Reply):
		return m.open(newComposer(c, one, "")), true
	case key.Matches(msg, k.Canned):
		return m.open(newCannedPicker(c, one, false)), true
	case key.Matches(msg, k.QuickCanned):
		return m.open(newCannedPicker(c, one, true)), true
	case key.Matches(msg, k.Tag):
		return m.open(newTagPicker(c, ids)), true
	case key.Matches(msg, k.Escalate):
		return m.open(newEscalateDialog(c, ids)), true
	case key.Matches(msg, k.Snooze):
		return m.open(newSnoozeDialog(c, ids)), true
	case key.Matches(msg, k.Assign):
		return m.open(newAssignPicker(c, ids)), true
	case key.Matches(msg, k.Note):
		return m.open(newNoteDialog(c, one)), true
	case key.Matches(msg, k.Moderate):
		return m.open(newModeratePicker(c, one)), true
	case key.Matches(msg, k.Done):
		return do("done"+many, ids, advance, func() error { return c.Inbox.Done(c.Ctx, ids...) }), true
	case key.Matches(msg, k.Spam):
		return do("marked spam"+many, ids, advance, func() error { return c.Inbox.Spam(c.Ctx, ids...) }), true
	case key.Matches(msg, k.Reopen):
		return do("reopened"+many, ids, advance, func() error { return c.Inbox.Reopen(c.Ctx, ids...) }), true
	}
	return nil, false
}

// searchKey edits the search line; results follow as you type.
func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		m.searching = false
		m.search.Blur()
		return nil
	case "esc":
		m.searching = false
		m.search.Blur()
		m.search.SetValue("")
		m.searchErr = nil
		return m.queue.setQuery("", false)
	}
	before := m.search.Value()
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	text := m.search.Value()
	if clean := Safe(text); clean != text {
		m.search.SetValue(clean) // pasted text may carry bidi overrides and the like
		text = clean
	}
	if text == before {
		return cmd
	}
	// Parsing is pure and quick, so it happens here; the page is fetched by a command.
	if _, err := inbox.ParseQueryLive(text); err != nil {
		var qe *inbox.QueryError
		if errors.As(err, &qe) {
			m.searchErr = qe
		}
		return cmd
	}
	m.searchErr = nil
	return tea.Batch(cmd, m.queue.setQuery(text, true))
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	if !m.still {
		m.frame = m.render()
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "triage"
	return v
}

func (m *Model) render() string {
	w, h := m.c.Width, m.c.Height
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("triage needs a window of at least %d×%d (this one is %d×%d): make the window larger.", minWidth, minHeight, w, h)
		return lipgloss.NewStyle().Width(w).Render(msg)
	}
	body := m.body()
	switch {
	case m.overlay != nil:
		body = fitLines(m.place(body, m.overlay.View()), w, m.bodyHeight())
	case m.bodyFits():
		body = padLines(body, m.bodyHeight())
	default:
		body = fitLines(body, w, m.bodyHeight())
	}
	return m.header() + "\n" + body + "\n" + m.footer()
}

// bodyFits says whether the body is known to be at most bodyHeight lines of at most the
// window's width, so it need not be measured again: the queue draws each row to its width
// (and measuring every line of every frame is a good part of what a key in the queue
// costs).
func (m *Model) bodyFits() bool {
	q := m.queue
	return m.screen == screenQueue && q.width == m.c.Width && q.height == m.bodyHeight() && q.height >= 2
}

func (m *Model) body() string {
	switch m.screen {
	case screenConversation:
		if m.conv != nil {
			return m.conv.View()
		}
	case screenStats:
		if m.stats != nil {
			return m.stats.View()
		}
	case screenHelp:
		return m.scrolledHelp()
	case screenLog:
		return m.logView()
	}
	return m.queue.View()
}

// place draws a dialog over the body, centred.
func (m *Model) place(body, dialog string) string {
	w, h := m.c.Width, m.bodyHeight()
	dw, dh := lipgloss.Width(dialog), lipgloss.Height(dialog)
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(fitLines(body, w, h)),
		lipgloss.NewLayer(dialog).X(max((w-dw)/2, 0)).Y(max((h-dh)/3, 0)).Z(1),
	).Render()
}

// padLines makes s, at most h lines, exactly h lines.
func padLines(s string, h int) string {
	if n := strings.Count(s, "\n") + 1; n < h {
		s += strings.Repeat("\n", h-n)
	}
	return s
}

// fitLines makes s exactly h lines of at most w cells, so nothing can push the layout.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// selectMatching makes the answer to T the selection.
func (m *Model) selectMatching(msg selectedMsg) {
	if msg.Err != nil {
		m.setStatus("", fmt.Errorf("select %q: %w", msg.Query, msg.Err))
		return
	}
	m.queue.selected = map[int64]bool{}
	for _, id := range msg.IDs {
		m.queue.selected[id] = true
	}
	m.setStatus(fmt.Sprintf("selected %d conversations matching %q; press ; then an action key (t, d, a, e, s, !)", len(msg.IDs), msg.Query), nil)
}

// undoneWhat says in words what an undo reversed: "done", "tag shipping", "escalation".
func undoneWhat(u inbox.Undone) string {
	switch u.Action {
	case "state":
		st, _, _ := strings.Cut(u.Detail, ":")
		return st
	case "tag", "untag", "assign":
		return u.Action + " " + Safe(u.Detail)
	case "escalate":
		return "escalation"
	}
	return u.Action
}

// synced takes the sync engine's news: new messages appear without moving the cursor off
// the row the person is on, and errors go to the log.
func (m *Model) synced(msg syncMsg) tea.Cmd {
	fresh := false
	for i, s := range msg.States {
		if s.Status == "ok" && s.New > 0 && (i >= len(m.sync) || !s.LastFetch.Equal(m.sync[i].LastFetch)) {
			fresh = true
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

// scrolledHelp shows the help screen from helpOffset, so every key can be read in a small
// window (j/k scroll it).
func (m *Model) scrolledHelp() string {
	lines := strings.Split(m.helpView(), "\n")
	h := m.bodyHeight()
	m.helpOffset = min(m.helpOffset, max(len(lines)-h, 0))
	end := min(m.helpOffset+h, len(lines))
	return strings.Join(lines[m.helpOffset:end], "\n")
}
