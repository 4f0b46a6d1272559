package ui

import (
	"fmt"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// The stats screen's table by agent: for each agent what `triage stats --by agent` says
// (answered, median and p90 first response, share in SLA) and what they hold now
// (assigned, and of it open). A lead reads who answers how fast and who holds too much.

// agentColumns are the columns of the agent table; rank says which stay when the width
// is short (lowest first), as for the channel table.
func (s *statsScreen) agentColumns() []statsColumn {
	st := s.c.Styles
	plainStyle := func(inbox.Group) lipgloss.Style { return st.App }
	return []statsColumn{
		{head: "agent", rank: 0, left: true, cell: func(g inbox.Group) string { return ansi.Truncate(Safe(g.Key), 16, "…") },
			style: func(inbox.Group) lipgloss.Style { return st.Bold }},
		{head: "answered", rank: 1, cell: func(g inbox.Group) string { return itoa(g.Answered) }, style: plainStyle},
		{head: "median", rank: 2, cell: func(g inbox.Group) string { return frt(g.FirstResponseSeconds, median) }, style: plainStyle},
		{head: "p90", rank: 5, cell: func(g inbox.Group) string { return frt(g.FirstResponseSeconds, p90) }, style: plainStyle},
		{head: "in SLA", rank: 3, cell: func(g inbox.Group) string { return pctText(g.WithinSLAPct) },
			style: func(g inbox.Group) lipgloss.Style { return s.slaStyle(g.Figures) }},
		{head: "assigned", rank: 6, cell: func(g inbox.Group) string { return workText(g.Workload, assignedOf) }, style: plainStyle},
		{head: "open", rank: 4, cell: func(g inbox.Group) string { return workText(g.Workload, openOf) }, style: plainStyle},
	}
}

// agentBlock is the agent table as a block of the screen, after the channel table and
// before the oldest messages; cut short, it says how many agents it left out.
func (s *statsScreen) agentBlock(groups []inbox.Group, w int) statsBlock {
	if len(groups) == 0 {
		return statsBlock{} // nothing arrived and nobody holds anything: no table to show
	}
	table := s.table(s.agentColumns(), groups, w)
	cut := func(n int) []string {
		if n >= len(table) {
			return table
		}
		return append(table[:n-1:n-1], s.c.Styles.Faint.Render(fmt.Sprintf("… %d more agents", len(table)-n+1)))
	}
	return statsBlock{lines: table, rank: 3, min: 3, cutTo: cut}
}
