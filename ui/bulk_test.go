package ui

import (
	"strings"
	"testing"
)

// `;` then any action key applies it to every selected conversation, says how many it
// changed, and clears the selection.
func TestEveryActionAppliesToTheSelection(t *testing.T) {
	for _, tt := range []struct {
		name string
		keys []string
		typ  string
		more []string
		want string
	}{
		{"tag", []string{"t"}, "followup", []string{"enter"}, "tagged followup on 2 conversations"},
		{"snooze", []string{"s"}, "", []string{"enter"}, "on 2 conversations"},
		{"assign", []string{"a"}, "sam", []string{"enter"}, "on 2 conversations"},
		{"escalate", []string{"e"}, "", []string{"b", "ctrl+s"}, "escalated: billing on 2 conversations"},
		{"spam", []string{"!"}, "", nil, "marked spam on 2 conversations"},
		{"done", []string{"d"}, "", nil, "done on 2 conversations"},
		{"canned", []string{"c"}, "checking-in", []string{"enter"}, "replied with “checking-in” to 2 of 2 conversations"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t, demoCommon(t), 120, 35)
			a.keys("space", "space", ";")
			a.keys(tt.keys...)
			if tt.typ != "" {
				a.typ(tt.typ)
			}
			a.keys(tt.more...)
			if !strings.Contains(a.m.status, tt.want) || a.m.statusErr != nil {
				t.Errorf("status %q (%v), want %q", a.m.status, a.m.statusErr, tt.want)
			}
			if len(a.m.queue.selected) != 0 || strings.Contains(a.screen(), "selected") {
				t.Errorf("the selection was kept:\n%s", a.screen())
			}
		})
	}
}
