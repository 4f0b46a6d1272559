package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// By agent, each agent's figures come with what they hold now; an approved reply counts
// for its author, from approval.
func TestStatsByAgentWithWorkload(t *testing.T) {
	s, clock, c1 := approvalFixture(t, "[team]\napproval = [\"newbie\"]\n")
	ctx := context.Background()
	mustIngest(t, s,
		inMsg("2", "post:2", "Is it vegan?", "2026-11-20T10:05:00Z"),
		inMsg("3", "post:3", "Hello from yesterday", "2026-11-19T09:00:00Z"))
	c2, c3 := convOf(t, s, "post:2"), convOf(t, s, "post:3")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Assign(ctx, "newbie", c1))
	must(s.Assign(ctx, "maria", c2))
	must(s.Assign(ctx, "dev", c3))
	// 10:10 newbie answers Ana (10:00), awaiting approval; 10:15 maria answers c2 (10:05).
	_, err := s.AsAgent("newbie", RoleAgent).Reply(ctx, c1, "It ships today!")
	must(err)
	clock.t = at("2026-11-20T10:15:00Z")
	_, err = s.Reply(ctx, c2, "Yes, all of it.")
	must(err)
	// 10:40 a lead approves: newbie's FRT is 40m, maria's 10m.
	clock.t = at("2026-11-20T10:40:00Z")
	_, err = s.AsAgent("lead", RoleLead).Approve(ctx, replyOf(t, s, c1).ID)
	must(err)

	st, err := s.Stats(ctx, StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-21T00:00:00Z"), By: "agent"})
	must(err)
	var got []string
	for _, g := range st.Groups {
		row := fmt.Sprintf("%s:%d", g.Key, g.Answered)
		if g.FirstResponseSeconds != nil {
			row += fmt.Sprintf("/%gs", g.FirstResponseSeconds.Median)
		}
		if g.Workload != nil {
			row += fmt.Sprintf("/%d assigned/%d open", g.Assigned, g.Open)
		}
		got = append(got, row)
	}
	// c1 and c2 are waiting (answered): assigned, not open. dev holds c3, which arrived
	// before the window and is still new: a group with nothing measured.
	want := "maria:1/600s/1 assigned/0 open newbie:1/2400s/1 assigned/0 open dev:0/1 assigned/1 open"
	if strings.Join(got, " ") != want {
		t.Fatalf("by agent\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	b, _ := json.Marshal(st.Groups[0])
	if !strings.Contains(string(b), `"assigned":1,"open":0`) {
		t.Errorf("JSON of a group by agent: %s", b)
	}
	// assignee:me is the connected agent's.
	if n, err := s.AsAgent("dev", RoleAgent).Count(ctx, View{Name: "All"}, "assignee:me", false); err != nil || n != 1 {
		t.Errorf("dev's assignee:me: %d, %v; want c3", n, err)
	}
	byChannel, err := s.Stats(ctx, StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-21T00:00:00Z"), By: "channel"})
	must(err)
	if b, _ := json.Marshal(byChannel.Groups[0]); strings.Contains(string(b), "assigned") {
		t.Errorf("a channel has a workload: %s", b)
	}
}
