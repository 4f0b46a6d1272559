package ui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/triage-inbox/triage/inbox"
)

// This file holds the dialogs with fields: escalate (reason, priority, note) and the
// internal note.

// The fields of the escalate dialog, in tab order.
const (
	fieldReason = iota
	fieldPriority
	fieldNote
	escalateFields
)

// escalateLabel is the width of the field labels, so the values line up.
const escalateLabel = 10

// escalateDialog hands conversations to customer service with a reason, a priority and
// an optional note. Nothing is chosen for the person: the reason must be picked, and the
// priority stays as it is unless they move it.
type escalateDialog struct {
	c       *Common
	ids     []int64
	who     string // the customer, when there is one conversation
	reasons []string
	reason  int            // -1 until one is chosen
	prio    inbox.Priority // prioUnchanged, or the priority to set
	note    textinput.Model
	field   int
	offset  int // first reason on screen
	rows    int // reasons on screen
	busy    bool
	err     error
	w, h    int
}

// Keys that only mean something in one field; the rest come from the KeyMap.
var (
	prioPrev = key.NewBinding(key.WithKeys("left", "k", "up"))
	prioNext = key.NewBinding(key.WithKeys("right", "j", "down"))
)

// prioUnchanged is the escalate dialog's first priority: leave it as it is.
const prioUnchanged inbox.Priority = -1

// newEscalateDialog opens the escalate dialog on conversations with no reason chosen and
// the priority unchanged.
func newEscalateDialog(c *Common, ids []int64, who string) *escalateDialog {
	d := &escalateDialog{c: c, ids: ids, who: who, reasons: c.Inbox.Config().Escalation.Reasons, reason: -1, prio: prioUnchanged,
		note: newDialogInput(c.Styles, "> ", "optional, for customer service")}
	d.SetSize(c.Width, c.Height)
	return d
}

// Init has nothing to load: the reasons come from config.
func (d *escalateDialog) Init() tea.Cmd { return nil }

// Update moves between fields, changes them and escalates.
func (d *escalateDialog) Update(msg tea.Msg) (overlay, tea.Cmd) {
	if m, ok := msg.(attemptedMsg); ok {
		d.busy = false
		cmd, err := finish(m)
		d.err = err
		return d, cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if d.field == fieldNote {
			var cmd tea.Cmd
			d.note, cmd = d.note.Update(msg) // a paste
			return d, cmd
		}
		return d, nil
	}
	k := d.c.Keys
	switch {
	case key.Matches(km, k.Cancel):
		return d, closeOverlay
	case key.Matches(km, k.Send):
		return d, d.escalate()
	case key.Matches(km, k.Accept) && d.field == escalateFields-1:
		return d, d.escalate()
	case key.Matches(km, k.Accept), key.Matches(km, k.NextField):
		return d, d.focus(d.field + 1)
	case key.Matches(km, k.PrevField):
		return d, d.focus(d.field - 1)
	}
	switch d.field {
	case fieldReason:
		d.updateReason(km)
	case fieldPriority:
		d.updatePriority(km)
	case fieldNote:
		var cmd tea.Cmd
		d.note, cmd = d.note.Update(km)
		return d, cmd
	}
	return d, nil
}

// focus moves to field f (wrapping), giving the note input the keys only when it is there.
func (d *escalateDialog) focus(f int) tea.Cmd {
	d.field = (f + escalateFields) % escalateFields
	if d.field == fieldNote {
		return d.note.Focus()
	}
	d.note.Blur()
	return nil
}

// updateReason moves with j/k and jumps to the next reason that starts with a letter
// typed, so "r" then "r" again goes through refund, then any other r-reason.
func (d *escalateDialog) updateReason(km tea.KeyPressMsg) {
	switch {
	case len(d.reasons) == 0:
	case key.Matches(km, d.c.Keys.Up):
		d.reason = (max(d.reason, 0) - 1 + len(d.reasons)) % len(d.reasons)
	case key.Matches(km, d.c.Keys.Down):
		d.reason = (d.reason + 1) % len(d.reasons)
	case isText(km):
		letter := strings.ToLower(km.Text)
		for step := 1; step <= len(d.reasons); step++ {
			i := (max(d.reason, -1) + step + len(d.reasons)) % len(d.reasons)
			if strings.HasPrefix(strings.ToLower(d.reasons[i]), letter) {
				d.reason = i
				break
			}
		}
	}
	d.scroll()
}

// updatePriority moves along unchanged, low…urgent with the arrows or j/k, or jumps by
// first letter.
func (d *escalateDialog) updatePriority(km tea.KeyPressMsg) {
	switch {
	case key.Matches(km, prioPrev):
		d.prio = max(d.prio-1, prioUnchanged)
	case key.Matches(km, prioNext):
		d.prio = min(d.prio+1, inbox.PriorityUrgent)
	case isText(km):
		for p := inbox.PriorityLow; p <= inbox.PriorityUrgent; p++ {
			if strings.HasPrefix(p.String(), strings.ToLower(km.Text)) {
				d.prio = p
			}
		}
	}
}

func (d *escalateDialog) scroll() {
	if d.reason >= 0 && d.reason < d.offset {
		d.offset = d.reason
	}
	if d.reason >= d.offset+d.rows {
		d.offset = d.reason - d.rows + 1
	}
}

func (d *escalateDialog) escalate() tea.Cmd {
	if d.busy || len(d.reasons) == 0 {
		return nil
	}
	if d.reason < 0 {
		d.err = errors.New("choose a reason first: j/k or its first letter")
		return d.focus(fieldReason)
	}
	d.busy, d.err = true, nil
	c, ids := d.c, d.ids
	req := inbox.EscalateRequest{Reason: d.reasons[d.reason], Note: strings.TrimSpace(d.note.Value())}
	if d.prio != prioUnchanged {
		p := d.prio
		req.Priority = &p
	}
	return onward(attempt("escalated: "+Safe(req.Reason), ids, true, func() error { return c.Inbox.Escalate(c.Ctx, req, ids...) }))
}

// SetSize fits the dialog: the reasons get the rows the other lines leave.
func (d *escalateDialog) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	d.w, d.h = min(dw, 64), dh
	iw, ih := dialogInner(d.c.Styles, d.w, dh)
	d.rows = max(min(len(d.reasons), ih-6), 1) // title, blank, priority, note, blank, status
	sizeInput(&d.note, iw-escalateLabel)
	d.offset = 0
	d.scroll()
}

// label is a field's name, accented while the field has the keys.
func (d *escalateDialog) label(f int, name string) string {
	s := d.c.Styles.Faint
	if d.field == f {
		s = d.c.Styles.DialogHead
	}
	return s.Render(name + strings.Repeat(" ", escalateLabel-len(name)))
}

// View shows the three fields and what enter will do.
func (d *escalateDialog) View() string {
	st := d.c.Styles
	lines := []string{""}
	for i := d.offset; i < min(len(d.reasons), d.offset+d.rows); i++ {
		head := strings.Repeat(" ", escalateLabel)
		if i == d.offset {
			head = d.label(fieldReason, "Reason")
		}
		text := "  " + Safe(d.reasons[i]) + " "
		switch {
		case i == d.reason && d.field == fieldReason:
			text = st.Selected.Render("› " + Safe(d.reasons[i]) + " ")
		case i == d.reason:
			text = st.Bold.Render("› " + Safe(d.reasons[i]))
		}
		lines = append(lines, head+text)
	}
	prio := d.label(fieldPriority, "Priority")
	for p := prioUnchanged; p <= inbox.PriorityUrgent; p++ {
		name := p.String()
		if p == prioUnchanged {
			name = "unchanged"
		}
		opt := " " + name + " "
		switch {
		case p == d.prio && d.field == fieldPriority:
			opt = st.Selected.Render("[" + name + "]")
		case p == d.prio:
			opt = st.Bold.Render("[" + name + "]")
		default:
			opt = st.Faint.Render(opt)
		}
		prio += opt
	}
	lines = append(lines, prio, d.label(fieldNote, "Note")+d.note.View(), "")
	hint := "tab: next field · enter: next · ctrl+s: escalate"
	if d.field == fieldNote {
		hint = "enter or ctrl+s: escalate · shift+tab: back"
	}
	lines = withStatus(st, d.w, d.h, lines, d.err, hint)
	return drawDialog(st, d.w, "Escalate "+targetName(d.ids, d.who)+" to customer service", lines)
}

// ShortHelp lists the dialog's keys.
func (d *escalateDialog) ShortHelp() []key.Binding {
	k := d.c.Keys
	return []key.Binding{k.NextField, k.PrevField, k.Down, k.Up,
		key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp(k.Send.Help().Key, "escalate")), k.Cancel}
}

// --- note ---

// noteDialog writes an internal note on a conversation. A note can be long, so esc with
// text typed asks for a second esc before throwing it away.
type noteDialog struct {
	c     *Common
	id    int64
	who   string
	area  textarea.Model
	armed bool // esc was pressed once with text typed
	busy  bool
	err   error
	w, h  int
}

// newNoteDialog opens an empty note for a conversation.
func newNoteDialog(c *Common, id int64, who string) *noteDialog {
	area := textarea.New()
	area.ShowLineNumbers = false
	area.Prompt = ""
	area.Placeholder = "Internal note: only your team sees it"
	s := textarea.DefaultStyles(c.Styles.Dark)
	s.Cursor.Blink = false // see newDialogInput
	s.Focused.CursorLine = s.Focused.Text
	s.Focused.Placeholder = c.Styles.Faint
	area.SetStyles(s)
	area.Focus()
	d := &noteDialog{c: c, id: id, who: who, area: area}
	d.SetSize(c.Width, c.Height)
	return d
}

// Init has nothing to load.
func (d *noteDialog) Init() tea.Cmd { return nil }

// Update saves on ctrl+s, closes on esc (twice when there is text) and types the rest.
func (d *noteDialog) Update(msg tea.Msg) (overlay, tea.Cmd) {
	switch msg := msg.(type) {
	case attemptedMsg:
		d.busy = false
		cmd, err := finish(msg)
		d.err = err
		return d, cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, d.c.Keys.Cancel):
			if d.armed || strings.TrimSpace(d.area.Value()) == "" {
				return d, closeOverlay
			}
			d.armed = true
			return d, nil
		case key.Matches(msg, d.c.Keys.Send):
			d.armed = false
			return d, d.save()
		}
		d.armed = false
	}
	var cmd tea.Cmd
	d.area, cmd = d.area.Update(msg)
	return d, cmd
}

func (d *noteDialog) save() tea.Cmd {
	if d.busy {
		return nil
	}
	d.busy, d.err = true, nil
	c, id, text := d.c, d.id, strings.TrimSpace(d.area.Value())
	return attempt("note added", []int64{id}, false, func() error { return c.Inbox.AddNote(c.Ctx, id, text) })
}

// SetSize fits the text area to the dialog.
func (d *noteDialog) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	d.w, d.h = dw, dh
	iw, ih := dialogInner(d.c.Styles, dw, min(dh, 18))
	d.area.SetWidth(iw)
	d.area.SetHeight(max(ih-2, 1)) // title, status
}

// View is the text area and its status.
func (d *noteDialog) View() string {
	st := d.c.Styles
	lines := strings.Split(d.area.View(), "\n")
	switch {
	case !d.armed:
		lines = withStatus(st, d.w, d.h, lines, d.err, "ctrl+s: save · esc: cancel")
	case d.err != nil:
		// A failed save and esc: the note is most at risk, so both the error and the
		// warning show.
		lines = withStatus(st, d.w, d.h-1, lines, d.err, "")
		fallthrough
	default:
		lines = append(lines, lipgloss.NewStyle().Foreground(st.Warn).Bold(true).Render("press esc again to discard the note"))
	}
	return drawDialog(st, d.w, "Note on "+targetName([]int64{d.id}, d.who)+" (internal)", lines)
}

// ShortHelp lists the dialog's keys.
func (d *noteDialog) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp(d.c.Keys.Send.Help().Key, "save")), d.c.Keys.Cancel}
}
