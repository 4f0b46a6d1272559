package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// num is a figure, for comparing with the pointer fields of Figures.
func num(v float64) *float64 { return &v }

// is says whether a figure is there and is want.
func is(p *float64, want float64) bool { return p != nil && *p == want }

// show prints a figure, or "no figure".
func show(p *float64) string {
	if p == nil {
		return "no figure"
	}
	return fmt.Sprint(*p)
}

// A figure with nothing to measure is no figure (null in JSON), not 0: a share within SLA
// of 0% would say every message missed, a median of 0s that every one was answered at once.
func TestStatsWithNothingToMeasure(t *testing.T) {
	s := statsFixture(t, "[sla.channels]\nx = \"30m\"\n")
	ctx := context.Background()
	cases := []struct {
		name   string
		req    StatsRequest
		inb    int
		frt    bool // first response times measured
		sla    *float64
		neg    *float64
		groups string // the groups in JSON
	}{
		// Nothing arrived: no figure at all, and with --by an empty list of groups.
		{"empty window", StatsRequest{Since: at("2026-11-01T00:00:00Z"), Until: at("2026-11-02T00:00:00Z"), By: "channel"},
			0, false, nil, nil, `[]`},
		// Only e1 (instagram, 17:30, due 18:30, negative no): arrived, unanswered, not yet due
		// at 18:00, so nothing counts toward SLA; 0 of 1 negative is a figure, 0%.
		{"one message not yet due", StatsRequest{Since: at("2026-11-20T17:15:00Z"), Until: at("2026-11-20T18:00:00Z")},
			1, false, nil, num(0), ``},
	}
	for _, c := range cases {
		st, err := s.Stats(ctx, c.req)
		if err != nil {
			t.Fatal(err)
		}
		f := st.Figures
		if f.Inbound != c.inb || (f.FirstResponseSeconds != nil) != c.frt || show(f.WithinSLAPct) != show(c.sla) || show(f.NegativePct) != show(c.neg) {
			t.Errorf("%s: inbound %d, FRT %v, in SLA %s, negative %s; want %d, measured %v, %s, %s", c.name, f.Inbound,
				f.FirstResponseSeconds, show(f.WithinSLAPct), show(f.NegativePct), c.inb, c.frt, show(c.sla), show(c.neg))
		}
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, want := range []string{`"first_response_seconds":null`, `"business_first_response_seconds":null`} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: JSON lacks %s: %s", c.name, want, text)
			}
		}
		if c.sla == nil && !strings.Contains(text, `"within_sla_pct":null`) {
			t.Errorf("%s: JSON lacks within_sla_pct null: %s", c.name, text)
		}
		if c.neg == nil && !strings.Contains(text, `"negative_pct":null`) {
			t.Errorf("%s: JSON lacks negative_pct null: %s", c.name, text)
		}
		switch {
		case c.groups == "" && strings.Contains(text, `"groups"`):
			t.Errorf("%s: groups without --by: %s", c.name, text)
		case c.groups != "" && !strings.Contains(text, `"groups":`+c.groups):
			t.Errorf("%s: JSON lacks \"groups\":%s: %s", c.name, c.groups, text)
		}
	}
}
