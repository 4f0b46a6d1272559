package ui

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// A dialog drawn over the body shows the same characters in the same cells as lipgloss's
// Compositor drew them, on the real screens and on lines that end early, hold wide
// characters where the dialog's edges fall, or carry styles across the dialog.
func TestPlaceMatchesTheCompositor(t *testing.T) {
	red := lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Background(lipgloss.Color("4"))
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1)
	wide := strings.Repeat("日本語", 20)
	styled := red.Render(strings.Repeat("styled text ", 10))
	bodies := map[string]string{
		"short lines":   "a\n\nabc",
		"wide":          strings.Repeat(wide+"\n", 12),
		"wide, shifted": strings.Repeat("x"+wide+"\n", 12),
		"styled":        strings.Repeat(styled+"\n", 12),
		"emoji":         strings.Repeat("👨‍👩‍👧 family "+strings.Repeat("é", 70)+"\n", 12),
	}
	dialogs := map[string]string{
		"box":                     box.Render("Tag\n> refund\n  shipping"),
		"ragged":                  "one\nthree lines\n2",
		"wide":                    box.Render(wide[:30]),
		"too wide for the window": strings.Repeat("w", 200),
	}
	for bn, body := range bodies {
		for dn, dialog := range dialogs {
			got := spliceDialog(fitLines(body, 60, 14), dialog, 60, 14)
			want := composited(body, dialog, 60, 14)
			g, w := plainLines(got), plainLines(want)
			if len(g) != len(w) {
				t.Errorf("%s under %s: %d lines, the compositor drew %d", dn, bn, len(g), len(w))
				continue
			}
			for i := range g {
				if g[i] != w[i] {
					t.Errorf("%s under %s, line %d:\n got %q\nwant %q", dn, bn, i, g[i], w[i])
				}
				if n := ansi.StringWidth(strings.Split(got, "\n")[i]); n > 60 {
					t.Errorf("%s under %s, line %d is %d cells wide, the window 60", dn, bn, i, n)
				}
			}
		}
	}
}

// composited is how a dialog was drawn before: lipgloss's Compositor, the result fitted
// to the window.
func composited(body, dialog string, w, h int) string {
	dw, dh := lipgloss.Width(dialog), lipgloss.Height(dialog)
	return fitLines(lipgloss.NewCompositor(
		lipgloss.NewLayer(fitLines(body, w, h)),
		lipgloss.NewLayer(dialog).X(max((w-dw)/2, 0)).Y(max((h-dh)/3, 0)).Z(1),
	).Render(), w, h)
}

func plainLines(s string) []string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
