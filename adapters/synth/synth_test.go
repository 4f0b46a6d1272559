package synth_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unicode"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

var end = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func collect(n int, seed uint64) []inbox.Message {
	var out []inbox.Message
	synth.Messages(n, seed, end, func(m inbox.Message) { out = append(out, m) })
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := collect(5000, 1), collect(5000, 1)
	if len(a) != 5000 {
		t.Fatalf("got %d messages, want 5000", len(a))
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different messages")
	}
	if c := collect(5000, 2); reflect.DeepEqual(a, c) {
		t.Fatal("seeds 1 and 2 gave the same messages")
	}
	// A zone on end is the same instant.
	var d []inbox.Message
	synth.Messages(5000, 1, end.In(time.FixedZone("UTC+9", 9*3600)), func(m inbox.Message) { d = append(d, m) })
	if !reflect.DeepEqual(a, d) {
		t.Error("the zone of end changed the messages")
	}
}

func TestMessagesAreValidAndInSpan(t *testing.T) {
	ids := map[string]bool{}
	for i, m := range collect(50_000, 3) {
		m.Normalize()
		if err := m.Validate(); err != nil {
			t.Fatalf("message %d: %v\n%+v", i, err, m)
		}
		if m.CreatedAt.Before(end.Add(-synth.Span)) || m.CreatedAt.After(end) {
			t.Fatalf("message %d at %v, outside the span", i, m.CreatedAt)
		}
		if ids[m.Channel+" "+m.ID] {
			t.Fatalf("message %d: id %s repeats on %s", i, m.ID, m.Channel)
		}
		ids[m.Channel+" "+m.ID] = true
		if (m.Kind == inbox.KindEmail) != (m.Channel == "email") {
			t.Fatalf("message %d: kind %s on %s", i, m.Kind, m.Channel)
		}
		if m.Kind == inbox.KindReview && m.Channel != "facebook" {
			t.Fatalf("message %d: a review on %s", i, m.Channel)
		}
		if m.Direction == inbox.Out && m.Agent == "" {
			t.Fatalf("message %d: a reply with no agent", i)
		}
	}
}

// TestShape checks the figures a benchmark relies on to look like a real inbox.
func TestShape(t *testing.T) {
	const n = 200_000
	msgs := collect(n, 1)
	perChannel, perKind := map[string]int{}, map[inbox.Kind]int{}
	handleChannels := map[string]map[string]bool{} // social handles, by the channels they write on
	authorMsgs := map[string]int{}
	var threads, answered, nonLatin, emoji int
	var emailLen, commentLen, emails, comments int
	for i, m := range msgs {
		perChannel[m.Channel]++
		perKind[m.Kind]++
		if m.Direction == inbox.In {
			if i == 0 || msgs[i-1].Conversation != m.Conversation || msgs[i-1].Direction == inbox.Out {
				threads++ // a conversation's messages come together: a new key starts a thread
			}
			authorMsgs[m.Author.Handle]++
			if m.Channel != "email" {
				if handleChannels[m.Author.Handle] == nil {
					handleChannels[m.Author.Handle] = map[string]bool{}
				}
				handleChannels[m.Author.Handle][m.Channel] = true
			}
			switch m.Kind {
			case inbox.KindEmail:
				emails++
				emailLen += len([]rune(m.Text))
			case inbox.KindComment, inbox.KindMention:
				comments++
				commentLen += len([]rune(m.Text))
			}
			for _, r := range m.Text {
				if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Cyrillic, unicode.Arabic, unicode.Hangul) {
					nonLatin++
					break
				}
			}
			for _, r := range m.Text {
				if r >= 0x1F300 || r == '❤' || r == '✨' || r == '☕' {
					emoji++
					break
				}
			}
		} else {
			answered++
		}
	}
	for _, ch := range []string{"x", "instagram", "facebook", "reddit", "mastodon", "bluesky", "email"} {
		if share := float64(perChannel[ch]) / n; share < 0.04 || share > 0.35 {
			t.Errorf("%s has %.1f%% of messages, want between 4%% and 35%%", ch, 100*share)
		}
	}
	if perChannel["instagram"] <= perChannel["mastodon"] {
		t.Errorf("instagram (%d) should be busier than mastodon (%d)", perChannel["instagram"], perChannel["mastodon"])
	}
	for _, k := range inbox.Kinds {
		if perKind[k] < n/50 {
			t.Errorf("only %d messages of kind %s", perKind[k], k)
		}
	}
	if share := float64(answered) / float64(threads); share < 0.65 || share > 0.72 {
		t.Errorf("%.1f%% of %d threads answered, want about 70%%", 100*share, threads)
	}
	if per := float64(n) / float64(threads); per < 2 || per > 3 {
		t.Errorf("%.2f messages per thread, want 2–3 (1–4 inbound, most answered)", per)
	}
	recurring := 0
	for _, c := range authorMsgs {
		if c >= 5 {
			recurring++
		}
	}
	multi := 0
	for _, chans := range handleChannels {
		if len(chans) > 1 {
			multi++
		}
	}
	if recurring < 500 || multi < 500 {
		t.Errorf("%d authors wrote 5+ messages and %d handles wrote on several channels, want hundreds of each", recurring, multi)
	}
	if avgE, avgC := emailLen/emails, commentLen/comments; avgE < 300 || avgC > 80 {
		t.Errorf("emails average %d characters and comments %d, want long emails and short comments", avgE, avgC)
	}
	if share := float64(nonLatin) / n; share < 0.03 || share > 0.3 {
		t.Errorf("%.1f%% of messages in non-Latin script", 100*share)
	}
	if emoji < n/50 {
		t.Errorf("only %d messages with emoji", emoji)
	}
	t.Logf("channels %v, kinds %v, %d threads, %.1f%% answered, %d recurring authors, %d on several channels",
		perChannel, perKind, threads, 100*float64(answered)/float64(threads), recurring, multi)
}

// TestRepliesFollowTheirThread checks a reply comes minutes to days after the message it answers.
func TestRepliesFollowTheirThread(t *testing.T) {
	msgs := collect(20_000, 4)
	var under10m, overDay, replies int
	for i, m := range msgs {
		if m.Direction != inbox.Out {
			continue
		}
		prev := msgs[i-1]
		if prev.Conversation != m.Conversation || prev.Direction != inbox.In {
			t.Fatalf("reply %d does not follow its conversation", i)
		}
		d := m.CreatedAt.Sub(prev.CreatedAt)
		if d < time.Minute {
			t.Fatalf("reply %d came %v after the message", i, d)
		}
		replies++
		if d < 10*time.Minute {
			under10m++
		}
		if d > 24*time.Hour {
			overDay++
		}
	}
	if under10m == 0 || overDay == 0 {
		t.Errorf("of %d replies %d came within 10 minutes and %d after a day; want some of each", replies, under10m, overDay)
	}
}

// TestIngest stores a stream, then the same stream again: the second time every message is
// already there, since ids are the same for the same seed.
func TestIngest(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "synth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, nil, inbox.WithClock(func() time.Time { return end }))
	if err != nil {
		t.Fatal(err)
	}
	c, err := synth.Ingest(ctx, svc, 3000, 5, end, 700)
	if err != nil || c.New != 3000 {
		t.Fatalf("first ingest: %+v, %v; want 3000 new", c, err)
	}
	if c, err = synth.Ingest(ctx, svc, 3000, 5, end, 1000); err != nil || c.Present != 3000 || c.New != 0 {
		t.Fatalf("second ingest: %+v, %v; want 3000 present", c, err)
	}
	st, err := svc.Stats(ctx, inbox.StatsRequest{Since: end.Add(-synth.Span - time.Hour), Until: end})
	if err != nil || st.Inbound == 0 {
		t.Fatalf("stats: %+v, %v", st, err)
	}
}
