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
		body = fitLines(m.place(body, m.overlay.View()), w, m.bodyHeight())
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

// place draws a dialog over the body, centred.
func (m *Model) place(body, dialog string) string {
	w, h := m.c.Width, m.bodyHeight()
	dw, dh := lipgloss.Width(dialog), lipgloss.Height(dialog)
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(fitLines(body, w, h)),
		lipgloss.NewLayer(dialog).X(max((w-dw)/2, 0)).Y(max((h-dh)/3, 0)).Z(1),
	).Render()
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
