package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"
)

// listItem is one row of a fuzzyList. Title and Detail must already be Safe: the list
// matches and highlights the very text it shows, so the offsets fuzzy reports line up
// with what is on the screen.
type listItem struct {
	Title  string // shown, and matched fuzzily
	Detail string // matched word by word after the titles (a canned reply's body); not shown
	Hint   string // shown faint at the right: a count, a key, "untag"
	Mark   string // one cell at the left: ✓ for a tag the conversation has, • for the current one
}

// listRow is an item as the filter left it: where it came from and what matched.
type listRow struct {
	item    listItem
	index   int   // in the items; -1 for a row from fixed
	matched []int // byte offsets in Title to highlight
}

// fuzzyList is a filter-as-you-type list. It opens browsing: j/k (and up/down, ctrl+n,
// ctrl+p) move and the first other character typed starts the filter, so the list can be
// used without typing and typing needs no extra key. Once filtering, every character
// goes to the filter (j and k too) and only the arrows and ctrl+n/ctrl+p move; / starts
// the filter explicitly, for a query that begins with j or k.
type fuzzyList struct {
	st    *Styles
	keys  *KeyMap
	input textinput.Model
	items []listItem
	fixed func(query string) []listItem // rows shown first whatever the query ("create tag …")
	// preferItems puts the highlight on the best item rather than on a fixed row, so a
	// fixed row is offered without being what enter does by default.
	preferItems bool
	rows        []listRow
	cursor      int
	offset      int // first row on screen
	width       int
	height      int
	empty       string // what to say when nothing matches
}

// filterUp and filterDown move while the filter has the keys, where j and k are letters.
var (
	filterUp   = key.NewBinding(key.WithKeys("up", "ctrl+p"))
	filterDown = key.NewBinding(key.WithKeys("down", "ctrl+n"))
	startTyped = key.NewBinding(key.WithKeys("/"))
)

// newFuzzyList makes an empty list; SetItems fills it and SetSize shapes it.
func newFuzzyList(c *Common, placeholder string) fuzzyList {
	return fuzzyList{st: c.Styles, keys: c.Keys, input: newDialogInput(c.Styles, "/ ", placeholder),
		width: 40, height: 5, empty: "nothing matches"}
}

// SetItems replaces the items, keeping the highlight on the same item when it is still
// there (a reload must not jump the cursor).
func (l *fuzzyList) SetItems(items []listItem) {
	prev := -1
	if r, ok := l.selectedRow(); ok {
		prev = r.index
	}
	l.items = items
	l.refilter()
	for i, r := range l.rows {
		if prev >= 0 && r.index == prev {
			l.cursor = i
		}
	}
	l.scroll()
}

// SetSize gives the list w columns and h rows for items (the filter line is extra).
func (l *fuzzyList) SetSize(w, h int) {
	l.width, l.height = max(w, 1), max(h, dialogMinRows)
	l.scroll()
}

// Query is what has been typed into the filter.
func (l *fuzzyList) Query() string { return strings.TrimSpace(l.input.Value()) }

// Filtering reports whether the filter has the keys (and j/k are letters).
func (l *fuzzyList) Filtering() bool { return l.input.Focused() }

// Selected returns the highlighted item and its index in the items (-1 for a fixed row).
func (l *fuzzyList) Selected() (listItem, int, bool) {
	r, ok := l.selectedRow()
	return r.item, r.index, ok
}

func (l *fuzzyList) selectedRow() (listRow, bool) {
	if l.cursor < 0 || l.cursor >= len(l.rows) {
		return listRow{}, false
	}
	return l.rows[l.cursor], true
}

// Select highlights the first shown item that pred accepts.
func (l *fuzzyList) Select(pred func(i int, it listItem) bool) {
	for i, r := range l.rows {
		if pred(r.index, r.item) {
			l.cursor = i
			l.scroll()
			return
		}
	}
}

// Update moves the highlight or types into the filter. Enter and esc are the caller's.
func (l *fuzzyList) Update(msg tea.Msg) tea.Cmd {
	km, isKey := msg.(tea.KeyPressMsg)
	browsing := !l.input.Focused()
	switch {
	case isKey && key.Matches(km, filterUp), isKey && browsing && key.Matches(km, l.keys.Up):
		l.move(-1)
		return nil
	case isKey && key.Matches(km, filterDown), isKey && browsing && key.Matches(km, l.keys.Down):
		l.move(1)
		return nil
	case isKey && browsing && key.Matches(km, startTyped):
		return l.input.Focus()
	case isKey && browsing && isText(km):
		l.input.Focus()
	case browsing:
		if _, paste := msg.(tea.PasteMsg); !paste {
			return nil
		}
		l.input.Focus()
	}
	before := l.input.Value()
	var cmd tea.Cmd
	l.input, cmd = l.input.Update(msg)
	if l.input.Value() != before {
		l.refilter()
		l.cursor, l.offset = 0, 0 // the best match is on top; that is where the eye goes
		if n := l.fixedCount(); l.preferItems && n < len(l.rows) {
			l.cursor = n
		}
		l.scroll()
	}
	return cmd
}

func (l *fuzzyList) move(d int) {
	if len(l.rows) == 0 {
		return
	}
	l.cursor = (l.cursor + d + len(l.rows)) % len(l.rows) // wrap: the top is one key from the bottom
	l.scroll()
}

// scroll keeps the highlighted row on screen.
func (l *fuzzyList) scroll() {
	l.cursor = min(max(l.cursor, 0), max(len(l.rows)-1, 0))
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	l.offset = max(0, min(l.offset, len(l.rows)-l.height))
}

// refilter ranks the items against the query: fixed rows first, then title matches best
// first, then items whose detail holds every word typed. Details are matched by words, not
// fuzzily, because a fuzzy subsequence over a paragraph matches nearly any short query and
// the list would stop narrowing.
func (l *fuzzyList) refilter() {
	q := l.Query()
	l.rows = l.rows[:0]
	if l.fixed != nil {
		for _, it := range l.fixed(q) {
			l.rows = append(l.rows, listRow{item: it, index: -1})
		}
	}
	if q == "" {
		for i, it := range l.items {
			l.rows = append(l.rows, listRow{item: it, index: i})
		}
		return
	}
	titles := make([]string, len(l.items))
	for i, it := range l.items {
		titles[i] = it.Title
	}
	seen := make([]bool, len(l.items))
	for _, m := range fuzzy.Find(q, titles) {
		seen[m.Index] = true
		l.rows = append(l.rows, listRow{item: l.items[m.Index], index: m.Index, matched: m.MatchedIndexes})
	}
	words := strings.Fields(strings.ToLower(q))
	for i, it := range l.items {
		if !seen[i] && it.Detail != "" && containsAll(strings.ToLower(it.Detail), words) {
			l.rows = append(l.rows, listRow{item: it, index: i})
		}
	}
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// View is the filter line and the visible rows, each exactly the list's width. The list
// is as tall as all its items (up to its height) whatever the filter leaves, so the box
// does not jump as the list narrows, nor stand half empty on a tall screen.
func (l *fuzzyList) View() string {
	count := l.st.Faint.Render(itoa(len(l.rows)-l.fixedCount()) + "/" + itoa(len(l.items)))
	sizeInput(&l.input, l.width-ansi.StringWidth(count)-1)
	lines := []string{l.input.View() + " " + count}
	for i := l.offset; i < min(len(l.rows), l.offset+l.height); i++ {
		lines = append(lines, l.row(i))
	}
	if len(l.rows) == 0 {
		lines = append(lines, l.st.Faint.Render("    "+l.empty))
	}
	tall := len(l.items) + 1 // one more for a fixed row or "nothing matches"
	for len(lines) < min(l.height, tall)+1 {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (l *fuzzyList) fixedCount() int {
	n := 0
	for _, r := range l.rows {
		if r.index < 0 {
			n++
		}
	}
	return n
}

// row draws one row: cursor, mark, title with the matched characters picked out, hint at
// the right. The highlighted row is reversed and has a "›", so it reads with or without
// colour (and in a screen dump).
func (l *fuzzyList) row(i int) string {
	r := l.rows[i]
	base, hit := lipgloss.NewStyle(), lipgloss.NewStyle().Foreground(l.st.Accent).Bold(true).Underline(true)
	hintStyle := l.st.Faint
	gutter := "  "
	if i == l.cursor {
		base, hit, hintStyle = l.st.Selected, l.st.Selected.Bold(true).Underline(true), l.st.Selected
		gutter = "› "
	}
	mark := r.item.Mark
	if mark == "" {
		mark = " "
	}
	gutter += mark + " "
	hint := r.item.Hint
	room := l.width - rowGutter
	if hint != "" {
		hint = ansi.Truncate(hint, max(room/2, 1), "…")
		room -= ansi.StringWidth(hint) + 1
	}
	title := ansi.Truncate(r.item.Title, max(room, 1), "…")
	var b strings.Builder
	b.WriteString(base.Render(gutter))
	b.WriteString(highlight(title, r.matched, base, hit))
	gap := l.width - rowGutter - ansi.StringWidth(title) - ansi.StringWidth(hint)
	b.WriteString(base.Render(strings.Repeat(" ", max(gap, 0))))
	if hint != "" {
		b.WriteString(hintStyle.Render(hint))
	}
	return b.String()
}

// rowGutter is the cursor, the mark and the spaces after each.
const rowGutter = 4

// highlight renders s with the bytes at the matched offsets in hit and the rest in base,
// a run at a time. Offsets past the end (cut off by truncation) are ignored.
func highlight(s string, matched []int, base, hit lipgloss.Style) string {
	if len(matched) == 0 {
		return base.Render(s)
	}
	on := make(map[int]bool, len(matched))
	for _, m := range matched {
		on[m] = true
	}
	var b, run strings.Builder
	runHit := false
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if runHit {
			b.WriteString(hit.Render(run.String()))
		} else {
			b.WriteString(base.Render(run.String()))
		}
		run.Reset()
	}
	for i, r := range s {
		if on[i] != runHit {
			flush()
			runHit = on[i]
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}

// ShortHelp names the list's keys for the dialogs that hold one.
func (l *fuzzyList) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("j/k ↑/↓", "move")),
		key.NewBinding(key.WithKeys("/"), key.WithHelp("type or /", "filter")),
	}
}
