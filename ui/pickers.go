package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// This file holds the pickers that choose one thing from a list: a canned reply, a view,
// an agent. The tag picker, which also creates and removes, is in tagpicker.go.

// pickerHelp is the help every picker shows: its list keys, then choose and cancel.
func pickerHelp(c *Common, l *fuzzyList) []key.Binding {
	return append(l.ShortHelp(), c.Keys.Accept, c.Keys.Cancel)
}

// pickerRows is how many list rows fit in a picker of inner height ih that also has
// extra lines (title, filter, status, …) to show.
func pickerRows(ih, extra int) int { return max(ih-extra, dialogMinRows) }

// --- canned replies ---

// cannedPicker chooses a canned reply for a conversation, with a preview of it filled in
// for that conversation (its channel's variant, the customer's name, the ticket).
type cannedPicker struct {
	c       *Common
	convID  int64   // the conversation the preview is filled in for
	ids     []int64 // every conversation the reply goes to: more than one for a selection
	who     string
	quick   bool
	list    fuzzyList
	names   []string // by item index
	texts   map[string]string
	holes   map[string]string // name → what the reply lacks in this conversation
	errs    map[string]error
	loading bool
	err     error
	w, h    int
	preview int // rows of preview
	// draft is the conversation's saved draft. A quick reply would replace it, so with
	// one the picker asks first (asking is the reply chosen) and keeps it unless told.
	draft  string
	asking string
}

// cannedLoadedMsg carries the canned replies, each already rendered for the conversation:
// there are a dozen or so, so rendering them all at once keeps the preview instant.
type cannedLoadedMsg struct {
	replies []inbox.CannedReply
	texts   map[string]string
	holes   map[string]string
	errs    map[string]error
	draft   string
	err     error
}

// newCannedPicker opens the canned replies for conversations (the preview is filled in for
// the first); quick is the C key, which sends the reply and moves on instead of opening
// the composer. For a selection the reply is sent to each, filled in for each.
func newCannedPicker(c *Common, ids []int64, who string, quick bool) *cannedPicker {
	p := &cannedPicker{c: c, convID: ids[0], ids: ids, who: who, quick: quick, list: newFuzzyList(c, "filter by name or words"), loading: true}
	p.SetSize(c.Width, c.Height)
	return p
}

// Init loads and renders the canned replies.
func (p *cannedPicker) Init() tea.Cmd {
	c, id := p.c, p.convID
	return func() tea.Msg {
		replies, err := c.Inbox.CannedReplies(c.Ctx)
		if err != nil {
			return cannedLoadedMsg{err: err}
		}
		m := cannedLoadedMsg{replies: replies, texts: map[string]string{}, holes: map[string]string{}, errs: map[string]error{}}
		if m.draft, err = c.Inbox.Draft(c.Ctx, id); err != nil {
			return cannedLoadedMsg{err: fmt.Errorf("read the draft: %w", err)}
		}
		for _, r := range replies {
			rendered, err := c.Inbox.RenderCannedFor(c.Ctx, id, r.Name)
			if err != nil {
				m.errs[r.Name] = err
			}
			m.texts[r.Name], m.holes[r.Name] = rendered.Text, rendered.Warning()
		}
		return m
	}
}

// Update handles the loaded replies and the keys.
func (p *cannedPicker) Update(msg tea.Msg) (overlay, tea.Cmd) {
	switch msg := msg.(type) {
	case cannedLoadedMsg:
		p.loading, p.err, p.texts, p.holes, p.errs, p.draft = false, msg.err, msg.texts, msg.holes, msg.errs, msg.draft
		items := make([]listItem, len(msg.replies))
		p.names = make([]string, len(msg.replies))
		for i, r := range msg.replies {
			p.names[i] = r.Name
			items[i] = listItem{Title: Safe(r.Name), Detail: Safe(r.Body)}
		}
		if len(items) == 0 {
			p.list.empty = "no canned replies yet: add [[canned]] to config.toml"
		}
		p.list.SetItems(items)
		return p, nil
	case tea.KeyPressMsg:
		switch {
		case p.asking != "":
			return p, p.answer(msg)
		case key.Matches(msg, p.c.Keys.Cancel):
			return p, closeOverlay
		case key.Matches(msg, p.c.Keys.Accept):
			return p, p.choose()
		}
	}
	return p, p.list.Update(msg)
}

// The answers to "send it and discard the draft?".
var (
	draftDiscard = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "send, discard the draft"))
	draftBoth    = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "open both in the composer"))
	draftKeep    = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "keep the draft"))
)

// answer takes the answer to the question about the draft: y sends the canned reply (the
// draft goes), c opens the draft with the reply below it in the composer, and n, esc or
// any other key goes back to the list with nothing sent.
func (p *cannedPicker) answer(msg tea.KeyPressMsg) tea.Cmd {
	name := p.asking
	p.asking = ""
	chosen := cannedChosenMsg{ConvID: p.convID, Name: name, Text: p.texts[name], Quick: true, Holes: p.holes[name]}
	switch {
	case key.Matches(msg, draftDiscard):
		return tea.Batch(func() tea.Msg { return chosen }, closeOverlay)
	case key.Matches(msg, draftBoth):
		chosen.Quick = false // the root opens the composer in the picker's place
		return func() tea.Msg { return chosen }
	}
	return nil
}

func (p *cannedPicker) choose() tea.Cmd {
	_, i, ok := p.list.Selected()
	if p.loading || !ok || i < 0 {
		return nil
	}
	name := p.names[i]
	if err := p.errs[name]; err != nil {
		p.err = err
		return nil
	}
	chosen := cannedChosenMsg{ConvID: p.convID, Name: name, Text: p.texts[name], Quick: p.quick, Holes: p.holes[name]}
	if len(p.ids) > 1 {
		// A selection: each conversation gets the reply filled in for it; those it would
		// leave a hole in are skipped and named, never sent unread.
		chosen.IDs = p.ids
		return tea.Batch(func() tea.Msg { return chosen }, closeOverlay)
	}
	if chosen.Holes != "" {
		chosen.Quick = false // a reply with a hole in it is read before it is sent: the composer
	}
	if chosen.Quick && strings.TrimSpace(p.draft) != "" {
		p.asking = name
		return nil
	}
	if !chosen.Quick {
		// The root opens the composer in the picker's place. A closeOverlay batched
		// with it could arrive after it (batched commands run concurrently) and close
		// the composer instead of the picker.
		return func() tea.Msg { return chosen }
	}
	return tea.Batch(func() tea.Msg { return chosen }, closeOverlay)
}

// SetSize splits the dialog between the list and the preview.
func (p *cannedPicker) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	p.w, p.h = dw, dh
	iw, ih := dialogInner(p.c.Styles, dw, min(dh, 30))
	room := pickerRows(ih, 4) // title, filter, rule, status
	rows := max(room*2/5, dialogMinRows)
	p.preview = max(room-rows, 1)
	p.list.SetSize(iw, rows)
}

// View is the list over the preview of the highlighted reply.
func (p *cannedPicker) View() string {
	title := "Canned reply for " + targetName([]int64{p.convID}, p.who)
	hint := "enter: open it in the composer"
	switch {
	case len(p.ids) > 1 && p.quick:
		title = "Quick canned reply to " + targetName(p.ids, "") + ": send to each, mark done"
		hint = "enter: send to each (the preview is for the first), mark each done"
	case len(p.ids) > 1:
		title = "Canned reply to " + targetName(p.ids, "") + ": send to each"
		hint = "enter: send to each (the preview is for the first); they wait for the customer"
	case p.quick:
		title = "Quick canned reply to " + targetName([]int64{p.convID}, p.who) + ": send, done, next"
		hint = "enter: send it, mark done, go to the next"
	}
	iw, _ := dialogInner(p.c.Styles, p.w, 0)
	lines := strings.Split(p.list.View(), "\n")
	lines = append(lines, p.c.Styles.Faint.Render(strings.Repeat("─", iw)))
	if p.asking != "" {
		lines = append(lines, p.draftQuestion(iw)...)
		hint = "y: send, discard the draft · c: both in the composer · n: keep it"
	} else {
		lines = append(lines, p.previewLines(iw)...)
	}
	return drawDialog(p.c.Styles, p.w, title, withStatus(p.c.Styles, p.w, p.h, lines, p.err, hint))
}

func (p *cannedPicker) previewLines(iw int) []string {
	wrap := func(text string) []string { return strings.Split(ansi.Wrap(SafeText(text), iw, " "), "\n") }
	// The preview is as tall as the longest reply (up to its share of the screen), so it
	// does not jump from reply to reply.
	rows := 1
	for _, t := range p.texts {
		rows = max(rows, len(wrap(t)))
	}
	rows = min(rows, p.preview)
	var body []string
	_, i, ok := p.list.Selected()
	switch {
	case p.loading:
		body = []string{p.c.Styles.Faint.Render("loading…")}
	case !ok || i < 0:
		body = nil
	case p.errs[p.names[i]] != nil:
		body = []string{p.c.Styles.Error.Render(Safe(p.errs[p.names[i]].Error()))}
	default:
		body = wrap(p.texts[p.names[i]])
		if h := p.holes[p.names[i]]; h != "" {
			// First, so a short preview never cuts it: the text has a hole in it.
			warn := strings.Split(ansi.Wrap("⚠ "+Safe(h), iw, " "), "\n")
			for j := range warn {
				warn[j] = lipgloss.NewStyle().Foreground(p.c.Styles.Warn).Render(warn[j])
			}
			body = append(warn, body...)
			rows = max(rows, min(len(body), p.preview))
		}
	}
	if len(body) > rows {
		body = append(body[:rows-1], p.c.Styles.Faint.Render("…"))
	}
	for len(body) < rows {
		body = append(body, "")
	}
	return body
}

// draftQuestion replaces the preview while the picker asks what becomes of the draft.
func (p *cannedPicker) draftQuestion(iw int) []string {
	st := p.c.Styles
	wrap := func(text string) []string { return strings.Split(ansi.Wrap(text, iw, " "), "\n") }
	out := wrap(st.Bold.Render(targetName([]int64{p.convID}, p.who) + " has a saved draft:"))
	out = append(out, "  "+st.Outbound.Render(ansi.Truncate(Safe(firstLine(p.draft, 4*iw)), iw-2, "…")))
	out = append(out, wrap("Sending “"+Safe(p.asking)+"” discards it. Nothing is sent until you press y.")...)
	for len(out) < p.preview {
		out = append(out, "")
	}
	return out[:min(len(out), max(p.preview, 3))]
}

// ShortHelp lists the picker's keys: the answers while it asks about the draft.
func (p *cannedPicker) ShortHelp() []key.Binding {
	if p.asking != "" {
		return []key.Binding{draftDiscard, draftBoth, draftKeep}
	}
	return pickerHelp(p.c, &p.list)
}

// --- views ---

// viewPicker chooses a view of the queue; 1–9 reach the first nine without filtering.
type viewPicker struct {
	c    *Common
	list fuzzyList
	w    int
}

// newViewPicker lists the views, the current one highlighted and marked.
func newViewPicker(c *Common, current int) *viewPicker {
	p := &viewPicker{c: c, list: newFuzzyList(c, "filter views")}
	views := c.Inbox.Views()
	items := make([]listItem, len(views))
	for i, v := range views {
		items[i] = listItem{Title: Safe(v.Name)}
		if i < len(c.Keys.ViewKeys) {
			items[i].Hint = c.Keys.ViewKeys[i].Keys()[0]
		}
		if i == current {
			items[i].Mark = "•"
		}
	}
	p.list.SetItems(items)
	p.list.Select(func(i int, _ listItem) bool { return i == current })
	p.SetSize(c.Width, c.Height)
	return p
}

// Init has nothing to load: the views come from config.
func (p *viewPicker) Init() tea.Cmd { return nil }

// Update handles the keys.
func (p *viewPicker) Update(msg tea.Msg) (overlay, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, p.c.Keys.Cancel):
			return p, closeOverlay
		case key.Matches(msg, p.c.Keys.Accept):
			if _, i, ok := p.list.Selected(); ok {
				return p, chooseView(i)
			}
			return p, nil
		}
		if !p.list.Filtering() {
			for i, b := range p.c.Keys.ViewKeys {
				if key.Matches(msg, b) && i < len(p.c.Inbox.Views()) {
					return p, chooseView(i)
				}
			}
		}
	}
	return p, p.list.Update(msg)
}

func chooseView(i int) tea.Cmd {
	return tea.Batch(func() tea.Msg { return chooseViewMsg{Index: i} }, closeOverlay)
}

// SetSize fits the list to the screen.
func (p *viewPicker) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	p.w = min(dw, 48)
	iw, ih := dialogInner(p.c.Styles, p.w, min(dh, 20))
	p.list.SetSize(iw, pickerRows(ih, 3))
}

// View is the list of views.
func (p *viewPicker) View() string {
	lines := strings.Split(p.list.View(), "\n")
	return drawDialog(p.c.Styles, p.w, "Views", append(lines, statusLine(p.c.Styles, "enter: show it · 1–9: jump")))
}

// ShortHelp lists the picker's keys.
func (p *viewPicker) ShortHelp() []key.Binding {
	return append(pickerHelp(p.c, &p.list), p.c.Keys.ViewKeys[0])
}

// --- assign ---

// assignPicker gives conversations to an agent of config, or to nobody.
type assignPicker struct {
	c      *Common
	ids    []int64
	who    string // the customer, when there is one conversation
	agents []string
	seen   string // the assignee as read when the picker opened, for a claim (inbox.Take)
	list   fuzzyList
	busy   bool
	err    error
	w, h   int
}

// assigneeMsg is the current assignee of a single conversation, to mark it.
type assigneeMsg struct {
	who string
	err error
}

// newAssignPicker lists the agents with the person at the keyboard highlighted, then
// "unassign".
func newAssignPicker(c *Common, ids []int64, who string) *assignPicker {
	p := &assignPicker{c: c, ids: ids, who: who, agents: c.Inbox.Config().Agents, list: newFuzzyList(c, "filter agents")}
	p.setItems("")
	p.list.Select(func(i int, _ listItem) bool { return i < len(p.agents) && p.agents[i] == c.Inbox.Agent() })
	p.SetSize(c.Width, c.Height)
	return p
}

func (p *assignPicker) setItems(current string) {
	items := make([]listItem, 0, len(p.agents)+1)
	for _, a := range p.agents {
		it := listItem{Title: Safe(a)}
		if a == p.c.Inbox.Agent() {
			it.Hint = "you"
		}
		if a == current {
			it.Mark, it.Hint = "•", strings.TrimPrefix(it.Hint+", assigned", ", ")
		}
		items = append(items, it)
	}
	p.list.SetItems(append(items, listItem{Title: "unassign", Hint: "nobody"}))
}

// Init reads the current assignee when there is one conversation.
func (p *assignPicker) Init() tea.Cmd {
	if len(p.ids) != 1 {
		return nil
	}
	c, id := p.c, p.ids[0]
	return func() tea.Msg {
		t, err := c.Inbox.Thread(c.Ctx, id, 1)
		return assigneeMsg{who: t.Info.Assignee, err: err}
	}
}

// Update handles the loaded assignee, the keys and the result.
func (p *assignPicker) Update(msg tea.Msg) (overlay, tea.Cmd) {
	switch msg := msg.(type) {
	case assigneeMsg:
		p.err, p.seen = msg.err, msg.who
		p.setItems(msg.who)
		return p, nil
	case attemptedMsg:
		p.busy = false
		cmd, err := finish(msg)
		p.err = err
		return p, cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, p.c.Keys.Cancel):
			return p, closeOverlay
		case key.Matches(msg, p.c.Keys.Accept):
			return p, p.assign()
		}
	}
	return p, p.list.Update(msg)
}

func (p *assignPicker) assign() tea.Cmd {
	_, i, ok := p.list.Selected()
	if p.busy || !ok || i < 0 {
		return nil
	}
	who, what := "", "unassigned"
	if i < len(p.agents) {
		who, what = p.agents[i], "assigned to "+Safe(p.agents[i])
	}
	p.busy, p.err = true, nil
	c, ids, seen := p.c, p.ids, p.seen
	if who != "" && who == c.Inbox.Agent() && len(ids) == 1 {
		// Taking one is a claim on what the picker showed: when another agent took it
		// meanwhile, nothing changes and the picker says "dev took it first". (A
		// selection shows no assignee, so giving it to oneself is a plain assignment.)
		return attempt(what, ids, true, func() error { return c.Inbox.Take(c.Ctx, seen, ids...) })
	}
	return attempt(what, ids, true, func() error { return c.Inbox.Assign(c.Ctx, who, ids...) })
}

// SetSize fits the list to the screen.
func (p *assignPicker) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	p.w, p.h = min(dw, 52), dh
	iw, ih := dialogInner(p.c.Styles, p.w, min(dh, 20))
	p.list.SetSize(iw, pickerRows(ih, 3))
}

// View is the list of agents.
func (p *assignPicker) View() string {
	hint := "enter: assign"
	if _, i, ok := p.list.Selected(); ok && i >= len(p.agents) {
		hint = "enter: unassign"
	} else if ok && i >= 0 {
		hint = "enter: assign to " + Safe(p.agents[i])
	}
	lines := strings.Split(p.list.View(), "\n")
	return drawDialog(p.c.Styles, p.w, "Assign "+targetName(p.ids, p.who), withStatus(p.c.Styles, p.w, p.h, lines, p.err, hint))
}

// ShortHelp lists the picker's keys.
func (p *assignPicker) ShortHelp() []key.Binding { return pickerHelp(p.c, &p.list) }
