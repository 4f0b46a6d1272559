package ui

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// draftSaveDelay is how long typing must pause before the draft is written: long enough
// that a burst of keys is one write, short enough that a crash loses a few words at most.
const draftSaveDelay = 400 * time.Millisecond

// composerMinText is the fewest rows the reply itself keeps; warnings give way first.
const composerMinText = 3

// draftKeptNote tells why a canned reply opened below text the person did not just pick.
const draftKeptNote = "Your saved draft is kept above the canned reply."

// The composer's own messages carry the composer that asked for them, so a late answer
// meant for a closed composer is never taken by the next one.
type (
	composerLoadedMsg struct {
		owner *composer
		info  inbox.ConversationInfo
		draft string
		err   error
	}
	draftTickMsg struct {
		owner *composer
		seq   int
	}
	draftSavedMsg struct {
		owner *composer
		text  string
		err   error
	}
	replySentMsg struct {
		owner *composer
		sent  inbox.Sent
		err   error
	}
)

// composerAction is what the composer does once the draft write in flight has landed.
type composerAction int

const (
	actNone composerAction = iota
	actSend
	actClose
)

// composer is the reply dialog: a text area checked live against the brand voice, with
// the draft saved as the person types and the reply queued with ctrl+s.
type composer struct {
	c       *Common
	convID  int64
	initial string // a rendered canned reply to start from, "" for the saved draft
	ta      textarea.Model
	w, h    int

	info     inbox.ConversationInfo
	loaded   bool
	warnings []voiceIssue
	warnRows int // warning lines that fit under the text at the current size
	note     string
	err      error

	saveDelay time.Duration
	seq       int    // bumped on every change; only the tick carrying the latest saves
	saved     string // the text as last stored
	saving    bool   // a draft write is in flight
	then      composerAction
	sending   bool
	sent      bool
	discard   bool // closing could not save the draft; esc again closes anyway
}

var _ overlay = (*composer)(nil)

// newComposer opens the composer on a conversation. With initial == "" it starts from
// the saved draft; otherwise from initial (a rendered canned reply), below any draft.
func newComposer(c *Common, convID int64, initial string) *composer {
	ta := textarea.New()
	ta.Prompt = ""
	ta.ShowLineNumbers = false
	ta.CharLimit = 0 // the channel's limit is shown, not enforced: people cut as they see fit
	ta.Placeholder = "Write your reply…"
	st := textarea.DefaultStyles(c.Styles.Dark)
	// A steady cursor: blinking is a timer message twice a second for the dialog's life.
	st.Cursor.Blink = false
	st.Focused.CursorLine = lipgloss.NewStyle() // the frame already marks where you write
	st.Focused.Placeholder = c.Styles.Faint
	st.Blurred.Placeholder = c.Styles.Faint
	ta.SetStyles(st)
	ta.Focus()
	m := &composer{c: c, convID: convID, initial: initial, ta: ta, saveDelay: draftSaveDelay}
	m.SetSize(c.Width, c.Height)
	return m
}

// Init reads the conversation's header and its saved draft.
func (m *composer) Init() tea.Cmd {
	svc, ctx, id, owner := m.c.Inbox, m.c.Ctx, m.convID, m
	return func() tea.Msg {
		t, err := svc.Thread(ctx, id, 0) // only the header is needed
		if err != nil {
			return composerLoadedMsg{owner: owner, err: err}
		}
		draft, err := svc.Draft(ctx, id)
		return composerLoadedMsg{owner: owner, info: t.Info, draft: draft, err: err}
	}
}

// SetSize fits the dialog to a w×h screen.
func (m *composer) SetSize(w, h int) {
	m.w, m.h = w, h
	m.layout()
}

// ShortHelp is what the footer shows while the composer is open.
func (m *composer) ShortHelp() []key.Binding {
	return []key.Binding{m.c.Keys.Send, m.c.Keys.Cancel}
}

// unsaved reports whether the latest text is not yet stored, so quitting can ask first.
func (m *composer) unsaved() bool {
	return m.loaded && !m.sent && (m.saving || m.ta.Value() != m.saved)
}

// Update handles keys and the answers of the composer's commands.
func (m *composer) Update(msg tea.Msg) (overlay, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case composerLoadedMsg:
		if msg.owner == m {
			cmd = m.onLoaded(msg)
		}
	case draftTickMsg:
		switch {
		case msg.owner != m || msg.seq != m.seq || m.sending || m.then != actNone:
		case m.saving:
			cmd = m.schedule() // try again later: two writes in flight could land out of order
		default:
			cmd = m.save()
		}
	case draftSavedMsg:
		if msg.owner == m {
			cmd = m.onSaved(msg)
		}
	case replySentMsg:
		if msg.owner == m {
			cmd = m.onSent(msg)
		}
	case tea.KeyPressMsg:
		cmd = m.onKey(msg)
	default:
		if m.loaded && !m.sending && m.then == actNone {
			cmd = m.edit(msg) // pastes
		}
	}
	m.layout()
	return m, cmd
}

func (m *composer) onLoaded(msg composerLoadedMsg) tea.Cmd {
	if msg.err != nil {
		m.err = fmt.Errorf("open conversation %d: %w", m.convID, msg.err)
		return nil
	}
	m.info, m.loaded, m.saved = msg.info, true, msg.draft
	text := msg.draft
	if m.initial != "" {
		text = m.initial
		if strings.TrimSpace(msg.draft) != "" {
			// Picking a canned reply must not throw away what was already written.
			text = strings.TrimRight(msg.draft, "\n") + "\n\n" + m.initial
			m.note = draftKeptNote
		}
	}
	// A canned reply is filled in with the customer's name and handle: outside text, so
	// it is cleaned like any other before the text area shows it (and so before it is
	// sent). The text area drops ESC itself but keeps what followed it and bidi overrides.
	m.ta.SetValue(SafeText(text))
	m.check()
	if m.ta.Value() != m.saved {
		return m.schedule()
	}
	return nil
}

func (m *composer) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.sending || m.then != actNone {
		return nil // the text is on its way; a key now would change it under the write
	}
	switch {
	case key.Matches(msg, m.c.Keys.Cancel):
		return m.close()
	case key.Matches(msg, m.c.Keys.Send):
		return m.trySend()
	case m.loaded:
		return m.edit(msg)
	}
	return nil
}

// edit passes a message to the text area and, when the text changed, checks it again
// and schedules the draft write.
func (m *composer) edit(msg tea.Msg) tea.Cmd {
	before := m.ta.Value()
	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(msg)
	if m.ta.Value() == before {
		return cmd
	}
	m.err, m.discard = nil, false
	m.check()
	return tea.Batch(cmd, m.schedule())
}

// voiceIssue is a voice warning and how many times it occurs: a phrase used five times
// is one line, not five, so the list leaves room for the reply.
type voiceIssue struct {
	inbox.Warning
	count int
}

// check runs the brand-voice check; it is pure and fast, so it runs on every change.
func (m *composer) check() {
	m.warnings = m.warnings[:0]
	seen := map[string]int{}
	for _, w := range m.c.Inbox.Voice().Check(m.info.Channel, m.ta.Value()) {
		if i, ok := seen[w.Message]; ok {
			m.warnings[i].count++
			continue
		}
		seen[w.Message] = len(m.warnings)
		m.warnings = append(m.warnings, voiceIssue{Warning: w, count: 1})
	}
}

// schedule starts the debounce: only the tick whose seq is still the latest writes.
func (m *composer) schedule() tea.Cmd {
	m.seq++
	seq, owner := m.seq, m
	return tea.Tick(m.saveDelay, func(time.Time) tea.Msg { return draftTickMsg{owner: owner, seq: seq} })
}

// save writes the current text as the draft, off the UI goroutine.
func (m *composer) save() tea.Cmd {
	m.saving = true
	svc, ctx, id, text, owner := m.c.Inbox, m.c.Ctx, m.convID, m.ta.Value(), m
	return func() tea.Msg {
		return draftSavedMsg{owner: owner, text: text, err: svc.SaveDraft(ctx, id, text)}
	}
}

func (m *composer) onSaved(msg draftSavedMsg) tea.Cmd {
	m.saving = false
	if msg.err != nil {
		m.err = fmt.Errorf("save draft: %w", msg.err)
	} else {
		m.saved = msg.text
	}
	switch m.then {
	case actClose:
		if msg.err == nil && m.ta.Value() != m.saved {
			return m.save() // the write that landed was of older text; keep the latest
		}
		m.then = actNone
		if msg.err != nil {
			m.discard = true
			m.err = fmt.Errorf("%w (esc again closes without keeping it)", m.err)
			return nil
		}
		return closeOverlay
	case actSend:
		return m.send() // a failed draft write does not stop the reply, which clears it anyway
	}
	return nil
}

// close keeps the text as the draft and closes once it is stored.
func (m *composer) close() tea.Cmd {
	if !m.loaded || m.discard || (!m.saving && m.ta.Value() == m.saved) {
		return closeOverlay
	}
	m.seq++ // no pending tick may write after this
	m.then = actClose
	if m.saving {
		return nil // onSaved closes, after writing the latest text if it differs
	}
	return m.save()
}

func (m *composer) trySend() tea.Cmd {
	if !m.loaded {
		return nil
	}
	if strings.TrimSpace(m.ta.Value()) == "" {
		m.err = errors.New("nothing to send: the reply is empty")
		return nil
	}
	m.seq++
	if m.saving {
		// A draft write still in flight could land after the reply and bring back the
		// draft the reply cleared; the reply waits for it.
		m.then = actSend
		return nil
	}
	return m.send()
}

// send queues the reply; the composer closes only when the inbox has it.
func (m *composer) send() tea.Cmd {
	m.then, m.sending, m.err = actNone, true, nil
	svc, ctx, id, text, owner := m.c.Inbox, m.c.Ctx, m.convID, m.ta.Value(), m
	return func() tea.Msg {
		sent, err := svc.Reply(ctx, id, text)
		return replySentMsg{owner: owner, sent: sent, err: err}
	}
}

func (m *composer) onSent(msg replySentMsg) tea.Cmd {
	m.sending = false
	if msg.err != nil {
		m.err = msg.err // the text stays as it is, to fix and send again
		if m.ta.Value() != m.saved {
			return m.schedule()
		}
		return nil
	}
	m.sent = true
	what := "replied"
	if n := len(msg.sent.Warnings); n > 0 {
		what += " (" + plural(n, "voice warning") + ")"
	}
	act := actionMsg{What: what, IDs: []int64{m.convID}}
	return tea.Batch(closeOverlay, func() tea.Msg { return act })
}

// dialogSize is the composer's outer size: most of the screen, with a margin that shows
// it is a dialog when there is room, and no wider than a comfortable line of prose.
func (m *composer) dialogSize() (w, h int) {
	w, h = m.w, m.h
	if w >= 64 {
		w = min(w-4, 100)
	}
	if h >= 19 {
		h -= 2
	}
	return max(w, 20), max(h, 8)
}

// layout gives the text area what is left after the title, the status, the warnings,
// the note, the error and the key hint.
func (m *composer) layout() {
	dw, dh := m.dialogSize()
	iw, ih := dialogInner(m.c.Styles, dw, dh)
	fixed := 3 // title, status with the counter, key hint
	if m.note != "" {
		fixed++
	}
	if m.err != nil {
		fixed++
	}
	room := ih - fixed
	m.warnRows = min(len(m.warnings), max(0, room-composerMinText))
	m.ta.SetWidth(iw)
	m.ta.SetHeight(max(1, room-m.warnRows))
}

// View draws the dialog.
func (m *composer) View() string {
	dw, _ := m.dialogSize()
	iw, _ := dialogInner(m.c.Styles, dw, 0)
	st := m.c.Styles
	title := "Reply"
	if m.loaded {
		who := cmp.Or(strings.TrimSpace(Safe(m.info.AuthorName)), Safe(m.info.AuthorHandle), "the customer")
		label := " on " + Safe(inbox.ChannelLabel(m.info.Channel))
		// The name gives way first, so the channel stays readable on a narrow screen.
		title = "Reply to " + ansi.Truncate(who, max(1, iw-ansi.StringWidth("Reply to "+label)), "…") + label
	}
	// drawDialog cuts every line to the inner width; the text area goes in as its rows.
	lines := append(strings.Split(m.ta.View(), "\n"), m.statusLine(iw))
	lines = append(lines, m.warningLines(iw)...)
	if m.note != "" {
		lines = append(lines, st.Faint.Render(m.note))
	}
	if m.err != nil {
		lines = append(lines, st.Error.Render(Safe(m.err.Error())))
	}
	keys := m.c.Keys
	lines = append(lines, st.Faint.Render(keys.Send.Help().Key+" send · "+keys.Cancel.Help().Key+" keep as draft and close"))
	return drawDialog(st, dw, title, lines)
}

// statusLine is the draft's state on the left and the channel's length counter on the
// right, red once the reply is longer than the channel takes.
func (m *composer) statusLine(iw int) string {
	st := m.c.Styles
	var left string
	switch {
	case !m.loaded && m.err == nil:
		left = "loading…"
	case m.sending:
		left = "sending…"
	case m.unsaved():
		left = "draft not saved yet"
	case m.saved != "":
		left = "draft saved"
	}
	left = st.Faint.Render(left)
	var right string
	if limit := m.c.Inbox.Voice().Limit(m.info.Channel); m.loaded && limit > 0 {
		n, style := inbox.Length(m.info.Channel, m.ta.Value()), st.Faint
		if n > limit {
			style = st.Overdue
		}
		right = style.Render(fmt.Sprintf("%d/%d", n, limit))
	}
	gap := max(1, iw-lipgloss.Width(left)-lipgloss.Width(right))
	return left + strings.Repeat(" ", gap) + right
}

// warningLines lists the voice warnings that fit, each with its message and, when it
// has one, the offending span underlined in a one-line excerpt of the reply.
func (m *composer) warningLines(iw int) []string {
	if m.warnRows == 0 {
		return nil
	}
	st := m.c.Styles
	shown := m.warnings
	more := 0
	if len(shown) > m.warnRows {
		shown, more = shown[:m.warnRows-1], len(shown)-m.warnRows+1
	}
	runes := []rune(m.ta.Value())
	out := make([]string, 0, m.warnRows)
	for _, w := range shown {
		text := "⚠ " + Safe(w.Message)
		if w.count > 1 {
			text += fmt.Sprintf(" ×%d", w.count)
		}
		msg := ansi.Truncate(text, iw, "…")
		line := st.DueSoon.Render(msg)
		if room := iw - ansi.StringWidth(msg) - 2; w.End > w.Start && room >= 8 {
			line += st.Faint.Render(": ") + m.excerpt(runes, w.Start, w.End, room)
		}
		out = append(out, line)
	}
	if more > 0 {
		out = append(out, st.DueSoon.Render("⚠ "+plural(more, "more warning")))
	}
	return out
}

// excerpt is the text around runes[start:end] on one line of at most width cells, the
// span underlined and centred as far as the text around it allows.
func (m *composer) excerpt(runes []rune, start, end, width int) string {
	start, end = min(max(start, 0), len(runes)), min(max(end, 0), len(runes))
	span := Safe(string(runes[start:end])) // Safe also makes line breaks spaces
	sw := ansi.StringWidth(span)
	if sw >= width {
		return m.c.Styles.Underline.Render(ansi.Truncate(span, width, "…"))
	}
	rest := width - sw
	// At most rest runes either side can show, so no more than that is sanitized.
	before := Safe(string(runes[max(0, start-rest):start]))
	after := Safe(string(runes[end:min(len(runes), end+rest)]))
	bw := min(ansi.StringWidth(before), max(rest/2, rest-ansi.StringWidth(after)))
	if w := ansi.StringWidth(before); w > bw {
		if bw < 2 {
			before = ""
		} else {
			before = "…" + ansi.TruncateLeft(before, w-bw+1, "")
		}
	}
	after = ansi.Truncate(after, rest-ansi.StringWidth(before), "…")
	return before + m.c.Styles.Underline.Render(span) + after
}
