// Package ui is triage's face: Bubble Tea screens over the inbox, and the human-readable
// renderings (like the stats table) that the command line shares with them.
package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/triage-inbox/triage/inbox"
)

// StatsTable renders a statistics report as a table people can read in a terminal: the
// totals first, then one row per group.
func StatsTable(st inbox.Stats, by string) string {
	head := lipgloss.NewStyle().Bold(true)
	muted := lipgloss.NewStyle().Faint(true)
	since, _ := time.Parse(time.RFC3339, st.Since)
	until, _ := time.Parse(time.RFC3339, st.Until)

	var b strings.Builder
	b.WriteString(head.Render("Response times") + muted.Render(fmt.Sprintf("  %s → %s", since.Format("2006-01-02 15:04"), until.Format("2006-01-02 15:04 MST"))) + "\n")

	headers := []string{"", "inbound", "answered", "unanswered", "closed", "median FRT", "p90 FRT", "p95 FRT", "max FRT", "in SLA", "negative", "escalated"}
	biz := st.BusinessHours || st.BusinessFRTSeconds != nil
	if biz {
		headers = append(headers, "median (business)")
	}
	// By agent, each agent's workload now: what they hold, and of it what needs action.
	work := by == "agent"
	if work {
		headers = append(headers, "assigned", "open")
	}
	row := func(key string, f inbox.Figures, w *inbox.Workload) []string {
		r := []string{key, itoa(f.Inbound), itoa(f.Answered), itoa(f.Unanswered), itoa(f.ClosedWithoutReply),
			frt(f.FirstResponseSeconds, median), frt(f.FirstResponseSeconds, p90),
			frt(f.FirstResponseSeconds, p95), frt(f.FirstResponseSeconds, maxFRT),
			pctText(f.WithinSLAPct), pctText(f.NegativePct), itoa(f.Escalated)}
		if biz {
			r = append(r, frt(f.BusinessFRTSeconds, median))
		}
		if work {
			r = append(r, workText(w, assignedOf), workText(w, openOf))
		}
		return r
	}
	t := table.New().Border(lipgloss.NormalBorder()).BorderColumn(false).BorderLeft(false).BorderRight(false).
		BorderTop(false).BorderBottom(false).Headers(headers...).
		StyleFunc(func(r, c int) lipgloss.Style {
			s := lipgloss.NewStyle().PaddingRight(2)
			if c > 0 {
				s = s.Align(lipgloss.Right)
			}
			if r == table.HeaderRow {
				return s.Bold(true)
			}
			if r == 0 {
				return s.Bold(true)
			}
			return s
		})
	t.Row(row("all", st.Figures, nil)...)
	for _, g := range st.Groups {
		t.Row(row(g.Key, g.Figures, g.Workload)...)
	}
	b.WriteString(t.Render() + "\n")
	if by != "" {
		b.WriteString(muted.Render("grouped by "+by) + "\n")
	}
	b.WriteString(muted.Render("FRT = first response time; in SLA counts answered messages and unanswered ones past their target") + "\n")
	if work {
		b.WriteString(muted.Render("assigned, open: what each agent holds now (not done or spam), and of it what is new or open") + "\n")
	}
	if st.Inbound == 0 {
		b.WriteString(muted.Render("no messages arrived in this window: "+noData+" is a figure with nothing to measure") + "\n")
	}
	return b.String()
}

func itoa(n int) string { return fmt.Sprint(n) }

// The figures of a Workload that a table shows.
func assignedOf(w inbox.Workload) int { return w.Assigned }
func openOf(w inbox.Workload) int     { return w.Open }

// workText is one figure of a workload, or noData for a group that holds nothing by
// nature (the unassigned, replies from the channel's own app) and for the totals.
func workText(w *inbox.Workload, figure func(inbox.Workload) int) string {
	if w == nil {
		return noData
	}
	return itoa(figure(*w))
}

// noData stands where a figure has nothing to measure (a median of no answers, a share of
// no messages): never 0, which would read as a measurement.
const noData = "—"

// The figures of a Summary that a table shows.
func median(s inbox.Summary) float64 { return s.Median }
func p90(s inbox.Summary) float64    { return s.P90 }
func p95(s inbox.Summary) float64    { return s.P95 }
func maxFRT(s inbox.Summary) float64 { return s.Max }

// frt is one figure of a summary of response times, or noData when none was measured.
func frt(s *inbox.Summary, figure func(inbox.Summary) float64) string {
	if s == nil {
		return noData
	}
	return secs(figure(*s))
}

// secs is a span of seconds as people read it.
func secs(v float64) string {
	return inbox.FormatDuration(time.Duration(v * float64(time.Second)))
}

// pctText is a share in percent, or noData when there was nothing to share out.
func pctText(p *float64) string {
	if p == nil {
		return noData
	}
	return fmt.Sprintf("%.1f%%", *p)
}
