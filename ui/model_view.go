package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The root model's drawing: the frame, the body of the screen shown, a dialog placed
// over it, and the fitting of lines to the window.

// View draws the whole screen.
func (m *Model) View() tea.View {
	if m.dirty || m.frame == "" {
		m.frame, m.dirty = m.render(), false
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "triage"
	return v
}

func (m *Model) render() string {
	w, h := m.c.Width, m.c.Height
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("triage needs a window of at least %d×%d (this one is %d×%d): make the window larger.", minWidth, minHeight, w, h)
		return lipgloss.NewStyle().Width(w).Render(msg)
	}
	body := m.body()
	switch {
	case m.overlay != nil:
		body = m.place(body, m.overlay.View())
	case m.bodyFits():
		body = padLines(body, m.bodyHeight())
	default:
		body = fitLines(body, w, m.bodyHeight())
	}
	return m.header() + "\n" + body + "\n" + m.footer()
}

// bodyFits says whether the body is known to be at most bodyHeight lines of at most the
// window's width, so it need not be measured again: the queue draws each row to its width
// (and measuring every line of every frame is a good part of what a key in the queue
// costs).
func (m *Model) bodyFits() bool {
	q := m.queue
	return m.screen == screenQueue && q.width == m.c.Width && q.height == m.bodyHeight() && q.height >= 2
}

func (m *Model) body() string {
	switch m.screen {
	case screenConversation:
		if m.conv != nil {
			return m.conv.View()
		}
	case screenStats:
		if m.stats != nil {
			return m.stats.View()
		}
	case screenHelp:
		return m.scrolledHelp()
	case screenLog:
		return m.logView()
	}
	return m.queue.View()
}

// place draws a dialog over the body, centred: the dialog's lines are spliced into the
// body's lines it covers, and every other line is left as it is. (lipgloss's Compositor
// drew the whole screen cell by cell for this, a quarter of the server's work under
// fifty agents typing replies: TestPlaceMatchesTheCompositor keeps the two equal.)
func (m *Model) place(body, dialog string) string {
	w, h := m.c.Width, m.bodyHeight()
	if m.bodyFits() {
		body = padLines(body, h)
	} else {
		body = fitLines(body, w, h)
	}
	return spliceDialog(body, dialog, w, h)
}

// spliceDialog splices dialog into body (h lines of at most w cells), centred across and a
// third of the way down.
func spliceDialog(body, dialog string, w, h int) string {
	lines := strings.Split(body, "\n")
	rows := strings.Split(dialog, "\n")
	dw := 0
	widths := make([]int, len(rows))
	for i, r := range rows {
		widths[i] = ansi.StringWidth(r)
		dw = max(dw, widths[i])
	}
	x, y := max((w-dw)/2, 0), max((h-len(rows))/3, 0)
	for i, r := range rows {
		if y+i >= len(lines) {
			break
		}
		lines[y+i] = splice(lines[y+i], r, widths[i], x, dw, w)
	}
	return strings.Join(lines, "\n")
}

// splice puts row (rw cells wide) over line at column x, as a dw-wide opaque block (a
// shorter row is padded), in a window w wide. The part of line after the block keeps its
// styles: TruncateLeft keeps every escape sequence of what it cuts away.
func splice(line, row string, rw, x, dw, w int) string {
	lw := ansi.StringWidth(line)
	left := ansi.Truncate(line, x, "")
	if n := ansi.StringWidth(left); n < x {
		left += strings.Repeat(" ", x-n) // a shorter line, or a wide character cut at x
	}
	if rw < dw {
		row += strings.Repeat(" ", dw-rw)
	}
	if x+dw > w {
		row = ansi.Truncate(row, w-x, "…")
	}
	right := ""
	if lw > x+dw {
		right = ansi.TruncateLeft(line, x+dw, "")
		if n := ansi.StringWidth(right); n > lw-x-dw {
			// A wide character began under the dialog's last column: it cannot show
			// half, so a space stands for its visible half.
			right = " " + ansi.TruncateLeft(line, x+dw+n-(lw-x-dw), "")
		}
	}
	return left + ansi.ResetStyle + row + ansi.ResetStyle + right
}

// padLines makes s, at most h lines, exactly h lines.
func padLines(s string, h int) string {
	if n := strings.Count(s, "\n") + 1; n < h {
		s += strings.Repeat("\n", h-n)
	}
	return s
}

// fitLines makes s exactly h lines of at most w cells, so nothing can push the layout.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// scrolledHelp shows the help screen from helpOffset, so every key can be read in a small
// window (j/k scroll it).
func (m *Model) scrolledHelp() string {
	lines := strings.Split(m.helpView(), "\n")
	h := m.bodyHeight()
	m.helpOffset = min(m.helpOffset, max(len(lines)-h, 0))
	end := min(m.helpOffset+h, len(lines))
	return strings.Join(lines[m.helpOffset:end], "\n")
}
