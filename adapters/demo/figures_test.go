package demo

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// figures are the demo's shape as a reader would check it: counts, the share answered,
// how many wait past their target.
type figures struct {
	byChannel, byKind          map[string]int
	inbound, answered          int // inbound, not spam
	noNeed                     int // a thanks or a heart that needs no reply: Seed closes them
	recent, recentUnanswered   int // inbound in the last 72 hours, and those waiting for a reply
	overdue, late, withinSLA   int
	conversations, convAnswers int
}

func measure(w *world) figures {
	cfg := demoConfig()
	rules, _ := inbox.NewRules(cfg.Rules)
	mood := inbox.NewSentiment(cfg.Sentiment)
	f := figures{byChannel: map[string]int{}, byKind: map[string]int{}, conversations: len(w.convs)}
	for _, c := range w.convs {
		if c.answered() {
			f.convAnswers++
		}
		for i, m := range c.msgs {
			f.byChannel[m.Channel]++
			f.byKind[string(m.Kind)]++
			if m.Direction != inbox.In || c.spam {
				continue
			}
			r := rules.Apply(inbox.RuleInput{Channel: m.Channel, Kind: string(m.Kind), Text: m.Text, Sentiment: mood.Score(m.Text), AuthorHandle: m.Author.Handle})
			due := m.CreatedAt.Add(cfg.SLATarget(m.Channel, r.Priority))
			var answer time.Time
			for _, o := range c.msgs[i+1:] {
				if o.Direction == inbox.Out {
					answer = o.CreatedAt
					break
				}
			}
			f.inbound++
			recent := w.now.Sub(m.CreatedAt) < 72*time.Hour
			if recent {
				f.recent++
			}
			switch {
			case answer.IsZero() && i == len(c.msgs)-1 && (c.closer || c.noReply):
				f.noNeed++
			case !answer.IsZero():
				f.answered++
				if answer.After(due) {
					f.late++
				} else {
					f.withinSLA++
				}
			case recent:
				f.recentUnanswered++
				fallthrough
			default:
				if due.Before(w.now) {
					f.overdue++
				}
			}
		}
	}
	return f
}

func (f figures) String() string {
	keys := func(m map[string]int) string {
		var ks []string
		for k, v := range m {
			ks = append(ks, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(ks)
		return strings.Join(ks, " ")
	}
	return fmt.Sprintf("channels: %s\nkinds: %s\nconversations %d (%d answered to the end)\ninbound %d, answered %d (%.0f%%), needing no reply %d, within SLA %d, late %d\nlast 72h: inbound %d, unanswered %d (%.0f%%)\nwaiting past their target: %d",
		keys(f.byChannel), keys(f.byKind), f.conversations, f.convAnswers, f.inbound, f.answered, 100*float64(f.answered)/float64(f.inbound-f.noNeed), f.noNeed,
		f.withinSLA, f.late, f.recent, f.recentUnanswered, 100*float64(f.recentUnanswered)/float64(f.recent), f.overdue)
}

func TestFigures(t *testing.T) {
	now := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	for _, seed := range []int64{1, 2, 3, 42} {
		w := generate(seed, now)
		f := measure(w)
		var sum Summary
		closed, answered := map[*conv]bool{}, 0
		for _, st := range planHistory(w, seed, &sum) {
			if st.what == "done" && st.conv.answered() {
				closed[st.conv] = true
			}
		}
		for _, c := range w.convs {
			if c.answered() {
				answered++
			}
		}
		t.Logf("seed %d\n%s\nclosed as done: %d of %d conversations answered to the end (%.0f%%)", seed, f, len(closed), answered, 100*float64(len(closed))/float64(answered))
		share := float64(f.answered) / float64(f.inbound-f.noNeed)
		recent := float64(f.recentUnanswered) / float64(f.recent)
		within := float64(f.withinSLA) / float64(f.answered)
		switch {
		case share < 0.80 || share > 0.98:
			t.Errorf("seed %d: %.0f%% of inbound answered, want 80%% to 98%%", seed, share*100)
		case recent < 0.07 || recent > 0.30:
			t.Errorf("seed %d: %.0f%% of the last 72 hours unanswered, want about 15%%", seed, recent*100)
		case within < 0.75 || within > 0.95:
			t.Errorf("seed %d: %.0f%% of answers within SLA, want most but not all", seed, within*100)
		case f.overdue < 3:
			t.Errorf("seed %d: %d overdue, want some", seed, f.overdue)
		}
	}
}
