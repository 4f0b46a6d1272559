package inbox

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"github.com/triage-inbox/triage/store"
)

// StatsRequest chooses the inbound messages that statistics cover.
type StatsRequest struct {
	Since, Until time.Time // the window selects inbound messages by their time: [Since, Until)
	Query        string    // the query language, "" for all
	By           string    // "", channel, day, tag, agent or kind
}

// GroupKeys are the values StatsRequest.By accepts.
var GroupKeys = []string{"channel", "day", "tag", "agent", "kind"}

// Figures are the response-time figures of a set of inbound messages. Durations are seconds.
//
// A figure with nothing to measure is nil, null in JSON, never a zero that reads like a
// measurement: the first response times when nothing was answered, the share within SLA
// when no message counted toward it yet, the share of negative messages when none arrived.
type Figures struct {
	Inbound              int      `json:"inbound"`
	Answered             int      `json:"answered"`
	Unanswered           int      `json:"unanswered"`
	ClosedWithoutReply   int      `json:"closed_without_reply"`
	FirstResponseSeconds *Summary `json:"first_response_seconds"`
	// BusinessFRTSeconds is the first response time in business hours: nil without
	// business hours in config, or when nothing was answered.
	BusinessFRTSeconds *Summary `json:"business_first_response_seconds"`
	WithinSLAPct       *float64 `json:"within_sla_pct"`
	NegativePct        *float64 `json:"negative_pct"`
	Escalated          int      `json:"escalated"`
	// FRTBuckets counts answered messages by first response time: <15m, 15m–1h, 1–4h, 4–24h, >24h.
	FRTBuckets [5]int `json:"frt_buckets"`
}

// FRTBucketLabels name FRTBuckets in order.
var FRTBucketLabels = [5]string{"<15m", "15m–1h", "1–4h", "4–24h", ">24h"}

// Group is the figures of one value of the grouping key.
type Group struct {
	Key string `json:"key"`
	Figures
	// Workload is the agent's workload now (by agent only; see stats_agents.go).
	*Workload
}

// Stats is a statistics report, in the shape `triage stats --json` prints.
type Stats struct {
	Since string `json:"since"`
	Until string `json:"until"`
	Figures
	// Groups is nil without StatsRequest.By, and then left out of JSON; with it, it is
	// never nil, so a report with no message in any group says "groups": [].
	Groups []Group `json:"groups,omitzero"`
	// BusinessHours says whether business-time figures are measured (config has business
	// hours), so a table can keep their column when none could be.
	BusinessHours bool `json:"-"`
}

// accum collects one group's figures as rows stream by.
type accum struct {
	f        Figures
	frt, biz []float64
	slaMet   int
	slaCount int
	negative int
}

// add counts b into a.
func (a *accum) add(b *accum) {
	a.f.Inbound += b.f.Inbound
	a.f.Answered += b.f.Answered
	a.f.ClosedWithoutReply += b.f.ClosedWithoutReply
	a.f.Escalated += b.f.Escalated
	for i := range a.f.FRTBuckets {
		a.f.FRTBuckets[i] += b.f.FRTBuckets[i]
	}
	a.frt = append(a.frt, b.frt...)
	a.biz = append(a.biz, b.biz...)
	a.slaMet += b.slaMet
	a.slaCount += b.slaCount
	a.negative += b.negative
}

// tally is the figures of one slice of a period, in total and by group.
type tally struct {
	total  *accum
	groups map[string]*accum
}

func (t *tally) group(k string) *accum {
	g := t.groups[k]
	if g == nil {
		g = &accum{}
		t.groups[k] = g
	}
	return g
}

func (a *accum) finish(withBiz bool) Figures {
	f := a.f
	f.Unanswered = f.Inbound - f.Answered - f.ClosedWithoutReply
	if len(a.frt) > 0 {
		s := roundSummary(Summarize(a.frt))
		f.FirstResponseSeconds = &s
	}
	if withBiz && len(a.biz) > 0 {
		b := roundSummary(Summarize(a.biz))
		f.BusinessFRTSeconds = &b
	}
	f.WithinSLAPct = pct(a.slaMet, a.slaCount)
	f.NegativePct = pct(a.negative, f.Inbound)
	return f
}

// roundSummary keeps the millisecond precision times are stored with, and drops the
// floating-point dust of interpolation (7020.000000000001 reads as 7020).
func roundSummary(s Summary) Summary {
	r := func(v float64) float64 { return math.Round(v*1000) / 1000 }
	return Summary{Mean: r(s.Mean), Median: r(s.Median), P90: r(s.P90), P95: r(s.P95), Max: r(s.Max)}
}

// pct is n of d in percent to two decimals, or nil when d is zero: a share of nothing
// is no figure, not 0%.
func pct(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := math.Round(float64(n)/float64(d)*10000) / 100
	return &v
}

func bucketOf(frt time.Duration) int {
	switch {
	case frt < 15*time.Minute:
		return 0
	case frt < time.Hour:
		return 1
	case frt < 4*time.Hour:
		return 2
	case frt < 24*time.Hour:
		return 3
	}
	return 4
}

// Stats computes response-time statistics from the stored times of messages and replies,
// under the current SLA targets and business hours: nothing is frozen at write time.
func (s *Service) Stats(ctx context.Context, req StatsRequest) (Stats, error) {
	if req.By != "" && !contains(GroupKeys, req.By) {
		return Stats{}, fmt.Errorf("cannot group by %q (want one of channel, day, tag, agent, kind)", req.By)
	}
	q, err := ParseQuery(req.Query)
	if err != nil {
		return Stats{}, err
	}
	now := s.now()
	w := store.Window{SinceMS: ms(req.Since), UntilMS: ms(req.Until), Filter: q.Cond, Env: s.env(), WithTags: req.By == "tag",
		WithAgent: req.By == "agent", WithKind: req.By == "kind"}
	withBiz := s.hours != nil
	// Reading the rows is most of the work: each core reads a slice of the period into a
	// tally of its own, and the tallies are added up after.
	tallies := make([]tally, runtime.GOMAXPROCS(0))
	for i := range tallies {
		tallies[i] = tally{total: &accum{}, groups: map[string]*accum{}}
	}
	err = s.db.StatRowsSplit(ctx, w, len(tallies), func(part int, r store.StatRow) error {
		t := &tallies[part]
		arrived := fromMS(r.CreatedAt)
		rec := func(a *accum) {
			a.f.Inbound++
			if r.Sentiment <= NegativeThreshold {
				a.negative++
			}
			target := s.sla.target(r.Channel, Priority(r.Priority))
			switch {
			case r.AnsweredAt != 0:
				answered := fromMS(r.AnsweredAt)
				frt := answered.Sub(arrived)
				a.f.Answered++
				a.frt = append(a.frt, frt.Seconds())
				a.f.FRTBuckets[bucketOf(frt)]++
				biz := s.hours.Between(arrived, answered)
				if withBiz {
					a.biz = append(a.biz, biz.Seconds())
				}
				measured := frt
				if s.cfg.SLA.UseBusinessHours {
					measured = biz
				}
				a.slaCount++
				if measured <= target {
					a.slaMet++
				}
			case r.ClosedAt != 0:
				a.f.ClosedWithoutReply++
			default:
				if !s.dueAt(r.Channel, Priority(r.Priority), arrived).After(now) {
					a.slaCount++ // unanswered past its target: a miss
				}
			}
		}
		rec(t.total)
		for _, k := range s.groupKeys(req.By, r.Channel, r.Kind, r.Agent, r.Tags, arrived) {
			rec(t.group(k))
		}
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	total, groups := tallies[0].total, tallies[0].groups
	for _, t := range tallies[1:] {
		total.add(t.total)
		for k, g := range t.groups {
			if mine := groups[k]; mine != nil {
				mine.add(g)
			} else {
				groups[k] = g
			}
		}
	}
	err = s.db.EscalationRows(ctx, w, func(r store.EscalationRow) error {
		total.f.Escalated++
		for _, k := range s.groupKeys(req.By, r.Channel, r.Kind, r.Agent, r.Tags, fromMS(r.CreatedAt)) {
			g := groups[k]
			if g == nil {
				g = &accum{}
				groups[k] = g
			}
			g.f.Escalated++
		}
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	out := Stats{Since: req.Since.UTC().Format(time.RFC3339), Until: req.Until.UTC().Format(time.RFC3339), Figures: total.finish(withBiz),
		BusinessHours: withBiz}
	if req.By != "" {
		out.Groups = []Group{}
		for k, g := range groups {
			out.Groups = append(out.Groups, Group{Key: k, Figures: g.finish(withBiz)})
		}
		sort.Slice(out.Groups, func(i, j int) bool {
			a, b := out.Groups[i], out.Groups[j]
			if req.By != "day" && a.Inbound != b.Inbound {
				return a.Inbound > b.Inbound
			}
			return a.Key < b.Key
		})
		if req.By == "agent" {
			if err := s.addWorkloads(ctx, &out); err != nil {
				return Stats{}, err
			}
		}
	}
	return out, nil
}

// groupKeys are the groups a message counts in: one, except by tag (one per tag).
func (s *Service) groupKeys(by, channel, kind, agent string, tags []string, at time.Time) []string {
	switch by {
	case "channel":
		return []string{channel}
	case "kind":
		return []string{kind}
	case "day":
		return []string{at.In(s.location()).Format("2006-01-02")}
	case "agent":
		if agent == "" {
			return []string{unassignedKey}
		}
		return []string{agent}
	case "tag":
		if len(tags) == 0 {
			return []string{"(untagged)"}
		}
		return tags
	}
	return nil
}

// location is the time zone days are counted in: business hours' zone, else UTC.
func (s *Service) location() *time.Location {
	if s.hours != nil {
		return s.hours.Location()
	}
	return time.UTC
}
