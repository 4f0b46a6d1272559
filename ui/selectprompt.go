package ui

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// maxSelect bounds a T selection; a bulk action on more is better done from the CLI.
const maxSelect = 10000

// selectedMsg is the answer to T: every conversation of the view matching a query.
type selectedMsg struct {
	Query string
	IDs   []int64
	Err   error
}

// selectPrompt asks for a query and selects every conversation of the view matching it
// (mutt's T), for ';' or a bulk key to act on.
type selectPrompt struct {
	c     *Common
	view  inbox.View
	input textinput.Model
	err   error
	w     int
}

func newSelectPrompt(c *Common, v inbox.View) *selectPrompt {
	ti := newDialogInput(c.Styles, "select: ", "tag:refund is:unanswered")
	return &selectPrompt{c: c, view: v, input: ti}
}

func (p *selectPrompt) Init() tea.Cmd { return p.input.Focus() }

func (p *selectPrompt) SetSize(w, h int) {
	p.w = min(w-4, 80)
	p.input.SetWidth(max(p.w-12, 10))
}

func (p *selectPrompt) ShortHelp() []key.Binding {
	return []key.Binding{p.c.Keys.Accept, p.c.Keys.Cancel}
}

func (p *selectPrompt) Update(msg tea.Msg) (overlay, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, p.c.Keys.Cancel):
			return p, closeOverlay
		case key.Matches(k, p.c.Keys.Accept):
			q := p.input.Value()
			if _, err := inbox.ParseQuery(q); err != nil {
				p.err = err
				return p, nil
			}
			c, v := p.c, p.view
			return p, tea.Batch(closeOverlay, func() tea.Msg {
				ids, err := c.Inbox.MatchingIDs(c.Ctx, v, q, maxSelect)
				return selectedMsg{Query: q, IDs: ids, Err: err}
			})
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.err = nil
	return p, cmd
}

func (p *selectPrompt) View() string {
	st := p.c.Styles
	body := st.DialogHead.Render("Select every conversation in "+p.view.Name+" that matches") + "\n" + p.input.View()
	if p.err != nil {
		var qe *inbox.QueryError
		msg := p.err.Error()
		if errors.As(p.err, &qe) {
			msg = qe.Msg
		}
		body += "\n" + st.Error.Render(Safe(msg))
	} else {
		body += "\n" + st.Faint.Render(fmt.Sprintf("enter selects (up to %d); then ; and an action key applies it to all", maxSelect))
	}
	return st.Dialog.Width(p.w).Render(body)
}
