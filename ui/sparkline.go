package ui

// The drawing of the stats screen: sparklines, horizontal bars, and the layout of its parts.

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// sparkLevels are the eight heights of a sparkline cell, lowest first.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// sparkline draws one cell per value, scaled so that the largest value is a full block.
// Zero (and anything negative) is the lowest block and any positive value is at least the
// second, so a quiet day and an empty day look different. NaN, a day with nothing to
// measure, is a gap.
func sparkline(values []float64) string {
	top := 0.0
	for _, v := range values {
		if !math.IsNaN(v) {
			top = math.Max(top, v)
		}
	}
	var b strings.Builder
	for _, v := range values {
		if math.IsNaN(v) {
			b.WriteByte(' ')
			continue
		}
		level := 0
		if v > 0 && top > 0 {
			level = 1 + int(math.Round(v/top*float64(len(sparkLevels)-2)))
		}
		b.WriteRune(sparkLevels[min(level, len(sparkLevels)-1)])
	}
	return b.String()
}

// barEighths are the partial blocks of a horizontal bar, one to seven eighths of a cell.
var barEighths = []rune("▏▎▍▌▋▊▉")

// hbar draws a horizontal bar of v out of top, in at most width cells and to an eighth
// of a cell. A positive value shows at least a sliver, so small counts are not lost.
func hbar(v, top float64, width int) string {
	if v <= 0 || top <= 0 || width <= 0 {
		return ""
	}
	eighths := int(math.Round(math.Min(v/top, 1) * float64(width*8)))
	eighths = max(eighths, 1)
	full, part := eighths/8, eighths%8
	out := strings.Repeat("█", full)
	if part > 0 {
		out += string(barEighths[part-1])
	}
	return out
}

// minMax returns the smallest and largest of values, leaving out NaN (nothing measured);
// ok is false when no value is left.
func minMax(values []float64) (lo, hi float64, ok bool) {
	for _, v := range values {
		if math.IsNaN(v) {
			continue
		}
		if !ok || v < lo {
			lo = v
		}
		if !ok || v > hi {
			hi = v
		}
		ok = true
	}
	return lo, hi, ok
}

// histogram draws the first response times of the answered messages in five buckets,
// one bar each, scaled so the fullest bucket fills the width.
func (s *statsScreen) histogram(f inbox.Figures, w int) []string {
	st := s.c.Styles
	lines := []string{st.Header.Render("First response time") + st.Faint.Render(fmt.Sprintf("  %d answered", f.Answered))}
	if f.Answered == 0 {
		return append(lines, st.Faint.Render("No answers in this window: nothing to measure."))
	}
	top := 0
	for _, n := range f.FRTBuckets {
		top = max(top, n)
	}
	labelW, countW := 6, len(itoa(top))
	barW := max(min(w-labelW-countW-2, 48), 1)
	for i, n := range f.FRTBuckets {
		bar := st.Tag.Render(pad(hbar(float64(n), float64(top), barW), barW))
		lines = append(lines, pad(inbox.FRTBucketLabels[i], labelW)+" "+bar+" "+padLeft(itoa(n), countW))
	}
	return lines
}

// sparklines draw inbound volume and median first response time day by day, the most
// recent days that fit in w, with the smallest and largest value of each ("min 3  max
// 26", or "3–26" when the words would cost days).
func (s *statsScreen) sparklines(days []statsDay, w int) []string {
	st := s.c.Styles
	const labelW = 9 // "inbound  "
	short := false
	labels := func(days []statsDay) (inb, med []float64, inbText, medText string) {
		for _, d := range days {
			inb = append(inb, float64(d.inbound))
			med = append(med, d.median)
		}
		lo, hi, _ := minMax(inb)
		inbText = fmt.Sprintf("min %d  max %d", int(lo), int(hi))
		if short {
			inbText = fmt.Sprintf("%d–%d", int(lo), int(hi))
		}
		medText = "no answers on these days"
		if lo, hi, ok := minMax(med); ok {
			medText = "min " + secs(lo) + "  max " + secs(hi)
			if short {
				medText = secs(lo) + "–" + secs(hi)
			}
		}
		return inb, med, inbText, medText
	}
	fits := func() int {
		_, _, a, b := labels(days)
		return max(w-labelW-2-max(ansi.StringWidth(a), ansi.StringWidth(b)), 0)
	}
	n := fits()
	if n < len(days) {
		short = true
		n = fits()
	}
	if n < len(days) {
		days = days[len(days)-n:]
	}
	if len(days) < 2 {
		return nil
	}
	inb, med, inbText, medText := labels(days)
	title := st.Header.Render("Daily") + st.Faint.Render("  "+days[0].date.Format("Jan 2")+" – "+days[len(days)-1].date.Format("Jan 2"))
	return []string{
		title,
		pad("inbound", labelW) + st.Tag.Render(sparkline(inb)) + "  " + st.Faint.Render(inbText),
		pad("median", labelW) + st.DueSoon.Render(sparkline(med)) + "  " + st.Faint.Render(medText),
	}
}

// statsBlock is one part of the stats screen. Parts get lines in order of rank (lower
// first, so the most important are never crowded out) and are drawn in their own order,
// a blank line apart. A part with min > 0 may be cut to as few as min lines by cutTo;
// others are drawn whole or not at all.
type statsBlock struct {
	lines []string
	rank  int
	min   int
	cutTo func(n int) []string
}

// fitBlocks lays blocks out in at most h lines.
func fitBlocks(blocks []statsBlock, h int) []string {
	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return blocks[a].rank - blocks[b].rank })
	keep := make([]int, len(blocks))
	used := -1 // no blank line before the first block
	for _, i := range order {
		b := blocks[i]
		avail := h - used - 1
		switch n := len(b.lines); {
		case n == 0:
		case n <= avail:
			keep[i] = n
		case b.min > 0 && avail >= b.min:
			keep[i] = avail
		}
		if keep[i] > 0 {
			used += keep[i] + 1
		}
	}
	var out []string
	for i, b := range blocks {
		switch {
		case keep[i] == 0:
			continue
		case len(out) > 0:
			out = append(out, "")
		}
		if keep[i] < len(b.lines) {
			out = append(out, b.cutTo(keep[i])...)
		} else {
			out = append(out, b.lines...)
		}
	}
	return out
}

// joinColumns sets right beside left (padded to leftW), gap cells apart.
func joinColumns(left []string, leftW int, right []string, gap int) []string {
	out := make([]string, max(len(left), len(right)))
	for i := range out {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l
		if r != "" {
			out[i] = pad(l, leftW) + strings.Repeat(" ", gap) + r
		}
	}
	return out
}
