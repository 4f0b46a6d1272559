package ui

import (
	"image/color"
	"math"
	"testing"

	"charm.land/lipgloss/v2"
)

// A channel's badge never looks like "overdue" (red, bold, on no background), in either
// theme: a YouTube row would otherwise read as late at a glance.
func TestNoChannelBadgeLooksOverdue(t *testing.T) {
	for _, dark := range []bool{false, true} {
		st := NewStyles(dark)
		for ch, s := range st.channels {
			if alike(s.GetForeground(), st.Overdue.GetForeground()) && alike(s.GetBackground(), st.Overdue.GetBackground()) {
				t.Errorf("dark=%v: the %s badge looks like overdue", dark, ch)
			}
		}
	}
}

// alike says whether two colours are too near for an eye to tell apart in a badge: no
// colour both, or within 60 of 255 in RGB.
func alike(a, b color.Color) bool {
	none := func(c color.Color) bool {
		_, no := c.(lipgloss.NoColor)
		return c == nil || no
	}
	if none(a) || none(b) {
		return none(a) == none(b)
	}
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) float64 { return (float64(x) - float64(y)) / 257 }
	return math.Sqrt(d(ar, br)*d(ar, br)+d(ag, bg)*d(ag, bg)+d(ab, bb)*d(ab, bb)) < 60
}
