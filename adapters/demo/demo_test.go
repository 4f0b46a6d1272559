package demo_test

import (
	"cmp"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// now is a fixed time for every test: a Thursday mid-morning in Lisbon.
var now = time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)

func config(t *testing.T) *inbox.Config {
	t.Helper()
	cfg, err := inbox.ParseConfig("demo", demo.ConfigTOML())
	if err != nil {
		t.Fatalf("demo config does not parse: %v", err)
	}
	return cfg
}

func TestMessagesAreDeterministic(t *testing.T) {
	a, b := demo.Messages(1, now), demo.Messages(1, now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and time gave different messages")
	}
	// The same instant in another zone is the same time.
	if c := demo.Messages(1, now.In(time.FixedZone("UTC+9", 9*3600))); !reflect.DeepEqual(a, c) {
		t.Error("the zone of now changed the messages")
	}
	if c := demo.Messages(2, now); reflect.DeepEqual(a, c) {
		t.Error("seeds 1 and 2 gave the same messages")
	}
}

func TestMessagesShape(t *testing.T) {
	msgs := demo.Messages(1, now)
	if n := len(msgs); n < 580 || n > 640 {
		t.Fatalf("%d messages, want about 600", n)
	}
	byChannel := map[string]int{}
	byKind := map[inbox.Kind]int{}
	type key struct{ channel, account, id string }
	ids := map[key]bool{}
	convs := map[key][]inbox.Message{}
	// In Telegram's group a message carries no conversation key: a reply joins the
	// conversation of the message it answers, as the inbox threads it.
	chain := map[key]string{}
	authors := map[string]map[string]bool{} // name -> channels
	texts := map[string]bool{}
	var nonLatin, emoji, inbound int
	for i, m := range msgs {
		byChannel[m.Channel]++
		byKind[m.Kind]++
		if i > 0 && m.CreatedAt.Before(msgs[i-1].CreatedAt) {
			t.Fatalf("message %d is older than the one before it", i)
		}
		if m.CreatedAt.Before(now.Add(-14*24*time.Hour)) || !m.CreatedAt.Before(now) {
			t.Errorf("%s at %s: outside the 14 days before now", m.ID, m.CreatedAt)
		}
		k := key{m.Channel, m.Account, m.ID}
		if ids[k] {
			t.Errorf("duplicate id %s on %s", m.ID, m.Channel)
		}
		ids[k] = true
		conv := m.Conversation
		switch {
		case conv != "":
		case m.InReplyTo != "":
			conv = chain[key{m.Channel, m.Account, m.InReplyTo}]
		default:
			conv = "msg:" + m.ID
		}
		chain[k] = conv
		ck := key{m.Channel, m.Account, conv}
		convs[ck] = append(convs[ck], m)
		switch {
		case (m.Kind == inbox.KindEmail) != (m.Channel == "email"):
			t.Errorf("%s: kind %s on %s", m.ID, m.Kind, m.Channel)
		case (m.Kind == inbox.KindReview) != (m.Channel == "facebook" && m.Kind == inbox.KindReview || isStore(m.Channel)):
			t.Errorf("%s: a %s on %s", m.ID, m.Kind, m.Channel)
		case conv == "":
			t.Errorf("%s on %s answers %q, which is not in the demo", m.ID, m.Channel, m.InReplyTo)
		}
		if m.Direction == inbox.Out {
			agents := []string{"maria", "dev", "sam"}
			if isMeta(m.Channel) || m.Channel == "youtube" || isStore(m.Channel) {
				agents = append(agents, meta.NativeAgent) // answered in the channel's own app
			}
			if !slices.Contains(agents, m.Agent) || m.Author != nil {
				t.Errorf("%s: outbound with agent %q and author %v", m.ID, m.Agent, m.Author)
			}
			continue
		}
		inbound++
		texts[m.Text] = true
		// Instagram names people by username only.
		who := cmp.Or(m.Author.Name, m.Author.Handle)
		if authors[who] == nil {
			authors[who] = map[string]bool{}
		}
		authors[who][m.Channel] = true
		if strings.ContainsFunc(m.Author.Name+m.Text, func(r rune) bool {
			return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Cyrillic, unicode.Arabic, unicode.Greek, unicode.Hiragana, unicode.Katakana)
		}) {
			nonLatin++
		}
		if strings.ContainsFunc(m.Text, func(r rune) bool { return r >= 0x1F300 }) {
			emoji++
		}
	}
	for _, ch := range []string{"x", "instagram", "facebook", "reddit", "mastodon", "bluesky", "email"} {
		if n := byChannel[ch]; n < 30 || n > 200 {
			t.Errorf("%d messages on %s, want 30 to 200", n, ch)
		}
	}
	// YouTube, Telegram and the app stores are a coffee shop's smaller channels. Which
	// store a review is on follows the reviewer's phone, so the split between them varies.
	for _, ch := range []string{"youtube", "telegram"} {
		if n := byChannel[ch]; n < 8 || n > 50 {
			t.Errorf("%d messages on %s, want 8 to 50", n, ch)
		}
	}
	if n := byChannel["googleplay"] + byChannel["appstore"]; n < 12 || n > len(msgs)/10 || byChannel["googleplay"] < 2 || byChannel["appstore"] < 2 {
		t.Errorf("%d of %d messages are app reviews (%d on Google Play, %d on the App Store), want a modest share on each",
			n, len(msgs), byChannel["googleplay"], byChannel["appstore"])
	}
	for _, k := range inbox.Kinds {
		if n := byKind[k]; n < 10 {
			t.Errorf("%d messages of kind %s, want at least 10", n, k)
		}
	}
	if n := len(convs); n < 180 || n > 320 {
		t.Errorf("%d conversations, want 180 to 320", n)
	}
	var sizes [6]int
	for k, c := range convs {
		if len(c) > 5 {
			t.Errorf("conversation %s has %d messages, want 1 to 5", k.id, len(c))
			continue
		}
		sizes[len(c)]++
		if c[0].Direction != inbox.In {
			t.Errorf("conversation %s starts with an outbound message", k.id)
		}
		for _, m := range c[1:] {
			// Meta's channels name what a message answers their own way: see TestMetaConventions.
			// A store review's edit, and a reply from the store's console, name nothing: see
			// TestStoreReviewConventions.
			if m.InReplyTo == "" && !isMeta(m.Channel) && !(isStore(m.Channel) && (m.Direction == inbox.In || m.Agent == meta.NativeAgent)) {
				t.Errorf("%s follows up without in_reply_to", m.ID)
			}
		}
	}
	for n := 1; n <= 4; n++ {
		if sizes[n] == 0 {
			t.Errorf("no conversation of %d messages", n)
		}
	}
	var multi int
	for _, chans := range authors {
		if len(chans) > 1 {
			multi++
		}
	}
	if len(authors) < 90 || len(authors) > 140 {
		t.Errorf("%d distinct authors, want about 120", len(authors))
	}
	if multi < 3 {
		t.Errorf("%d authors write on several channels, want a few", multi)
	}
	if nonLatin < 3 || emoji < 15 {
		t.Errorf("%d messages with non-Latin names or text and %d with emoji, want a few of each", nonLatin, emoji)
	}
	// Templates with slots, combined: texts must not repeat much.
	if share := float64(len(texts)) / float64(inbound); share < 0.6 {
		t.Errorf("only %.0f%% of inbound texts are distinct", share*100)
	}
}

func TestMessagesPassValidation(t *testing.T) {
	for _, m := range demo.Messages(7, now) {
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := inbox.DecodeMessage(data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", m.ID, err, data)
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("%s does not survive the import format:\n got %+v\nwant %+v", m.ID, got, m)
		}
	}
}

func TestConfig(t *testing.T) {
	cfg := config(t)
	if cfg.Voice.Brand == "" || cfg.Agent != "maria" || !reflect.DeepEqual(cfg.Agents, []string{"maria", "dev", "sam"}) {
		t.Errorf("brand %q, agent %q, agents %v", cfg.Voice.Brand, cfg.Agent, cfg.Agents)
	}
	if n := len(cfg.Canned); n < 8 || n > 13 {
		t.Errorf("%d canned replies, want 8 to 13", n)
	}
	if !reflect.DeepEqual(cfg.Escalation.Reasons, []string{"billing", "bug", "refund", "legal", "safety"}) {
		t.Errorf("escalation reasons %v", cfg.Escalation.Reasons)
	}
	if len(cfg.Views) < 2 {
		t.Errorf("%d saved views, want a couple", len(cfg.Views))
	}
	rules, err := inbox.NewRules(cfg.Rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   inbox.RuleInput
		prio inbox.Priority
		tag  string
		spam bool
	}{
		{inbox.RuleInput{Channel: "x", Kind: "mention", Text: "I want a refund for my grinder"}, inbox.PriorityUrgent, "refund", false},
		{inbox.RuleInput{Channel: "email", Kind: "email", Text: "My lawyer will be in touch"}, inbox.PriorityUrgent, "legal", false},
		{inbox.RuleInput{Channel: "instagram", Kind: "dm", Text: "Please cancel my subscription"}, inbox.PriorityUrgent, "cancel", false},
		{inbox.RuleInput{Channel: "instagram", Kind: "comment", Text: "The kettle sparked when I plugged it in"}, inbox.PriorityUrgent, "safety", false},
		{inbox.RuleInput{Channel: "x", Kind: "mention", Text: "I love sparkling water"}, inbox.PriorityNormal, "", false},
		{inbox.RuleInput{Channel: "x", Kind: "mention", Text: "Tracking hasn't moved in a week"}, inbox.PriorityNormal, "shipping", false},
		{inbox.RuleInput{Channel: "instagram", Kind: "comment", Text: "Cute!", AuthorHandle: "@brewwithbea"}, inbox.PriorityHigh, "", false},
		{inbox.RuleInput{Channel: "x", Kind: "dm", Text: "Get free followers now"}, inbox.PriorityLow, "", true},
	} {
		r := rules.Apply(tc.in)
		if r.Priority != tc.prio || r.Spam != tc.spam || tc.tag != "" && !slices.Contains(r.Tags, tc.tag) {
			t.Errorf("%q: priority %s, tags %v, spam %v; want %s, %q, %v", tc.in.Text, r.Priority, r.Tags, r.Spam, tc.prio, tc.tag, tc.spam)
		}
	}
}

// Every canned reply renders on every channel and meets the brand's own voice: no banned
// phrase, the sign-off on email, within each channel's length, even for a long name.
func TestCannedRepliesKeepTheVoice(t *testing.T) {
	cfg := config(t)
	voice := inbox.NewVoice(cfg.Voice)
	vars := inbox.Vars{Name: "Guadalupe", Handle: "@thepourovernerd", Agent: "maria", Brand: cfg.Voice.Brand, Ticket: "#10234"}
	for _, c := range cfg.Canned {
		if _, ok := c.Variants["email"]; !ok {
			t.Errorf("%s: no email variant", c.Name)
		}
		for _, ch := range []string{"x", "instagram", "facebook", "whatsapp", "reddit", "mastodon", "bluesky", "youtube",
			"telegram", "email", "googleplay", "appstore"} {
			vars.Channel = inbox.ChannelLabel(ch)
			text, err := inbox.RenderTemplate(inbox.PickVariant(c.Body, c.Variants, ch), vars)
			if err != nil {
				t.Errorf("%s on %s: %v", c.Name, ch, err)
				continue
			}
			for _, w := range voice.Check(ch, text) {
				t.Errorf("%s on %s: %s\n%s", c.Name, ch, w.Message, text)
			}
		}
	}
}

// The team's replies in the demo history are in the same voice as the canned ones.
func TestDemoRepliesKeepTheVoice(t *testing.T) {
	voice := inbox.NewVoice(config(t).Voice)
	for _, m := range demo.Messages(1, now) {
		if m.Direction != inbox.Out {
			continue
		}
		for _, w := range voice.Check(m.Channel, m.Text) {
			t.Errorf("reply %s on %s: %s\n%s", m.ID, m.Channel, w.Message, m.Text)
		}
	}
}

func seeded(t *testing.T, seed int64) (*inbox.Service, demo.Summary) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, config(t), inbox.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := demo.Seed(ctx, svc, seed, now)
	if err != nil {
		t.Fatal(err)
	}
	return svc, sum
}

func count(t *testing.T, svc *inbox.Service, query string) int {
	t.Helper()
	n, err := svc.Count(context.Background(), inbox.View{Name: "All"}, query, false)
	if err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return n
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	svc, sum := seeded(t, 1)
	t.Logf("summary: %+v", sum)
	if sum.Stored != sum.Messages || sum.Messages != len(demo.Messages(1, now)) {
		t.Errorf("stored %d of %d messages", sum.Stored, sum.Messages)
	}
	if got := count(t, svc, ""); got != sum.Conversations {
		t.Errorf("%d conversations stored, summary says %d", got, sum.Conversations)
	}
	for _, tc := range []struct {
		what      string
		n, lo, hi int
	}{
		{"escalated", sum.Escalated, 20, 25},
		{"tagged", sum.Tagged, sum.Conversations / 8, sum.Conversations / 3},
		{"done", sum.Done, sum.Conversations / 5, sum.Conversations / 2},
		{"snoozed", sum.Snoozed, 3, 5},
		{"assigned", sum.Assigned, 20, sum.Conversations / 2},
		{"spam", sum.Spam, 5, 30},
		{"notes", sum.Notes, 5, 14},
		{"conversations with history", sum.Touched, sum.Conversations / 3, sum.Conversations},
		{"state:escalated", count(t, svc, "state:escalated"), 10, 25},
		{"state:snoozed", count(t, svc, "state:snoozed"), 3, 5},
		{"state:spam", count(t, svc, "state:spam"), 5, 30},
		{"state:done", count(t, svc, "state:done"), sum.Conversations / 5, sum.Conversations / 2},
		{"is:unanswered", count(t, svc, "is:unanswered"), 10, 60},
		{"is:overdue", count(t, svc, "is:overdue"), 3, 40},
		{"prio:urgent", count(t, svc, "prio:urgent"), 10, 80},
		{"assignee:sam", count(t, svc, "assignee:sam"), 1, 100},
		{"sentiment:neg", count(t, svc, "sentiment:neg"), 20, 150},
	} {
		if tc.n < tc.lo || tc.n > tc.hi {
			t.Errorf("%s: %d, want %d to %d", tc.what, tc.n, tc.lo, tc.hi)
		}
	}
	for _, v := range svc.Config().Views {
		t.Logf("view %q: %d conversations", v.Name, count(t, svc, v.Query))
	}
	st, err := svc.Stats(ctx, inbox.StatsRequest{Since: now.Add(-15 * 24 * time.Hour), Until: now})
	if err != nil {
		t.Fatal(err)
	}
	if st.WithinSLAPct == nil || st.FirstResponseSeconds == nil {
		t.Fatalf("the demo has no SLA or first response figure: %+v", st.Figures)
	}
	t.Logf("stats: inbound %d, answered %d, unanswered %d, closed without reply %d, within SLA %.1f%%, median first response %s",
		st.Inbound, st.Answered, st.Unanswered, st.ClosedWithoutReply, *st.WithinSLAPct, time.Duration(st.FirstResponseSeconds.Median*float64(time.Second)))
	if sla := *st.WithinSLAPct; sla < 65 || sla > 95 {
		t.Errorf("%.1f%% within SLA, want most but not all", sla)
	}
	if st.FirstResponseSeconds.Max < 24*3600 || st.FRTBuckets[0] == 0 {
		t.Errorf("first responses range %v, want minutes to days", st.FRTBuckets)
	}
	if ok, err := svc.IsDemo(ctx); err != nil || !ok {
		t.Errorf("IsDemo = %v, %v after Seed", ok, err)
	}
}

// The same seed gives the same inbox, history included.
func TestSeedIsDeterministic(t *testing.T) {
	snapshot := func(svc *inbox.Service) []string {
		rows, err := svc.Queue(context.Background(), inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, strings.Join([]string{r.Channel, r.State, inbox.Priority(r.Priority).String(), r.Assignee, strings.Join(r.Tags, ","), r.LastText}, "|"))
		}
		return out
	}
	a, _ := seeded(t, 3)
	b, _ := seeded(t, 3)
	if sa, sb := snapshot(a), snapshot(b); !reflect.DeepEqual(sa, sb) {
		t.Error("seeding twice with the same seed gave different queues")
	}
}

// Whatever the seed, the demo holds one reply the channel refused.
func TestDemoHoldsARefusedReply(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		svc, sum := seeded(t, seed)
		if n, err := svc.FailedReplies(context.Background()); err != nil || n != 1 || !sum.Refused {
			t.Errorf("seed %d: %d failed replies (%v, summary %v); want 1", seed, n, err, sum.Refused)
		}
	}
}
