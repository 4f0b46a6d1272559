package demo

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// seedWorld seeds a fresh database with the demo and returns the service with the world
// the generator made, to check the inbox against.
func seedWorld(t *testing.T, seed int64, now time.Time) (*inbox.Service, *world) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, demoConfig(), inbox.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, svc, seed, now); err != nil {
		t.Fatal(err)
	}
	return svc, generate(seed, now)
}

// The stats count a review like any inbound message: grouped by channel, Google Play and
// the App Store (and YouTube and Telegram) list as many inbound messages, and as many
// answered, as the generator made; spam, which stats leave out, is on neither store.
func TestDemoStatsKnowTheNewChannels(t *testing.T) {
	now := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	for _, seed := range []int64{1, 2} {
		svc, w := seedWorld(t, seed, now)
		type counts struct{ inbound, answered int }
		want := map[string]counts{}
		for _, c := range w.convs {
			if c.spam {
				continue
			}
			for i, m := range c.msgs {
				if m.Direction != inbox.In {
					continue
				}
				n := want[m.Channel]
				n.inbound++
				// An answer is a reply after it; the refused reply Seed adds answers nothing.
				if slices.ContainsFunc(c.msgs[i+1:], func(o inbox.Message) bool { return o.Direction == inbox.Out }) {
					n.answered++
				}
				want[m.Channel] = n
			}
		}
		st, err := svc.Stats(context.Background(), inbox.StatsRequest{Since: now.Add(-15 * 24 * time.Hour), Until: now, By: "channel"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]counts{}
		for _, g := range st.Groups {
			got[g.Key] = counts{g.Inbound, g.Answered}
		}
		for _, ch := range []string{"googleplay", "appstore", "youtube", "telegram"} {
			if want[ch].inbound == 0 || got[ch] != want[ch] {
				t.Errorf("seed %d: %s: stats say %d inbound, %d answered; the generator made %d, %d answered",
					seed, ch, got[ch].inbound, got[ch].answered, want[ch].inbound, want[ch].answered)
			}
		}
		t.Logf("seed %d: by channel %+v", seed, got)
	}
}

// rating<=2 finds exactly the reviews whose latest version has one or two stars: an
// edit that raised the stars takes its review out, and no other channel's conversation
// comes in (Facebook's reviews carry no rating).
func TestDemoRatingQuery(t *testing.T) {
	now := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	ctx := context.Background()
	for _, seed := range []int64{1, 2, 3} {
		svc, w := seedWorld(t, seed, now)
		var want []int64
		raised := 0
		for _, c := range w.convs {
			if c.review == nil {
				continue
			}
			var stars []int
			for _, m := range c.msgs {
				if m.Direction == inbox.In {
					stars = append(stars, m.Rating)
				}
			}
			if stars[0] <= 2 && stars[len(stars)-1] > 2 {
				raised++
			}
			if stars[len(stars)-1] > 2 {
				continue
			}
			id, err := svc.ConversationID(ctx, c.channel, c.account, c.key)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		}
		rows, err := svc.Queue(ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Query: "rating<=2", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range rows {
			got = append(got, r.ID)
		}
		slices.Sort(want)
		slices.Sort(got)
		t.Logf("seed %d: %d reviews at one or two stars, %d raised by an edit", seed, len(want), raised)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("seed %d: rating<=2 found %v, want %v", seed, got, want)
		}
		// rating:5 likewise: the conversations whose latest review has five stars.
		five := 0
		for _, c := range w.convs {
			if c.review != nil && c.review.stars == 5 {
				five++
			}
		}
		if n, err := svc.Count(ctx, inbox.View{Name: "All"}, "rating:5", false); err != nil || n != five {
			t.Errorf("seed %d: rating:5 counts %d (%v), want %d", seed, n, err, five)
		}
	}
}
