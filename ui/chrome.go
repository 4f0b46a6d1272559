package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// header is the top line: where you are and how much is there.
func (m *Model) header() string {
	st := m.c.Styles
	w := m.c.Width
	var left string
	switch m.screen {
	case screenConversation:
		left = st.Header.Render("triage") + st.Faint.Render(" › ") + st.HeaderView.Render(m.queue.currentView().Name) + st.Faint.Render(" › conversation")
	case screenStats:
		left = st.Header.Render("triage") + st.Faint.Render(" › ") + st.HeaderView.Render("Response times")
	case screenHelp:
		left = st.Header.Render("triage") + st.Faint.Render(" › ") + st.HeaderView.Render("Keys")
	case screenLog:
		left = st.Header.Render("triage") + st.Faint.Render(" › ") + st.HeaderView.Render("Log")
	default:
		v := m.queue.currentView()
		left = st.Header.Render("triage") + st.Faint.Render(" › ") + st.HeaderView.Render(v.Name) +
			st.Faint.Render(" "+m.queue.countText())
		if m.queue.query != "" && !m.searching {
			left += st.Faint.Render("  /") + Safe(m.queue.query)
		}
		if n := len(m.queue.selected); n > 0 {
			left += st.Marked.Render(fmt.Sprintf("  %d selected", n))
		}
	}
	if m.c.Inbox.ReadOnly() {
		left += st.Error.Render("  read-only")
	}
	right := m.viewTabs()
	if m.screen != screenQueue || ansi.StringWidth(left)+ansi.StringWidth(right)+2 > w {
		return ansi.Truncate(left, w, "…")
	}
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	return left + strings.Repeat(" ", gap) + right
}

// viewTabs lists the views reachable with 1–9, the active one highlighted.
func (m *Model) viewTabs() string {
	st := m.c.Styles
	var parts []string
	for i, v := range m.queue.views {
		if i >= 9 {
			break
		}
		label := fmt.Sprintf("%d %s", i+1, v.Name)
		if i == m.queue.view {
			parts = append(parts, st.HeaderView.Render(label))
		} else {
			parts = append(parts, st.Faint.Render(label))
		}
	}
	return strings.Join(parts, " ")
}

// footer is two lines: the search line or status, then the keys that matter now.
func (m *Model) footer() string {
	st := m.c.Styles
	w := m.c.Width
	var line1 string
	switch {
	case m.searching && m.searchErr != nil:
		line1 = m.searchErrorLine()
	case m.searching:
		line1 = m.search.View()
	case m.status != "":
		if m.statusErr != nil {
			// One line: an error too long for it reads cause first; L shows it whole.
			line1 = st.Error.Render(errorLines(m.statusErr, w, 1)[0])
		} else {
			line1 = st.Footer.Render(Safe(m.status))
		}
	case m.prefix:
		line1 = st.Marked.Render("; — next action applies to the selection")
	}
	sync := m.syncLine()
	if f := m.failedLine(); f != "" {
		sync = strings.TrimSpace(f + "  " + sync)
	}
	if sync != "" {
		if gap := w - ansi.StringWidth(line1) - ansi.StringWidth(sync); gap >= 2 {
			line1 += strings.Repeat(" ", gap) + sync
		}
	}
	line2 := m.help.ShortHelpView(m.shortHelp())
	return ansi.Truncate(line1, w, "…") + "\n" + ansi.Truncate(line2, w, "…")
}

// searchErrorLine shows the search with the bad term underlined and what is wrong with it.
func (m *Model) searchErrorLine() string {
	st := m.c.Styles
	text := m.search.Value()
	e := m.searchErr
	pos, end := min(e.Pos, len(text)), min(max(e.End, e.Pos), len(text))
	msg := e.Msg
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return "/ " + Safe(text[:pos]) + st.Underline.Render(Safe(text[pos:end])) + Safe(text[end:]) + "  " + st.Error.Render(Safe(msg))
}

// shortHelp is the keys that do something where you are, so help never shows a dead key.
func (m *Model) shortHelp() []key.Binding {
	k := m.c.Keys
	if m.overlay != nil {
		return m.overlay.ShortHelp()
	}
	if m.searching {
		clear := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))
		if m.searchErr != nil {
			return []key.Binding{clear} // enter keeps nothing until the search makes sense
		}
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")), clear}
	}
	switch m.screen {
	case screenConversation:
		step := key.NewBinding(key.WithKeys(append(k.NextConv.Keys(), k.PrevConv.Keys()...)...),
			key.WithHelp(k.NextConv.Help().Key+"/"+k.PrevConv.Help().Key, "next/prev"))
		keys := []key.Binding{k.Reply, k.Canned, k.Tag, k.Escalate, k.Done, k.Snooze, step, k.Undo, m.backKey(), k.Help} // n note and the rest: ?
		if _, failed := m.conv.failedReply(); failed {
			keys = append([]key.Binding{k.Retry, k.TakeBack}, keys...)
		}
		return keys
	case screenStats:
		if m.stats != nil {
			return append(m.stats.ShortHelp(), m.backKey())
		}
	case screenHelp:
		return []key.Binding{k.Down, k.Up, m.backKey()}
	case screenLog:
		return []key.Binding{m.backKey()}
	}
	bs := []key.Binding{k.Open, k.Reply, k.QuickCanned, k.Tag, k.Escalate, k.Done, k.Snooze, k.Undo, k.Search, k.Stats, k.Help, k.Quit}
	if len(m.queue.selected) > 0 {
		bs = append([]key.Binding{k.ApplyToSelected}, bs...)
	}
	return bs
}

// backKey is how every screen but the queue is left: esc, and q, which quits only from
// the queue.
func (m *Model) backKey() key.Binding {
	k := m.c.Keys
	keys, help := append([]string(nil), k.Back.Keys()...), k.Back.Help().Key
	for _, q := range k.Quit.Keys() {
		if q != "ctrl+c" {
			keys, help = append(keys, q), q+"/"+help
			break
		}
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, "back"))
}

// helpView lists every key, grouped.
func (m *Model) helpView() string {
	st := m.c.Styles
	k := m.c.Keys
	groups := []struct {
		title string
		keys  []key.Binding
	}{
		{"Move", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.HalfDown, k.HalfUp, k.Open, k.Back, k.NextConv, k.PrevConv}},
		{"Answer", append([]key.Binding{k.Reply, k.PrivateReply, k.Canned, k.QuickCanned, k.Note, k.Send, k.Editor, k.ContextUp, k.ContextDown, k.Retry, k.TakeBack}, m.approvalKeys()...)},
		{"Triage", []key.Binding{k.Tag, k.Assign, k.Escalate, k.Done, k.Snooze, k.Spam, k.Reopen, k.Undo, k.Moderate}},
		{"Select", []key.Binding{k.Select, k.SelectQuery, k.ApplyToSelected}},
		{"Find", []key.Binding{k.Search, k.ViewKeys[0], k.Views, k.Stats, k.Log, k.Help, k.Quit}},
	}
	if len(k.Commands) > 0 {
		var cmds []key.Binding
		for _, c := range k.Commands {
			cmds = append(cmds, c.Key)
		}
		groups = append(groups, struct {
			title string
			keys  []key.Binding
		}{"Commands", cmds})
	}
	colW := 30
	if m.c.Width < 90 {
		colW = 26 // three groups side by side in an 80-column window
	}
	var cols []string
	for _, g := range groups {
		lines := []string{st.DialogHead.Render(g.title)}
		for _, b := range enabled(g.keys) {
			h := b.Help()
			lines = append(lines, st.Bold.Render(pad(h.Key, 10))+" "+pad(h.Desc, colW-12))
		}
		cols = append(cols, strings.Join(lines, "\n"))
	}
	perRow := max(m.c.Width/colW, 1)
	var rows []string
	for i := 0; i < len(cols); i += perRow {
		end := min(i+perRow, len(cols))
		rows = append(rows, sideBySide(cols[i:end], colW))
	}
	intro := st.Faint.Render("Keys can be remapped in config.toml under [keys], e.g. reply = [\"r\", \"w\"]. esc goes back.")
	return strings.Join(rows, "\n\n") + "\n\n" + intro
}

// sideBySide puts blocks of lines side by side, each padded to w.
func sideBySide(blocks []string, w int) string {
	split := make([][]string, len(blocks))
	n := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		n = max(n, len(split[i]))
	}
	var out []string
	for r := 0; r < n; r++ {
		var line strings.Builder
		for _, lines := range split {
			cell := ""
			if r < len(lines) {
				cell = lines[r]
			}
			line.WriteString(pad(cell, w))
		}
		out = append(out, strings.TrimRight(line.String(), " "))
	}
	return strings.Join(out, "\n")
}

// syncLine sums up the accounts: "sync ok" or the ones that are not.
func (m *Model) syncLine() string {
	st := m.c.Styles
	if len(m.sync) == 0 {
		return ""
	}
	var bad []string
	var last time.Time
	for _, s := range m.sync {
		if s.LastFetch.After(last) {
			last = s.LastFetch
		}
		switch s.Status {
		case "error":
			what := " error"
			if strings.Contains(s.Err, "reconnect: ") {
				// An expired token needs the person, not time: say so where it stays.
				what = ": reconnect"
			}
			bad = append(bad, st.Error.Render(Safe(s.Account)+what))
		case "backing off":
			bad = append(bad, st.DueSoon.Render(Safe(s.Account)+" retrying"))
		}
	}
	if len(bad) > 0 {
		return strings.Join(bad, " · ")
	}
	if last.IsZero() {
		return st.Faint.Render("sync starting…")
	}
	return st.Faint.Render("sync ok · " + last.In(time.Local).Format("15:04:05"))
}
