package soaktest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
	"github.com/triage-inbox/triage/ui"
)

var sizeNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// bigText is n bytes of words and line breaks, the same for a seed.
func bigText(rng *rand.Rand, n int) string {
	words := []string{"order", "refund", "late", "parcel", "Lyon", "courier", "ça", "va", "日本", "thanks", "please"}
	var b strings.Builder
	b.Grow(n + 16)
	for b.Len() < n {
		b.WriteString(words[rng.IntN(len(words))])
		if rng.IntN(12) == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.TrimRight(b.String()[:n], " \n") + "."
}

func TestSizeLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	long := 20_000
	if envInt("SIZE_FULL", 0) > 0 {
		long = 100_000
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "triage.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := func() time.Time { return sizeNow }
	svc, err := inbox.New(ctx, db, nil, inbox.WithClock(now), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))

	// The long conversation, oldest, so it heads the queue.
	start := time.Now()
	for from := 0; from < long; from += 10_000 {
		var msgs []inbox.Message
		for i := from; i < min(from+10_000, long); i++ {
			msgs = append(msgs, inbox.Message{Channel: "mastodon", Account: "@acme", ID: fmt.Sprintf("l%d", i), Conversation: "long",
				Kind: inbox.KindMention, Author: &inbox.Author{ID: "u-long", Handle: "@patient", Name: "Pat Long"},
				Text: fmt.Sprintf("message %d of the long conversation", i), CreatedAt: sizeNow.Add(-48 * time.Hour).Add(time.Duration(i) * time.Millisecond)})
		}
		if _, err := svc.IngestMessages(ctx, msgs...); err != nil {
			t.Fatalf("ingest long conversation from %d: %v", from, err)
		}
	}
	t.Logf("ingest %d messages into one conversation: %s", long, time.Since(start).Round(10*time.Microsecond))

	body := bigText(rng, 10<<20)
	name := "Big " + strings.ReplaceAll(bigText(rng, 1<<20), "\n", " ")
	big := inbox.Message{Channel: "mastodon", Account: "@acme", ID: "big", Conversation: "big", Kind: inbox.KindMention,
		Author: &inbox.Author{ID: "u-big", Handle: "@big", Name: name}, Text: body, CreatedAt: sizeNow.Add(-time.Hour)}
	start = time.Now()
	if _, err := svc.IngestMessages(ctx, big); err != nil {
		t.Fatalf("ingest a 10 MB message: %v", err)
	}
	t.Logf("ingest one message, %d-byte body, %d-byte author name: %s", len(body), len(name), time.Since(start).Round(10*time.Microsecond))

	// Nothing truncated in storage: the export gives back every byte.
	var got *inbox.ExportRecord
	err = svc.Export(ctx, inbox.ExportRequest{Since: sizeNow.Add(-2 * time.Hour)}, func(r inbox.ExportRecord) error {
		if r.ID == "big" {
			got = &r
		}
		return nil
	})
	if err != nil || got == nil {
		t.Fatalf("export: %v, found the big message: %v", err, got != nil)
	}
	if got.Text != body {
		t.Errorf("body: exported %d bytes, stored %d; equal prefix %d bytes", len(got.Text), len(body), commonPrefix(got.Text, body))
	}
	if got.Author == nil || got.Author.Name != name {
		n := 0
		if got.Author != nil {
			n = len(got.Author.Name)
		}
		t.Errorf("author name: exported %d bytes, want %d", n, len(name))
	}

	// The counts and figures of the long conversation.
	longID, err := svc.ConversationID(ctx, "mastodon", "@acme", "long")
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	th, err := svc.Thread(ctx, longID, 200)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Thread(long, 200): %s", time.Since(start).Round(10*time.Microsecond))
	if th.Info.Unanswered != long || len(th.Messages) != 200 || !th.More {
		t.Errorf("long conversation: unanswered %d (want %d), %d messages loaded (want 200), more %v", th.Info.Unanswered, long, len(th.Messages), th.More)
	}
	if last := th.Messages[len(th.Messages)-1].Text; last != fmt.Sprintf("message %d of the long conversation", long-1) {
		t.Errorf("newest message = %q", last)
	}
	start = time.Now()
	st, err := svc.Stats(ctx, inbox.StatsRequest{Since: sizeNow.Add(-72 * time.Hour), Until: sizeNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Stats over %d messages: %s", long+1, time.Since(start).Round(10*time.Microsecond))
	if st.Inbound != long+1 || st.Unanswered != long+1 || st.Answered != 0 {
		t.Errorf("stats: inbound %d, unanswered %d, answered %d; want %d, %d, 0", st.Inbound, st.Unanswered, st.Answered, long+1, long+1)
	}

	// The UI: the queue, the long conversation, the big one, a key on each.
	c := &ui.Common{Ctx: ctx, Inbox: svc, Styles: ui.NewStyles(true), FixedTheme: true, Keys: ui.DefaultKeyMap(), Now: now, Width: 120, Height: 35}
	d := newDriver(ui.New(c))
	step := func(what string, keys ...string) string {
		t.Helper()
		start := time.Now()
		for _, k := range keys {
			d.key(k)
		}
		if err := d.settle(5 * time.Minute); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		screen := d.screen()
		t.Logf("%s: %s", what, time.Since(start).Round(10*time.Microsecond))
		return screen
	}
	start = time.Now()
	if err := d.settle(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	screen := d.screen()
	t.Logf("queue load + render: %s", time.Since(start).Round(10*time.Microsecond))
	if !strings.Contains(screen, "Pat Long") || !strings.Contains(screen, "Big ") {
		t.Errorf("queue does not show both conversations:\n%s", screen)
	}
	screen = step("open the long conversation + render", "enter")
	if !strings.Contains(screen, fmt.Sprintf("message %d of the long", long-1)) {
		t.Errorf("the long conversation does not show its newest message:\n%s", screen)
	}
	step("key k in the long conversation + render", "k")
	step("back to the queue + render", "esc")
	step("key j in the queue + render", "j")
	screen = step("open the 10 MB conversation + render", "enter")
	if !strings.Contains(screen, "Big") {
		t.Errorf("the big conversation is not on screen:\n%s", screen)
	}
	step("key j in the 10 MB conversation + render", "j")
	step("key G in the 10 MB conversation + render", "G")
	step("back to the queue + render", "esc")
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
