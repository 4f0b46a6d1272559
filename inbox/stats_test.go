package inbox

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// statsFixture is a day of hand-checked traffic (see TestStatsHandComputed).
func statsFixture(t *testing.T, cfg string) *Service {
	s, clock := newTestInbox(t, cfg, at("2026-11-20T18:00:00Z"))
	ctx := context.Background()
	x := func(m Message) Message { m.Channel = "x"; return m }
	email := func(m Message) Message { m.Channel, m.Kind = "email", KindEmail; return m }
	mustIngest(t, s,
		inMsg("a1", "A", "Where is my order?", "2026-11-20T10:00:00Z"),
		inMsg("a2", "A", "Any news on it?", "2026-11-20T10:20:00Z"),
		outMsg("a3", "A", "maria", "2026-11-20T10:40:00Z"),
		inMsg("b1", "B", "Can I change the size?", "2026-11-20T11:00:00Z"),
		outMsg("b2", "B", "dev", "2026-11-20T13:30:00Z"),
		x(inMsg("c1", "C", "Do you ship to Canada?", "2026-11-20T12:00:00Z")),
		x(outMsg("c2", "C", "maria", "2026-11-20T12:10:00Z")),
		inMsg("d1", "D", "This is terrible, worst service ever 😡", "2026-11-20T16:00:00Z"),
		inMsg("e1", "E", "What are your opening hours?", "2026-11-20T17:30:00Z"),
		email(inMsg("f1", "F", "Order 5512 question", "2026-11-20T09:00:00Z")),
		inMsg("old", "G", "Message from before the window", "2026-11-19T09:00:00Z"),
	)
	clock.t = at("2026-11-20T09:30:00Z")
	if err := s.Done(ctx, convOf(t, s, "F")); err != nil {
		t.Fatal(err)
	}
	clock.t = at("2026-11-20T14:00:00Z")
	if err := s.Escalate(ctx, EscalateRequest{Reason: "billing", Priority: PriorityHigh.To()}, convOf(t, s, "B")); err != nil {
		t.Fatal(err)
	}
	clock.t = at("2026-11-20T18:00:00Z")
	return s
}

// TestStatsHandComputed checks every figure against arithmetic done by hand.
//
// Inbound in the window: a1 a2 b1 c1 d1 e1 f1 = 7.
// Answered: a1 (40m = 2400s), a2 (20m = 1200s), b1 (2h30m = 9000s), c1 (10m = 600s) = 4.
// Closed without reply: f1. Unanswered: d1, e1.
// FRT sorted 600 1200 2400 9000: mean 13200/4 = 3300; median (1200+2400)/2 = 1800;
// p90 rank 0.9*3 = 2.7 -> 2400 + 0.7*6600 = 7020; p95 rank 2.85 -> 2400 + 0.85*6600 = 8010.
// SLA (default 1h, x 30m): a1 a2 c1 met, b1 missed, d1 unanswered past 17:00 missed, e1 due
// 18:30 not yet counted: 3 of 5 = 60%. Negative: d1, 1 of 7 = 14.29%. Escalated: B = 1.
func TestStatsHandComputed(t *testing.T) {
	s := statsFixture(t, "[sla.channels]\nx = \"30m\"\n")
	st, err := s.Stats(context.Background(), StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-20T18:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	f := st.Figures
	want := Figures{Inbound: 7, Answered: 4, Unanswered: 2, ClosedWithoutReply: 1,
		FirstResponseSeconds: &Summary{Mean: 3300, Median: 1800, P90: 7020, P95: 8010, Max: 9000},
		WithinSLAPct:         num(60), NegativePct: num(14.29), Escalated: 1, FRTBuckets: [5]int{1, 2, 1, 0, 0}}
	if f.Inbound != want.Inbound || f.Answered != want.Answered || f.Unanswered != want.Unanswered ||
		f.ClosedWithoutReply != want.ClosedWithoutReply || f.FirstResponseSeconds == nil || *f.FirstResponseSeconds != *want.FirstResponseSeconds ||
		!is(f.WithinSLAPct, 60) || !is(f.NegativePct, 14.29) || f.Escalated != want.Escalated ||
		f.FRTBuckets != want.FRTBuckets {
		t.Errorf("figures\n got %+v\nwant %+v", f, want)
	}

	// Grouped by channel: instagram a1 a2 b1 d1 e1; x c1; email f1.
	st, err = s.Stats(context.Background(), StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-20T18:00:00Z"), By: "channel"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Figures{}
	for _, g := range st.Groups {
		got[g.Key] = g.Figures
	}
	ig := got["instagram"]
	// instagram FRT 1200 2400 9000: median 2400; SLA met a1 a2 of a1 a2 b1 d1 = 50%.
	if ig.Inbound != 5 || ig.Answered != 3 || ig.FirstResponseSeconds.Median != 2400 || !is(ig.WithinSLAPct, 50) || ig.Escalated != 1 {
		t.Errorf("instagram = %+v", ig)
	}
	if got["x"].Inbound != 1 || !is(got["x"].WithinSLAPct, 100) || got["email"].ClosedWithoutReply != 1 {
		t.Errorf("x = %+v, email = %+v", got["x"], got["email"])
	}
	if st.Groups[0].Key != "instagram" {
		t.Errorf("groups not ordered by volume: %v", st.Groups[0].Key)
	}

	// A query narrows the inbound messages: only x.
	st, err = s.Stats(context.Background(), StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-20T18:00:00Z"), Query: "chan:x"})
	if err != nil || st.Inbound != 1 || st.FirstResponseSeconds.Max != 600 {
		t.Errorf("chan:x stats = %+v, %v", st.Figures, err)
	}

	// Changing targets changes past figures: with a 3h default, b1 and d1 are met/not due.
	s2 := statsFixture(t, "[sla]\ndefault = \"3h\"\n")
	st, _ = s2.Stats(context.Background(), StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-20T18:00:00Z")})
	if !is(st.WithinSLAPct, 100) {
		t.Errorf("with a 3h target within_sla_pct = %v, want 100 (4 of 4 answered met, d1 and e1 not yet due)", show(st.WithinSLAPct))
	}
}

func TestStatsJSONShape(t *testing.T) {
	s := statsFixture(t, "")
	st, err := s.Stats(context.Background(), StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-20T18:00:00Z"), By: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(st)
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"since", "until", "inbound", "answered", "unanswered", "closed_without_reply", "first_response_seconds", "within_sla_pct", "negative_pct", "escalated", "groups"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	frt := m["first_response_seconds"].(map[string]any)
	for _, k := range []string{"mean", "median", "p90", "p95", "max"} {
		if _, ok := frt[k]; !ok {
			t.Errorf("first_response_seconds lacks %q", k)
		}
	}
	g := m["groups"].([]any)[0].(map[string]any)
	if _, ok := g["key"]; !ok || g["inbound"] == nil {
		t.Errorf("group lacks key/inbound: %v", g)
	}
	if m["since"] != "2026-11-20T00:00:00Z" {
		t.Errorf("since = %v", m["since"])
	}
	// by agent: maria answered a1 a2 c1, dev b1.
	agents := map[string]float64{}
	for _, gi := range m["groups"].([]any) {
		g := gi.(map[string]any)
		agents[g["key"].(string)] = g["answered"].(float64)
	}
	if agents["maria"] != 3 || agents["dev"] != 1 {
		t.Errorf("answered by agent = %v", agents)
	}
}

const businessHoursConfig = `
[business_hours]
timezone = "UTC"
holidays = ["2026-11-24"]
[business_hours.days]
mon = "09:00-17:00"
tue = "09:00-17:00"
wed = "09:00-17:00"
thu = "09:00-17:00"
fri = "09:00-17:00"
`

// TestBusinessFRT: Fri 2026-11-20 16:30 -> Mon 09:30 is 65h on the clock and 1h of
// business time (16:30-17:00 + 09:00-09:30). Sat 10:00 -> Sat 11:00 is 0 (all off hours).
// Mon 16:00 -> Wed 10:00 crosses the Tuesday holiday: 1h + 1h = 2h.
func TestBusinessFRT(t *testing.T) {
	for _, slaBiz := range []bool{false, true} {
		cfg := businessHoursConfig
		if slaBiz {
			cfg = "[sla]\nbusiness_hours = true\n" + cfg
		}
		s, _ := newTestInbox(t, cfg, at("2026-11-26T12:00:00Z"))
		mustIngest(t, s,
			inMsg("1", "A", "Question", "2026-11-20T16:30:00Z"), outMsg("2", "A", "maria", "2026-11-23T09:30:00Z"),
			inMsg("3", "B", "Question", "2026-11-21T10:00:00Z"), outMsg("4", "B", "maria", "2026-11-21T11:00:00Z"),
			inMsg("5", "C", "Question", "2026-11-23T16:00:00Z"), outMsg("6", "C", "maria", "2026-11-25T10:00:00Z"),
		)
		st, err := s.Stats(context.Background(), StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-26T00:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if st.BusinessFRTSeconds == nil {
			t.Fatal("no business FRT with business hours configured")
		}
		// business: 3600, 0, 7200 -> sorted 0 3600 7200, median 3600, mean 3600, max 7200.
		if b := *st.BusinessFRTSeconds; b.Median != 3600 || b.Mean != 3600 || b.Max != 7200 {
			t.Errorf("business FRT = %+v", b)
		}
		// wall clock: 65h, 1h, 42h -> median 42h.
		if st.FirstResponseSeconds.Median != 42*3600 {
			t.Errorf("wall FRT median = %v", st.FirstResponseSeconds.Median)
		}
		// SLA 1h: by wall clock only B (1h) is met = 33.33%; in business time A (1h) and B (0) are = 66.67%.
		want := 33.33
		if slaBiz {
			want = 66.67
		}
		if !is(st.WithinSLAPct, want) {
			t.Errorf("business SLA %v: within_sla_pct = %v, want %v", slaBiz, show(st.WithinSLAPct), want)
		}
	}
}

func TestExplain(t *testing.T) {
	s, _ := newTestInbox(t, businessHoursConfig, at("2026-11-26T12:00:00Z"))
	mustIngest(t, s, inMsg("1", "A", "Question", "2026-11-20T16:30:00Z"), outMsg("2", "A", "maria", "2026-11-23T09:30:00Z"),
		inMsg("3", "B", "Question", "2026-11-26T11:20:00Z"))
	ctx := context.Background()
	th, _ := s.Thread(ctx, convOf(t, s, "A"), 5)
	got, err := s.Explain(ctx, th.Messages[0].ID)
	want := "answered 2d 17h later by maria's reply at Mon 09:30; 1h in business hours: Fri 17:00 to Mon 09:00 skipped; target 1h, missed by 2d 16h"
	if err != nil || got != want {
		t.Errorf("Explain =\n %q\nwant\n %q", got, want)
	}
	th, _ = s.Thread(ctx, convOf(t, s, "B"), 5)
	got, _ = s.Explain(ctx, th.Messages[0].ID)
	if got != "unanswered for 40m; target 1h, due in 20m" {
		t.Errorf("Explain unanswered = %q", got)
	}
	// A message stored dated ahead of the clock (by a triage from before such messages
	// count from when they arrive, see TestMessageDatedAheadOfTheClockCountsFromArrival)
	// has waited no time yet: no negative wait.
	if got = s.explain(at("2026-11-26T12:02:46Z"), time.Time{}, "", time.Time{}, "instagram", PriorityNormal); got != "unanswered, dated 2m 46s ahead of this clock; target 1h, due in 1h 2m" {
		t.Errorf("Explain of a message from the future = %q", got)
	}
	if _, err := s.Explain(ctx, 999999); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Explain of a missing message = %v", err)
	}
	_ = time.Second
}

// Whose reply answered reads as a sentence for every agent name.
func TestReplyByReads(t *testing.T) {
	for agent, want := range map[string]string{"maria": "maria's reply", "me": "my reply", "(native app)": "a reply from the native app", "": "a reply"} {
		if got := replyBy(agent); got != want {
			t.Errorf("replyBy(%q) = %q, want %q", agent, got, want)
		}
	}
}
