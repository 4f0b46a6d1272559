package inbox

import (
	"context"
	"sort"
	"strings"
)

// Workload is what an agent holds now, beside their figures when statistics are grouped
// by agent: conversations assigned to them and not closed, and of those the ones that
// need action (new or open). It is the present, not the window: who holds what today.
type Workload struct {
	Assigned int `json:"assigned"`
	Open     int `json:"open"`
}

// notAPerson is a by-agent group that stands for no one: (unassigned), (unknown), and
// what adapters name replies sent from a channel's own app, such as (native app). Names
// in parentheses are how triage writes these; an agent's name never is one.
func notAPerson(key string) bool { return strings.HasPrefix(key, "(") && strings.HasSuffix(key, ")") }

// addWorkloads gives every group of a by-agent report its agent's workload, and adds a
// group (with nothing measured) for an agent who holds conversations but neither answered
// nor was assigned anything that arrived in the window: a lead looks for them too.
func (s *Service) addWorkloads(ctx context.Context, st *Stats) error {
	loads, err := s.db.Workloads(ctx)
	if err != nil {
		return err
	}
	byKey := map[string]Workload{}
	for _, l := range loads {
		byKey[l.Assignee] = Workload{Assigned: l.Assigned, Open: l.Open}
	}
	seen := map[string]bool{}
	for i := range st.Groups {
		g := &st.Groups[i]
		seen[g.Key] = true
		if notAPerson(g.Key) {
			continue // nobody to hold anything: no workload, not a workload of 0
		}
		w := byKey[g.Key]
		g.Workload = &w
	}
	var extra []Group
	for k, w := range byKey {
		if !seen[k] {
			extra = append(extra, Group{Key: k, Figures: (&accum{}).finish(st.BusinessHours), Workload: &w})
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Key < extra[j].Key })
	st.Groups = append(st.Groups, extra...)
	return nil
}

// unassignedKey is the by-agent group of messages nobody answered in conversations nobody
// holds.
const unassignedKey = "(unassigned)"
