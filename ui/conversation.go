package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

const (
	// threadLimit is how many of the newest messages the screen loads; older ones are
	// counted and announced, not shown.
	threadLimit = 200
	// cardOthers is how many of the author's other conversations the card lists.
	cardOthers = 5
	// cardSideWidth is the narrowest screen that shows the author's card beside the
	// thread; narrower screens put it above the thread, in the scrolling part.
	cardSideWidth = 96
)

// conversationScreen shows one conversation: a header with where it stands, the whole
// thread (messages, replies and notes, oldest first, each inbound message with its
// response time explained) and the author's card. It scrolls; the root model handles
// the actions.
type conversationScreen struct {
	c             *Common
	id            int64
	seq           int // load generation: answers to older loads are dropped
	width, height int

	loaded  bool
	err     error
	thread  inbox.Thread
	hidden  int              // older messages not loaded
	explain map[int64]string // inbound message id → its response time in words
	hist    *inbox.AuthorHistory
	histErr error
	// Meta's limits (see conversation_window.go): the DM's reply window, and the private
	// reply a comment conversation offers (nil, with privateErr saying why, where none).
	window     inbox.Window
	private    *inbox.PrivateTarget
	privateErr error
	winLines   []string // the header's line about them, as last drawn
	rendered   bool     // the lines below are current for the data and the size

	head    []string // the header, above the rule
	card    []string // the author's card when it stands beside the thread
	lines   []string // the scrolling part
	cardH   int      // lines of lines that are the card, when it is above the thread
	threadW int      // the width of the thread's column
	offset  int      // first visible line of lines
}

// convThreadMsg is a loaded thread with its explanations.
type convThreadMsg struct {
	id      int64
	seq     int
	thread  inbox.Thread
	hidden  int
	explain map[int64]string
	window  inbox.Window
	private *inbox.PrivateTarget
	privErr error
	err     error
}

// convHistoryMsg is the loaded history of a conversation's author.
type convHistoryMsg struct {
	id   int64
	seq  int
	hist inbox.AuthorHistory
	err  error
}

// newConversation makes the screen of conversation id; Init loads it.
func newConversation(c *Common, id int64) *conversationScreen {
	return &conversationScreen{c: c, id: id, width: c.Width, height: c.Height}
}

// ID is the conversation the screen shows.
func (s *conversationScreen) ID() int64 { return s.id }

// Init loads the conversation.
func (s *conversationScreen) Init() tea.Cmd { return s.load() }

// Reload reads the conversation again, after an action on it; the view keeps its place,
// or stays at the bottom when it was there.
func (s *conversationScreen) Reload() tea.Cmd {
	s.seq++
	return s.load()
}

// load reads the thread (with each inbound message's explanation) and the author's
// history, in two commands so the thread shows without waiting for the history.
func (s *conversationScreen) load() tea.Cmd {
	c, id, seq := s.c, s.id, s.seq
	thread := func() tea.Msg {
		msg := convThreadMsg{id: id, seq: seq, explain: map[int64]string{}}
		th, err := c.Inbox.Thread(c.Ctx, id, threadLimit)
		if err != nil {
			msg.err = fmt.Errorf("load conversation %d: %w", id, err)
			return msg
		}
		msg.thread = th
		if msg.window, err = c.Inbox.MessagingWindow(c.Ctx, id); err != nil {
			msg.err = fmt.Errorf("load conversation %d: %w", id, err)
			return msg
		}
		if p, err := c.Inbox.PrivateReplyTarget(c.Ctx, id); err == nil {
			msg.private = &p
		} else {
			msg.privErr = err
		}
		for _, m := range th.Messages {
			if m.Direction != string(inbox.In) {
				continue
			}
			text, err := c.Inbox.Explain(c.Ctx, m.ID)
			if err != nil {
				text = "response time unavailable: " + err.Error()
			}
			msg.explain[m.ID] = text
		}
		if th.More {
			if n, err := c.Inbox.ThreadLength(c.Ctx, id); err == nil {
				msg.hidden = n - len(th.Messages)
			}
		}
		return msg
	}
	history := func() tea.Msg {
		h, err := c.Inbox.AuthorHistory(c.Ctx, id, cardOthers)
		if err != nil {
			err = fmt.Errorf("load author history: %w", err)
		}
		return convHistoryMsg{id: id, seq: seq, hist: h, err: err}
	}
	return tea.Batch(thread, history)
}

// SetSize sets the space the screen has.
func (s *conversationScreen) SetSize(w, h int) {
	if w != s.width || h != s.height {
		s.relayout(func() { s.width, s.height = w, h })
	}
}

// ShortHelp is the screen's own keys: scrolling.
func (s *conversationScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	return []key.Binding{k.Down, k.Up, k.HalfDown, k.HalfUp, k.Top, k.Bottom}
}

// Update takes loaded data, scroll keys and the mouse wheel.
func (s *conversationScreen) Update(msg tea.Msg) (*conversationScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case convThreadMsg:
		if msg.id != s.id || msg.seq != s.seq {
			return s, nil
		}
		s.relayout(func() {
			s.loaded, s.err = true, msg.err
			if msg.err == nil {
				s.thread, s.hidden, s.explain = msg.thread, msg.hidden, msg.explain
				s.window, s.private, s.privateErr = msg.window, msg.private, msg.privErr
			}
		})
		return s, tea.Batch(s.outboxTick(), s.windowTick())
	case convWindowTickMsg:
		return s, s.onWindowTick(msg)
	case convHistoryMsg:
		if msg.id != s.id || msg.seq != s.seq {
			return s, nil
		}
		s.relayout(func() { s.hist, s.histErr = &msg.hist, msg.err })
	case tea.KeyPressMsg:
		k, page := s.c.Keys, max(s.bodyHeight()/2, 1)
		switch {
		case key.Matches(msg, k.PrivateReply):
			return s, s.privateReply()
		case key.Matches(msg, k.Down):
			s.scroll(1)
		case key.Matches(msg, k.Up):
			s.scroll(-1)
		case key.Matches(msg, k.HalfDown):
			s.scroll(page)
		case key.Matches(msg, k.HalfUp):
			s.scroll(-page)
		case key.Matches(msg, k.Top):
			s.offset = 0
		case key.Matches(msg, k.Bottom):
			s.offset = s.maxOffset()
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			s.scroll(-3)
		case tea.MouseWheelDown:
			s.scroll(3)
		}
	}
	return s, nil
}

func (s *conversationScreen) scroll(n int) {
	s.offset = min(max(s.offset+n, 0), s.maxOffset())
}

func (s *conversationScreen) maxOffset() int { return max(len(s.lines)-s.bodyHeight(), 0) }

func (s *conversationScreen) bodyHeight() int { return max(s.height-len(s.head)-1, 1) }

// relayout applies a change of data or size and renders again, keeping the view at the
// bottom when it was there (as on first load, so the newest message shows), else in its
// place.
func (s *conversationScreen) relayout(change func()) {
	s.ensure()
	atBottom, oldCard := !s.loaded || s.offset >= s.maxOffset(), s.cardH
	change()
	s.rendered = false
	s.ensure()
	if atBottom {
		s.offset = s.maxOffset()
		return
	}
	s.scroll(s.cardH - oldCard) // a card that grew above the thread must not push it down
}

// ensure renders the header, the card and the thread for the current width, once.
func (s *conversationScreen) ensure() {
	if s.rendered {
		return
	}
	s.rendered = true
	w := max(s.width, 1)
	s.head, s.card, s.lines, s.cardH = nil, nil, nil, 0
	if !s.loaded {
		s.lines = []string{s.c.Styles.Faint.Render(convFit("Loading conversation…", w))}
		return
	}
	if s.err != nil {
		s.lines = convWrap(s.c.Styles.Error, SafeText(s.err.Error()), w)
		return
	}
	s.winLines = s.windowLines(w)
	s.head = append(append(s.header(w), s.presenceLines(w)...), s.winLines...)
	tw := w
	if side := w >= cardSideWidth; side {
		cw := min(40, w/3)
		tw = w - cw - 3
		s.card = s.cardLines(cw)
	} else {
		s.lines = append(s.cardLines(w), s.c.Styles.Faint.Render(strings.Repeat("─", w)))
		s.cardH = len(s.lines)
	}
	s.threadW = tw
	s.lines = append(s.lines, s.threadLines(tw)...)
	s.scroll(0)
}

// View draws the header, a rule and the visible part of the thread, with the card beside
// it on wide screens: s.height lines, none wider than s.width.
func (s *conversationScreen) View() string {
	if s.width <= 0 || s.height <= 0 {
		return ""
	}
	s.ensure()
	st, w := s.c.Styles, s.width
	out := append([]string{}, s.head...)
	rule := strings.Repeat("─", w)
	if n := len(s.lines); n > s.bodyHeight() {
		pct := fmt.Sprintf(" %d%% ", (s.offset+s.bodyHeight())*100/n)
		if len(pct)+2 < w {
			rule = strings.Repeat("─", w-len(pct)-2) + pct + "──"
		}
	}
	out = append(out, st.Faint.Render(rule))
	for i := range s.bodyHeight() {
		line := ""
		if j := s.offset + i; j < len(s.lines) {
			line = s.lines[j]
		}
		if s.card != nil {
			cl := ""
			if i < len(s.card) {
				cl = s.card[i]
			}
			line = convPad(line, s.threadW) + st.Faint.Render(" │ ") + cl
		}
		out = append(out, line)
	}
	if len(out) > s.height {
		out = out[:s.height]
	}
	for i, l := range out {
		if ansi.StringWidth(l) > w {
			out[i] = ansi.Truncate(l, w, "")
		}
	}
	return strings.Join(out, "\n")
}

// convItem is one entry of the thread: a message or a note.
type convItem struct {
	at   int64
	msg  *inbox.MessageRow
	note *inbox.Note
}

// items merges messages and notes in time order.
func (s *conversationScreen) items() []convItem {
	var out []convItem
	for i := range s.thread.Messages {
		m := &s.thread.Messages[i]
		out = append(out, convItem{at: m.CreatedAt, msg: m})
	}
	for i := range s.thread.Notes {
		n := &s.thread.Notes[i]
		out = append(out, convItem{at: n.CreatedAt, note: n})
	}
	slices.SortStableFunc(out, func(a, b convItem) int { return cmp.Compare(a.at, b.at) })
	return out
}

// threadLines renders the thread, oldest first: messages with their explanations, and
// notes, with a blank line between entries.
func (s *conversationScreen) threadLines(w int) []string {
	st := s.c.Styles
	var out []string
	if s.thread.More {
		what := "older messages"
		if s.hidden > 0 {
			what = fmt.Sprintf("%d older messages", s.hidden)
		}
		out = append(out, st.Faint.Render(convFit("("+what+" not shown)", w)), "")
	}
	items := s.items()
	if len(items) == 0 {
		out = append(out, st.Faint.Render("No messages."))
	}
	for i, it := range items {
		if i > 0 {
			out = append(out, "")
		}
		if it.note != nil {
			out = append(out, s.noteLines(it.note, w)...)
		} else {
			out = append(out, s.messageLines(it.msg, w)...)
		}
	}
	return out
}

// messageLines renders a message: who and when (for a reply, the brand and the agent, and
// its outbox status until sent), the text, the link, and for an inbound message its
// response time in words.
func (s *conversationScreen) messageLines(m *inbox.MessageRow, w int) []string {
	st, now := s.c.Styles, s.c.Now()
	var head string
	if m.Direction == string(inbox.Out) {
		head = st.Outbound.Render("◂ " + Safe(cmp.Or(s.c.Inbox.Config().Voice.Brand, s.c.accountName(m.Channel, m.Account), "brand")))
		if m.Agent != "" {
			head += st.Outbound.Render(" · " + Safe(m.Agent))
		}
		head += st.Faint.Render(" · " + convWhen(now, m.CreatedAt))
		if m.Kind == string(inbox.KindDM) && s.thread.Info.Kind != string(inbox.KindDM) {
			head += st.Outbound.Render(" · private reply (DM)") // under the comments, sent to the commenter alone
		}
		switch m.OutboxStatus {
		case "pending", "sending":
			head += " · " + st.DueSoon.Render(m.OutboxStatus)
		case "failed", "unknown":
			head += " · " + st.Error.Render("send "+m.OutboxStatus)
		case "cancelled":
			head += " · " + st.Faint.Render("taken back")
		case inbox.OutboxAwaitingApproval:
			head += " · " + st.DueSoon.Render("awaiting approval")
		case inbox.OutboxReturned:
			head += " · " + st.Error.Render("sent back")
		}
	} else {
		head = st.Inbound.Render("▸ " + Safe(cmp.Or(m.AuthorName, m.AuthorHandle, "unknown author")))
		if m.AuthorName != "" && m.AuthorHandle != "" && m.AuthorHandle != m.AuthorName { // YouTube's name is the @handle
			head += " " + st.Faint.Render(Safe(m.AuthorHandle))
		}
		head += st.Faint.Render(" · " + convWhen(now, m.CreatedAt))
		if m.Rating > 0 {
			// Stars out of five, then what the store says of the review.
			head += " · " + ratingStyle(st, m.Rating).Render(strings.Repeat("★", m.Rating)+strings.Repeat("☆", 5-m.Rating))
			if m.AppVersion != "" {
				head += st.Faint.Render(" · app " + Safe(m.AppVersion))
			}
			if m.Language != "" {
				head += st.Faint.Render(" · " + Safe(m.Language))
			}
		}
		if m.Spam {
			head += " · " + st.Error.Render("spam")
		}
	}
	out := convWrapStyled(head, w)
	text := strings.Trim(SafeText(convShown(m.Text)), "\n ")
	if text == "" {
		text = "(no text)"
	}
	if len(m.Text) > maxShownText {
		text += "\n" + fmt.Sprintf("(%d more characters not shown; triage export has the whole message)", utf8.RuneCountInString(m.Text[len(convShown(m.Text)):]))
	}
	out = append(out, convIndent(convWrap(st.App, text, w-2), "  ")...)
	out = append(out, s.markLines(m, w)...) // edited, removed, hidden: markers.go
	if m.URL != "" && m.Direction == string(inbox.In) {
		out = append(out, convHanging(st.Faint, "  ↗ ", Safe(m.URL), w)...)
	}
	if e, ok := s.explain[m.ID]; ok {
		out = append(out, convHanging(st.Faint, "  ↳ ", Safe(e), w)...)
	}
	if line, bad := s.outboxLine(m); line != "" {
		style := st.DueSoon
		if bad {
			style = st.Error
		}
		out = append(out, convHanging(style, "  ", line, w)...)
	}
	return out
}

// noteLines renders an internal note, set apart by a bar in the note colour.
func (s *conversationScreen) noteLines(n *inbox.Note, w int) []string {
	st := s.c.Styles
	head := st.Note.Render("note by "+Safe(n.Agent)) + st.Faint.Render(" · "+convWhen(s.c.Now(), n.CreatedAt))
	lines := append([]string{convFit(head, w-2)}, convWrap(st.Note, SafeText(n.Text), w-2)...)
	return convIndent(lines, st.Note.Render("┃ "))
}

// maxShownText is how much of one message the conversation shows: a 10 MB body would
// take seconds to clean and wrap on every layout, and nobody reads it on screen. The
// whole text stays stored and is exported whole.
const maxShownText = 64 << 10

// convShown is the part of a message's text the screen shows, cut on a rune boundary.
func convShown(text string) string {
	if len(text) <= maxShownText {
		return text
	}
	cut := maxShownText
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}
