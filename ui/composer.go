package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
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
		last  *inbox.MessageRow // the newest message from the customer, the one answered
		draft string
		// window is the DM's reply window; target, for a private reply, the comment it
		// answers (nil, with err set, where none applies any more).
		window inbox.Window
		target *inbox.PrivateTarget
		mark   inbox.Mark // where the conversation stood, read before the thread
		err    error
		anyway bool // err is worth saying, but the composer opens
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
		owner   *composer
		sent    inbox.Sent
		err     error
		arrived *inbox.Arrivals // not sent: this arrived first (composer_arrived.go)
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
	blank   string // what a new reply started as (the sign-off), not a draft by itself
	holes   string // what the canned reply it started from lacks here ({ticket} never given)
	ta      textarea.Model
	w, h    int

	info     inbox.ConversationInfo
	loaded   bool
	warnings []voiceIssue
	warnRows int // warning lines that fit under the text at the current size
	shown    []composerNotice
	note     string
	err      error             // loading, or the last attempt to send, failed
	draftErr error             // the last draft write failed; cleared by one that succeeds
	early    []tea.KeyPressMsg // keys typed before the conversation was read (onKey)

	saveDelay time.Duration
	seq       int    // bumped on every change; only the tick carrying the latest saves
	saved     string // the text as last stored
	saving    bool   // a draft write is in flight
	then      composerAction
	sending   bool
	sent      bool
	// discard is set when esc could not keep the text as the draft and the person has
	// been told that esc again closes without keeping it. That esc still tries to save
	// first: the text is thrown away only if the write fails again.
	discard bool

	answering *inbox.MessageRow // shown above the text; see composer_context.go
	ctxLines  []string          // it, wrapped at ctxW
	ctxW      int
	ctxRows   int  // rows it has at the current size
	ctxOff    int  // its first line shown
	editing   bool // the reply is in the person's editor (ctrl+e)

	// Meta's limits; see composer_window.go.
	private bool                 // a private reply to the latest commenter (P)
	target  *inbox.PrivateTarget // the comment it answers
	window  inbox.Window         // a public reply's reply window

	// Sends stopped for a second look; see composer_confirm.go.
	stopped sendCheck
	mark    inbox.Mark      // where the conversation stood when the composer opened
	arrived *inbox.Arrivals // what others added since, shown after a stopped send
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
	svc, ctx, id, owner, private := m.c.Inbox, m.c.Ctx, m.convID, m, m.private
	return func() tea.Msg {
		// The mark first: what lands between the two reads is news at send, never missed.
		mark, err := svc.MarkOf(ctx, id)
		if err != nil {
			return composerLoadedMsg{owner: owner, err: err}
		}
		t, err := svc.Thread(ctx, id, composerThreadLimit)
		if err != nil {
			return composerLoadedMsg{owner: owner, err: err}
		}
		msg := composerLoadedMsg{owner: owner, info: t.Info, last: lastInbound(t), mark: mark}
		if msg.draft, msg.err = svc.Draft(ctx, id); msg.err != nil {
			return msg
		}
		if private {
			p, err := svc.PrivateReplyTarget(ctx, id)
			if err != nil {
				// Loaded all the same: the text is kept, and sending says why not.
				msg.err, msg.anyway = err, true
				return msg
			}
			msg.target, msg.last = &p, &p.Comment
			return msg
		}
		msg.window, msg.err = svc.MessagingWindow(ctx, id)
		return msg
	}
}

// SetSize fits the dialog to a w×h screen.
func (m *composer) SetSize(w, h int) {
	m.w, m.h = w, h
	m.layout()
}

// composerThreadLimit is how many of the newest messages the composer reads to find the
// one it answers.
const composerThreadLimit = 20

// ShortHelp is what the footer shows while the composer is open: the message's scroll
// keys only when there is more of it than shows.
func (m *composer) ShortHelp() []key.Binding {
	k := m.c.Keys
	out := []key.Binding{k.Send, k.Editor}
	if len(m.ctxLines) > m.ctxRows {
		out = append(out, k.ContextUp, k.ContextDown)
	}
	return append(out, k.Cancel)
}

// unsaved reports whether the latest text is not yet stored, so quitting can ask first.
// kind is what the reply will be on its channel: a private reply is a DM, whatever the
// thread; its length limit may be its own (Instagram DMs take 1,000 characters).
func (m *composer) kind() inbox.Kind {
	if m.private {
		return inbox.KindDM
	}
	return inbox.Kind(m.info.Kind)
}

func (m *composer) unsaved() bool {
	return m.loaded && !m.sent && (m.saving || m.ta.Value() != m.saved) && !m.untouched()
}

// untouched reports whether the text is still what a new reply starts as (the sign-off
// alone): nothing the person wrote, so nothing to keep as a draft.
func (m *composer) untouched() bool {
	return m.blank != "" && m.saved == "" && m.ta.Value() == m.blank
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
	case editorReadyMsg:
		if msg.owner == m {
			cmd = m.runEditor(msg)
		}
	case editorExitedMsg:
		if msg.owner == m {
			cmd = m.readEditor(msg)
		}
	case editorDoneMsg:
		if msg.owner == m {
			cmd = m.editorDone(msg)
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
	if msg.err != nil && !msg.anyway {
		m.err = fmt.Errorf("open conversation %d: %w", m.convID, msg.err)
		return nil
	}
	m.err = msg.err // a private reply that no longer applies: said, with the text kept
	m.info, m.loaded, m.saved, m.answering = msg.info, true, msg.draft, msg.last
	m.window, m.target, m.mark = msg.window, msg.target, msg.mark
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
	signoff := ""
	if text == "" && msg.draft == "" {
		// A new reply on a channel that wants the brand's sign-off starts with it, below
		// the place to write.
		signoff = m.c.Inbox.NewReplyText(m.info.Channel)
		text = signoff
	}
	m.ta.SetValue(SafeText(text))
	if signoff != "" {
		m.ta.MoveToBegin()
		m.blank = m.ta.Value() // not a draft until the person writes something
	}
	m.check()
	var typed []tea.Cmd
	for _, k := range m.early {
		typed = append(typed, m.edit(k))
	}
	m.early = nil
	if len(typed) > 0 {
		return tea.Batch(typed...) // each edit schedules the draft write
	}
	if m.ta.Value() != m.saved && m.ta.Value() != signoff {
		return m.schedule()
	}
	return nil
}

func (m *composer) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.sending || m.then != actNone || m.editing {
		return nil // the text is on its way; a key now would change it under the write
	}
	switch {
	case key.Matches(msg, m.c.Keys.ContextUp):
		m.scrollContext(-1)
		return nil
	case key.Matches(msg, m.c.Keys.ContextDown):
		m.scrollContext(1)
		return nil
	case key.Matches(msg, m.c.Keys.Editor) && m.loaded:
		return m.openEditor()
	case key.Matches(msg, m.c.Keys.Cancel):
		return m.close()
	case key.Matches(msg, m.c.Keys.Send):
		return m.trySend()
	case m.loaded:
		return m.edit(msg)
	}
	// Before the conversation is read (r, then typing at once on a slow database): kept,
	// and typed into the text once it is there, never dropped.
	m.early = append(m.early, msg)
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
	for _, w := range m.c.Inbox.Voice().CheckAs(m.info.Channel, m.kind(), m.ta.Value()) {
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
	stored := text
	if m.blank != "" && text == m.blank {
		stored = "" // back to the sign-off alone: no draft
	}
	return func() tea.Msg {
		return draftSavedMsg{owner: owner, text: stored, err: svc.SaveDraft(ctx, id, stored)}
	}
}

func (m *composer) onSaved(msg draftSavedMsg) tea.Cmd {
	m.saving = false
	if msg.err != nil {
		m.draftErr = fmt.Errorf("save draft: %w", msg.err)
	} else {
		m.saved, m.draftErr = msg.text, nil
	}
	switch m.then {
	case actClose:
		if msg.err == nil && m.ta.Value() != m.saved {
			return m.save() // the write that landed was of older text; keep the latest
		}
		m.then = actNone
		switch {
		case msg.err == nil && m.discard:
			// The person was told it was not kept; say that it is now.
			kept := statusMsg{Text: fmt.Sprintf("the reply to conversation %d is kept as a draft", m.convID)}
			return tea.Batch(closeOverlay, func() tea.Msg { return kept })
		case msg.err == nil:
			return closeOverlay
		case !m.discard:
			m.discard = true // the composer stays, and warns what esc again will do
			return nil
		}
		// Warned, and the write failed again: the person chose to close without it.
		err := fmt.Errorf("closed the reply to conversation %d without keeping its text: %w", m.convID, m.draftErr)
		return tea.Batch(closeOverlay, func() tea.Msg { return statusMsg{Err: err} })
	case actSend:
		return m.send() // a failed draft write does not stop the reply, which clears it anyway
	}
	return nil
}

// close keeps the text as the draft and closes once it is stored. When the write fails
// the composer stays open with the text; see discard.
func (m *composer) close() tea.Cmd {
	if !m.loaded || (!m.saving && (m.ta.Value() == m.saved || m.untouched())) {
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
	if m.outsideWindow() && m.stopOnce(stopWindow) {
		return nil // the notice now says what the next send does
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
	svc, ctx, id, text, owner, mark := m.c.Inbox, m.c.Ctx, m.convID, m.ta.Value(), m, m.mark
	reply := svc.Reply
	if m.private {
		reply = svc.ReplyPrivately
	}
	return func() tea.Msg {
		if a, err := svc.Arrived(ctx, id, mark); err != nil || a.Count() > 0 {
			return replySentMsg{owner: owner, arrived: &a, err: err}
		}
		sent, err := reply(ctx, id, text)
		return replySentMsg{owner: owner, sent: sent, err: err}
	}
}

func (m *composer) onSent(msg replySentMsg) tea.Cmd {
	m.sending = false
	if msg.arrived != nil && msg.err == nil {
		m.onArrived(*msg.arrived) // stopped: the notice shows it, and the next send goes
	}
	if msg.err != nil || msg.arrived != nil {
		m.err = msg.err // the text stays as it is, to fix and send again
		if m.ta.Value() != m.saved {
			return m.schedule()
		}
		return nil
	}
	m.sent = true
	what := "replied"
	if m.private {
		what = "replied privately to the commenter"
		if m.target != nil {
			what = "replied privately to " + Safe(commenter(m.target.Comment))
		}
	}
	if msg.sent.AwaitingApproval {
		what += ": awaiting approval by a lead, not sent yet"
	}
	if n := len(msg.sent.Warnings); n > 0 {
		what += " (" + plural(n, "voice warning") + ")"
	}
	act := actionMsg{What: what, IDs: []int64{m.convID}}
	return tea.Batch(closeOverlay, func() tea.Msg { return act })
}
