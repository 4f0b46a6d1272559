package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Statistics with nothing to measure say so. goodLines at testNow (18:00): instagram
// 178956 at 10:00 answered at 10:30; x 5001 at 11:00 and 5002 at 11:30, unanswered.
func TestStatsWithNothingToMeasure(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string // the JSON, exactly
	}{
		// Nothing arrived on the 19th: no figure, and "groups": [] with --by.
		{"empty window", []string{"--since", "2026-11-19", "--until", "2026-11-20", "--by", "channel"},
			`{"since":"2026-11-19T00:00:00Z","until":"2026-11-20T00:00:00Z","inbound":0,"answered":0,"unanswered":0,"closed_without_reply":0,` +
				`"first_response_seconds":null,"business_first_response_seconds":null,"within_sla_pct":null,"negative_pct":null,"escalated":0,` +
				`"frt_buckets":[0,0,0,0,0],"groups":[]}`},
		// 5002 alone: unanswered and, at 18:00, 5h30m past its 1h target, so 0 of 1 within
		// SLA is a figure (0%), as is 0 of 1 negative; nothing answered, so no FRT.
		{"only unanswered", []string{"--since", "2026-11-20T11:15:00Z", "--until", "2026-11-20T11:45:00Z"},
			`{"since":"2026-11-20T11:15:00Z","until":"2026-11-20T11:45:00Z","inbound":1,"answered":0,"unanswered":1,"closed_without_reply":0,` +
				`"first_response_seconds":null,"business_first_response_seconds":null,"within_sla_pct":0,"negative_pct":0,"escalated":0,` +
				`"frt_buckets":[0,0,0,0,0]}`},
	}
	for _, c := range cases {
		out, _, err := triage(t, db, "", append([]string{"stats", "--json"}, c.args...)...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.TrimSpace(out); got != c.want {
			t.Errorf("%s: stats --json\n got %s\nwant %s", c.name, got, c.want)
		}
		var any map[string]any
		if err := json.Unmarshal([]byte(out), &any); err != nil {
			t.Errorf("%s: not JSON: %v", c.name, err)
		}
	}

	// The table says "—" where there is no figure, never 0.0% or 0s.
	table, _, err := triage(t, db, "", "stats", "--since", "2026-11-19", "--until", "2026-11-20", "--by", "channel")
	if err != nil {
		t.Fatal(err)
	}
	all := rowStartingWith(table, "all")
	if f := strings.Fields(all); len(f) != 12 || strings.Join(f[5:11], " ") != "— — — — — —" {
		t.Errorf("row of an empty window = %q, want — for every FRT figure, in SLA and negative\n%s", all, table)
	}
	if strings.Contains(table, "0.0%") || !strings.Contains(table, "no messages arrived in this window") {
		t.Errorf("table of an empty window:\n%s", table)
	}
	table, _, _ = triage(t, db, "", "stats", "--since", "2026-11-20T11:15:00Z", "--until", "2026-11-20T11:45:00Z")
	if f := strings.Fields(rowStartingWith(table, "all")); len(f) != 12 || strings.Join(f[5:11], " ") != "— — — — 0.0% 0.0%" {
		t.Errorf("row of one unanswered, overdue message = %v\n%s", f, table)
	}
}

// rowStartingWith is the first line of text whose first word is word.
func rowStartingWith(text, word string) string {
	for _, l := range strings.Split(text, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == word {
			return l
		}
	}
	return ""
}
