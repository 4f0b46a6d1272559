package ui

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// Common is what every screen and dialog shares: the inbox, the style sheet, the key map,
// the clock and the window size. It is passed down, never kept in package variables.
type Common struct {
	Ctx    context.Context
	Inbox  *inbox.Service
	Styles *Styles
	// FixedTheme keeps Styles as configured instead of following the terminal's background.
	FixedTheme bool
	Keys       *KeyMap
	Now        func() time.Time
	Log        *slog.Logger // errors and notable events, to a file
	Mod        Moderation   // channel moderation; nil when no channel offers it
	// AccountNames name the configured accounts (see Options.AccountNames).
	AccountNames map[AccountKey]string
	Tick         time.Duration // how often ages and SLA badges refresh; 0 in tests, where time stands still
	// Session is the person's session in the hub of live changes and presence
	// (presence_live.go); nil outside one. Others is who else is in each conversation,
	// as last heard from it.
	Session *inbox.Session
	Others  map[int64][]inbox.Presence
	Width   int
	Height  int
}

// overlay is a dialog drawn over the current screen: the composer, the pickers, prompts.
// It returns itself from Update; it closes by returning a command that yields
// closeOverlayMsg (and, usually, the result of what it did).
type overlay interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (overlay, tea.Cmd)
	View() string
	SetSize(w, h int)
	ShortHelp() []key.Binding
}

// closeOverlayMsg asks the root model to close the current dialog.
type closeOverlayMsg struct{}

func closeOverlay() tea.Msg { return closeOverlayMsg{} }

// actionMsg reports an action on conversations (done, tag, reply, …) once the inbox has
// carried it out; the root model shows it in the footer and reloads what changed.
type actionMsg struct {
	What    string  // "done", "tagged refund", "replied", …
	IDs     []int64 // the conversations it touched
	Advance bool    // move the cursor to the next row, as mail clients do
	// Onward: the action takes the conversation off the person's hands (done, spam,
	// escalated, a quick canned reply): on its own screen, the next conversation opens.
	Onward bool
	Err    error
}

// statusMsg puts a line in the footer (and the log, when it is an error).
type statusMsg struct {
	Text string
	Err  error
}

// do runs an inbox action off the UI goroutine and reports it as an actionMsg.
func do(what string, ids []int64, advance bool, fn func() error) tea.Cmd {
	if len(ids) > 1 {
		what += fmt.Sprintf(" on %d conversations", len(ids)) // a bulk action says how many
	}
	return func() tea.Msg {
		return actionMsg{What: what, IDs: ids, Advance: advance, Err: fn()}
	}
}

// onward marks the action that cmd reports (through do or attempt) as one that moves on
// from a conversation's screen to the next conversation.
func onward(cmd tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case actionMsg:
			msg.Onward = true
			return msg
		case attemptedMsg:
			msg.act.Onward = true
			return msg
		default:
			return msg
		}
	}
}

// openComposerMsg asks the root model to open the composer on a conversation, with text
// to start from (a rendered canned reply) or "" to start from the saved draft.
type openComposerMsg struct {
	ConvID int64
	Text   string
}

// cannedChosenMsg is a canned reply picked and rendered for a conversation. With Quick
// set (the C key) the root model sends it, marks the conversation done and moves on;
// otherwise it opens the composer with the text to review.
type cannedChosenMsg struct {
	ConvID int64
	Name   string
	Text   string
	Quick  bool
	Holes  string  // what the reply lacks in this conversation; C opens the composer instead
	IDs    []int64 // a selection: the reply goes to each (Quick: and closes each)
}

// chooseViewMsg switches the queue to the view at Index of inbox.Service.Views().
type chooseViewMsg struct{ Index int }

// tickMsg makes ages and SLA badges move on their own.
type tickMsg time.Time

// tickEvery is how often the clock-driven parts of the screen refresh.
const tickEvery = 15 * time.Second

func (c *Common) tick() tea.Cmd {
	if c.Tick <= 0 {
		return nil
	}
	return tea.Tick(c.Tick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// syncMsg is the sync engine's latest word on every account.
type syncMsg struct{ States []inbox.SyncState }

// AccountKey is an account as messages name it: its channel and handle.
type AccountKey struct{ Channel, Handle string }

// accountName is how a person knows an account: the config's name for it, else its handle.
func (c *Common) accountName(channel, handle string) string {
	if n := c.AccountNames[AccountKey{channel, handle}]; n != "" {
		return n
	}
	return handle
}
