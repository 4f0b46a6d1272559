package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// tagPicker tags conversations: it lists the tags in use with their counts, offers to
// create the tag typed (first row) when no tag has that name, and, for a single conversation, marks
// the tags it already has; choosing one of those removes it. The status line says which
// of the three enter will do.
type tagPicker struct {
	c       *Common
	ids     []int64
	who     string // the customer, when there is one conversation
	list    fuzzyList
	tags    []inbox.TagCount
	on      map[string]bool // tags the (single) conversation has
	loading bool
	busy    bool
	err     error
	w, h    int
}

// tagsLoadedMsg carries the tags in use and those of the conversation.
type tagsLoadedMsg struct {
	tags []inbox.TagCount
	on   []string
	err  error
}

// newTagPicker opens the tags for conversations (one, or the bulk selection).
func newTagPicker(c *Common, ids []int64, who string) *tagPicker {
	p := &tagPicker{c: c, ids: ids, who: who, list: newFuzzyList(c, "filter, or type a new tag"), on: map[string]bool{}, loading: true}
	p.list.fixed = p.createRow
	// Typing part of a tag and pressing enter should file under the tag that matched,
	// not create a near-duplicate ("ship" beside "shipping"): the create row is on top
	// but highlighted only when nothing else matches.
	p.list.preferItems = true
	p.list.empty = "no tags yet: type a name to create one"
	p.SetSize(c.Width, c.Height)
	return p
}

// Init loads the tags, and the conversation's own when there is one conversation.
func (p *tagPicker) Init() tea.Cmd {
	c, ids := p.c, p.ids
	return func() tea.Msg {
		tags, err := c.Inbox.Tags(c.Ctx)
		if err != nil || len(ids) != 1 {
			return tagsLoadedMsg{tags: tags, err: err}
		}
		t, err := c.Inbox.Thread(c.Ctx, ids[0], 1)
		return tagsLoadedMsg{tags: tags, on: t.Info.Tags, err: err}
	}
}

// normTag is a typed tag as the inbox will store it (inbox lower-cases and trims), so
// "Shipping" finds the tag "shipping" rather than offering to create it again.
func normTag(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// createRow is the "create tag" row, first whenever the query names no existing tag.
func (p *tagPicker) createRow(q string) []listItem {
	q = normTag(q)
	if q == "" {
		return nil
	}
	for _, t := range p.tags {
		if normTag(t.Name) == q {
			return nil
		}
	}
	return []listItem{{Title: "create tag “" + Safe(q) + "”", Mark: "+", Hint: "new"}}
}

// Update handles the loaded tags, the keys and the result.
func (p *tagPicker) Update(msg tea.Msg) (overlay, tea.Cmd) {
	switch msg := msg.(type) {
	case tagsLoadedMsg:
		p.loading, p.err, p.tags = false, msg.err, msg.tags
		p.on = map[string]bool{}
		for _, t := range msg.on {
			p.on[t] = true
		}
		items := make([]listItem, len(p.tags))
		for i, t := range p.tags {
			items[i] = listItem{Title: Safe(t.Name), Hint: itoa(t.Count)}
			if p.on[t.Name] {
				items[i].Mark, items[i].Hint = "✓", itoa(t.Count)+" · untag"
			}
		}
		p.list.SetItems(items)
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
			return p, p.apply()
		}
	}
	cmd := p.list.Update(msg)
	if _, ok := msg.(tea.KeyPressMsg); ok {
		p.err = nil // the error was about what was typed before
	}
	return p, cmd
}

// choice is what enter would do now: the tag and whether it removes it.
func (p *tagPicker) choice() (tag string, untag, ok bool) {
	_, i, ok := p.list.Selected()
	switch {
	case !ok:
		return "", false, false
	case i < 0:
		return normTag(p.list.Query()), false, true
	}
	tag = p.tags[i].Name
	return tag, p.on[tag], true
}

func (p *tagPicker) apply() tea.Cmd {
	tag, untag, ok := p.choice()
	if p.loading || p.busy || !ok {
		return nil
	}
	p.busy, p.err = true, nil
	c, ids := p.c, p.ids
	if untag {
		return attempt("untagged "+Safe(tag), ids, false, func() error { return c.Inbox.Untag(c.Ctx, tag, ids...) })
	}
	// Tagging moves on, as mail clients do after filing; untagging is a correction to
	// the conversation at hand, so the cursor stays.
	return attempt("tagged "+Safe(tag), ids, true, func() error { return c.Inbox.Tag(c.Ctx, tag, ids...) })
}

// isNew reports a tag no conversation carries yet.
func (p *tagPicker) isNew(tag string) bool {
	for _, t := range p.tags {
		if t.Name == tag {
			return false
		}
	}
	return true
}

// SetSize fits the list to the screen.
func (p *tagPicker) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	p.w, p.h = min(dw, 56), dh
	iw, ih := dialogInner(p.c.Styles, p.w, min(dh, 22))
	p.list.SetSize(iw, pickerRows(ih, 3)) // title, filter, status
}

// View is the list of tags and what enter will do.
func (p *tagPicker) View() string {
	hint := "type a tag name"
	switch tag, untag, ok := p.choice(); {
	case p.loading:
		hint = "loading tags…"
	case ok && untag:
		hint = "enter: remove “" + Safe(tag) + "” from " + targetName(p.ids, p.who)
	case ok && p.isNew(tag):
		hint = "enter: create “" + Safe(tag) + "” and tag " + targetName(p.ids, p.who)
	case ok:
		hint = "enter: tag " + targetName(p.ids, p.who) + " with “" + Safe(tag) + "”"
	}
	lines := strings.Split(p.list.View(), "\n")
	return drawDialog(p.c.Styles, p.w, "Tag "+targetName(p.ids, p.who), withStatus(p.c.Styles, p.w, p.h, lines, p.err, hint))
}

// ShortHelp lists the picker's keys.
func (p *tagPicker) ShortHelp() []key.Binding { return pickerHelp(p.c, &p.list) }
