package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// squash is a line with its runs of spaces made one, to compare a table row by its cells.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// The stats screen's agent table says what `triage stats --by agent` says for the same
// window, agent by agent, with each one's workload.
func TestStatsScreenAgentTableIsStatsByAgent(t *testing.T) {
	c := demoCommon(t)
	a := newApp(t, c, 120, 45)
	a.keys("S")
	st, err := c.Inbox.Stats(c.Ctx, inbox.StatsRequest{Since: testNow.Add(-7 * 24 * time.Hour), Until: testNow, By: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	screen := a.screen()
	lines := map[string]bool{}
	for _, l := range strings.Split(screen, "\n") {
		lines[squash(l)] = true
	}
	if !lines["agent answered median p90 in SLA assigned open"] {
		t.Fatalf("no agent table:\n%s", screen)
	}
	cli := StatsTable(st, "agent")
	withWork := 0
	for _, g := range st.Groups {
		want := squash(strings.Join([]string{g.Key, itoa(g.Answered), frt(g.FirstResponseSeconds, median), frt(g.FirstResponseSeconds, p90),
			pctText(g.WithinSLAPct), workText(g.Workload, assignedOf), workText(g.Workload, openOf)}, " "))
		if !lines[want] {
			t.Errorf("the screen lacks the row %q:\n%s", want, screen)
		}
		if g.Workload != nil {
			withWork++
			// The command's table ends the same agent's row with the same workload.
			tail := " " + itoa(g.Assigned) + " " + itoa(g.Open)
			found := false
			for _, l := range strings.Split(cli, "\n") {
				if l := squash(l); strings.HasPrefix(l, g.Key+" ") && strings.HasSuffix(l, tail) {
					found = true
				}
			}
			if !found {
				t.Errorf("stats --by agent lacks %s ending%q:\n%s", g.Key, tail, cli)
			}
		}
	}
	if withWork == 0 {
		t.Fatal("no agent holds anything in the demo: the test would prove nothing")
	}
}
