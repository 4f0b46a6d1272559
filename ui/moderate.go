package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// Moderation is what main hands the UI so people can moderate on channels that allow it
// (hide, delete, spam, mute, block, report). The UI offers only what a channel declares.
type Moderation interface {
	Actions(channel, account string) []string
	Moderate(ctx context.Context, channel, account, action, messageID string) error
}

// moderationLabels say what each action does on the channel.
var moderationLabels = map[string]string{
	"hide": "hide the comment", "unhide": "unhide the comment", "delete": "delete the comment", "spam": "report as spam and mark spam here",
	"mute": "mute the author", "block": "block the author", "report": "report the author",
}

// moderatePicker offers the channel's moderation actions for a conversation's latest
// inbound message.
type moderatePicker struct {
	c       *Common
	id      int64
	target  inbox.MessageRow
	actions []string
	list    fuzzyList
	err     error
	loaded  bool
	w       int
}

type moderateLoadedMsg struct {
	id     int64
	target inbox.MessageRow
	err    error
}

func newModeratePicker(c *Common, id int64) *moderatePicker {
	p := &moderatePicker{c: c, id: id, list: newFuzzyList(c, "filter actions")}
	p.SetSize(c.Width, c.Height)
	return p
}

// Init finds the message to act on: the conversation's latest inbound message.
func (p *moderatePicker) Init() tea.Cmd {
	c, id := p.c, p.id
	return func() tea.Msg {
		t, err := c.Inbox.Thread(c.Ctx, id, 50)
		if err != nil {
			return moderateLoadedMsg{id: id, err: err}
		}
		for i := len(t.Messages) - 1; i >= 0; i-- {
			if m := t.Messages[i]; m.Direction == string(inbox.In) {
				return moderateLoadedMsg{id: id, target: m}
			}
		}
		return moderateLoadedMsg{id: id, err: errors.New("no message from the customer to act on")}
	}
}

func (p *moderatePicker) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	p.w = min(dw, 56)
	iw, ih := dialogInner(p.c.Styles, p.w, min(dh, 14))
	p.list.SetSize(iw, pickerRows(ih, 3))
}

func (p *moderatePicker) ShortHelp() []key.Binding {
	return []key.Binding{p.c.Keys.Accept, p.c.Keys.Cancel}
}

func (p *moderatePicker) Update(msg tea.Msg) (overlay, tea.Cmd) {
	switch msg := msg.(type) {
	case moderateLoadedMsg:
		if msg.id != p.id {
			return p, nil
		}
		p.loaded, p.target, p.err = true, msg.target, msg.err
		if p.err == nil && p.c.Mod != nil {
			p.actions = p.c.Mod.Actions(msg.target.Channel, msg.target.Account)
		}
		items := make([]listItem, len(p.actions))
		for i, a := range p.actions {
			items[i] = listItem{Title: moderationLabels[a], Hint: a}
		}
		p.list.SetItems(items)
		return p, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, p.c.Keys.Cancel):
			return p, closeOverlay
		case key.Matches(msg, p.c.Keys.Accept):
			if _, i, ok := p.list.Selected(); ok && i < len(p.actions) {
				return p, tea.Batch(p.apply(p.actions[i]), closeOverlay)
			}
			return p, nil
		}
	}
	return p, p.list.Update(msg)
}

// apply runs the action on the channel; "spam" also marks the conversation spam here.
func (p *moderatePicker) apply(action string) tea.Cmd {
	c, id, m := p.c, p.id, p.target
	what := fmt.Sprintf("%s on %s", moderationLabels[action], inbox.ChannelLabel(m.Channel))
	return do(what, []int64{id}, true, func() error {
		if err := c.Mod.Moderate(c.Ctx, m.Channel, m.Account, action, m.ExtID); err != nil {
			return err
		}
		switch action {
		case "spam":
			return c.Inbox.Spam(c.Ctx, id)
		case "hide", "unhide", "delete":
			// The thread marks it as the channel's own news of it would.
			return c.Inbox.Moderated(c.Ctx, m.Channel, m.Account, m.ExtID, action)
		}
		return nil
	})
}

func (p *moderatePicker) View() string {
	st := p.c.Styles
	var lines []string
	switch {
	case !p.loaded:
		lines = []string{st.Faint.Render("…")}
	case p.err != nil:
		iw, _ := dialogInner(st, p.w, 0)
		for _, l := range errorLines(p.err, iw, dialogErrRows) {
			lines = append(lines, st.Error.Render(l))
		}
	case len(p.actions) == 0:
		lines = []string{st.Faint.Render("This channel offers no moderation through triage.")}
	default:
		lines = strings.Split(p.list.View(), "\n")
		lines = append(lines, statusLine(st, "acts on the latest message from "+Safe(firstNonEmpty(p.target.AuthorName, p.target.AuthorHandle))))
	}
	return drawDialog(st, p.w, "Moderate on "+inbox.ChannelLabel(p.target.Channel), lines)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
