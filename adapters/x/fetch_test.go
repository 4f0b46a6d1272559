package x

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

func fetch(t *testing.T, a *Adapter, cur string) adapters.Batch {
	t.Helper()
	b, err := a.Fetch(context.Background(), cur)
	if err != nil {
		t.Fatalf("Fetch(%s) = %v", cur, err)
	}
	return b
}

func ids(b adapters.Batch) []string {
	var out []string
	for _, m := range b.Messages {
		out = append(out, m.ID)
	}
	return out
}

// The first Fetch reads one page (the newest) and sets since_id to its newest mention;
// later ones page with pagination_token under the same since_id until the last page,
// then since_id moves to the newest of the pass. Nothing is brought twice or lost.
func TestMentionsPagingAndSinceID(t *testing.T) {
	f := newFake(t)
	f.pageSize = 5
	a := newAdapter(t, f, map[string]any{"dms": false})
	var old []string
	for i := range 8 {
		old = append(old, f.tweet(ana, "@acme old question "+string(rune('a'+i)), ""))
	}
	b := fetch(t, a, "")
	if len(b.Messages) != 5 || b.More || b.Messages[4].ID != old[7] {
		t.Fatalf("first fetch %v more=%v, want the newest page of 5 and no more", ids(b), b.More)
	}
	c, _ := parseCursor(b.Cursor)
	if c.Since != old[7] || c.MPage != "" {
		t.Fatalf("cursor %+v, want since_id %s", c, old[7])
	}
	var fresh []string
	for i := range 12 {
		fresh = append(fresh, f.tweet(ben, "@acme new "+string(rune('a'+i)), ""))
	}
	var got []string
	cur := b.Cursor
	for i := 0; ; i++ {
		if i > 5 {
			t.Fatal("the pass does not end")
		}
		b = fetch(t, a, cur)
		got = append(got, ids(b)...)
		cur = b.Cursor
		if !b.More {
			break
		}
		if c, _ := parseCursor(cur); c.Since != old[7] || c.MPage == "" {
			t.Fatalf("mid-pass cursor %+v: since_id must wait for the pass to end", c)
		}
	}
	if len(got) != 12 {
		t.Fatalf("the pass brought %d mentions %v, want the 12 new ones", len(got), got)
	}
	for _, id := range fresh {
		if strings.Count(strings.Join(got, ","), id) != 1 {
			t.Errorf("mention %s brought %d times", id, strings.Count(strings.Join(got, ","), id))
		}
	}
	calls := f.callsTo("GET", "/2/users/"+userID+"/mentions")
	for _, c := range calls[1:] {
		if c.Query.Get("since_id") != old[7] {
			t.Errorf("request %v: since_id %q, want %s", c.Query, c.Query.Get("since_id"), old[7])
		}
		if c.Query.Get("expansions") != "author_id" || c.Query.Get("max_results") != "100" {
			t.Errorf("request %v", c.Query)
		}
	}
	if calls[2].Query.Get("pagination_token") == "" || calls[1].Query.Get("pagination_token") != "" {
		t.Errorf("pagination tokens %q, %q", calls[1].Query.Get("pagination_token"), calls[2].Query.Get("pagination_token"))
	}
	if c, _ := parseCursor(cur); c.Since != fresh[11] || c.MPage != "" || c.MTop != "" {
		t.Errorf("cursor after the pass %+v, want since_id %s", c, fresh[11])
	}
	if b := fetch(t, a, cur); len(b.Messages) != 0 || b.More {
		t.Errorf("a fetch with nothing new brought %v", ids(b))
	}
}

// A mention and the replies under it are one conversation (conversation_id), kind
// mention, with the author's handle and name from includes.users; the account's own
// posts coming back are outbound, answers from the X app.
func TestMentionMessages(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	root := f.tweet(ana, "@acme my order &amp; my refund?", "")
	reply := f.tweet(ben, "@ana @acme same here", root)
	own := f.tweet(userID, "@ana @ben we're on it, see @acme's pinned post", reply)
	b := fetch(t, a, "")
	if len(b.Messages) != 3 {
		t.Fatalf("%d messages", len(b.Messages))
	}
	m0, m1, m2 := b.Messages[0], b.Messages[1], b.Messages[2]
	if m0.ID != root || m0.Conversation != "x:"+root || m0.Kind != inbox.KindMention || m0.Direction != inbox.In ||
		m0.Author.Handle != "@ana" || m0.Author.Name != "Ana Ruiz" || m0.Author.ID != ana || m0.Text != "@acme my order & my refund?" ||
		m0.URL != "https://x.com/ana/status/"+root || m0.Account != "@acme" || m0.Channel != "x" {
		t.Errorf("root %+v", m0)
	}
	if m1.Conversation != "x:"+root || m1.InReplyTo != root {
		t.Errorf("reply %+v", m1)
	}
	if m2.ID != own || m2.Direction != inbox.Out || m2.Agent != NativeAgent || m2.InReplyTo != reply {
		t.Errorf("own post %+v, want outbound by %s", m2, NativeAgent)
	}
	if !m0.CreatedAt.Before(m1.CreatedAt) || m0.CreatedAt.IsZero() {
		t.Errorf("times %s %s", m0.CreatedAt, m1.CreatedAt)
	}
}

// DMs: each DM conversation is one conversation, kind dm; the account's own DMs are
// outbound; paging goes down to the newest event stored, and no further.
func TestDMsToTheWatermark(t *testing.T) {
	f := newFake(t)
	f.pageSize = 3
	a := newAdapter(t, f, nil)
	f.dm(ana+"-"+userID, ana, "hello, is anyone there?")
	b := fetch(t, a, "")
	if len(b.Messages) != 1 || b.Messages[0].Kind != inbox.KindDM || b.Messages[0].Conversation != "dm:"+ana+"-"+userID ||
		b.Messages[0].Author.Handle != "@ana" || b.Messages[0].Direction != inbox.In {
		t.Fatalf("first fetch %+v", b.Messages)
	}
	var want []string
	for i := range 7 {
		sender := ben
		if i == 3 {
			sender = userID // the brand answered in the X app
		}
		want = append(want, f.dm(ben+"-"+userID, sender, "message "+string(rune('a'+i))))
	}
	var got []inbox.Message
	cur := b.Cursor
	for range 5 {
		b = fetch(t, a, cur)
		got = append(got, b.Messages...)
		cur = b.Cursor
		if !b.More {
			break
		}
	}
	if len(got) != 7 {
		t.Fatalf("got %d DMs, want the 7 new ones", len(got))
	}
	// Pages come newest first, each in time order: the engine stores them all the same.
	slices.SortFunc(got, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	for i, m := range got {
		if m.ID != want[i] {
			t.Errorf("DM %d is %s, want %s", i, m.ID, want[i])
		}
		if (i == 3) != (m.Direction == inbox.Out) || (i == 3 && m.Agent != NativeAgent) {
			t.Errorf("DM %d %+v: only the brand's own is outbound", i, m)
		}
	}
	if c, _ := parseCursor(cur); c.DM != want[6] || c.DPage != "" {
		t.Errorf("cursor %+v", c)
	}
	for _, c := range f.callsTo("GET", "/2/dm_events") {
		if c.Query.Get("event_types") != "MessageCreate" || !strings.Contains(c.Query.Get("dm_event.fields"), "dm_conversation_id") {
			t.Errorf("dm_events asked %v", c.Query)
		}
	}
}

// max_reads_per_day counts every post and DM event read, per UTC day: a page never asks
// for more than the day has left, and once it is spent fetching waits until 00:00 UTC,
// saying so, without a request; the count survives a restart in the cursor.
func TestReadsCap(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false, "max_reads_per_day": int64(7)})
	for i := range 10 {
		f.tweet(ana, "@acme question "+string(rune('a'+i)), "")
	}
	b := fetch(t, a, "")
	if len(b.Messages) != 7 {
		t.Fatalf("read %d, want 7 (max_results = the day's reads left)", len(b.Messages))
	}
	f.tweet(ben, "@acme one more", "")
	before := len(f.callsTo("GET", "/2/users/"+userID+"/mentions"))
	_, err := a.Fetch(context.Background(), b.Cursor)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent || !strings.Contains(err.Error(), "reads capped until 00:00 UTC") {
		t.Fatalf("Fetch = %v, want the cap", err)
	}
	if want := 12 * time.Hour; ae.RetryAfter != want { // the fake's clock is near 12:00 UTC
		if ae.RetryAfter > want || ae.RetryAfter < want-time.Minute {
			t.Errorf("RetryAfter %s, want until 00:00 UTC (~%s)", ae.RetryAfter, want)
		}
	}
	if n := len(f.callsTo("GET", "/2/users/"+userID+"/mentions")); n != before {
		t.Errorf("%d requests while capped", n-before)
	}
	// A restart: a new adapter reads the count from the cursor.
	a2 := newAdapter(t, f, map[string]any{"dms": false, "max_reads_per_day": int64(7)})
	if _, err := a2.Fetch(context.Background(), b.Cursor); err == nil || !strings.Contains(err.Error(), "reads capped") {
		t.Errorf("after a restart Fetch = %v, want still capped", err)
	}
	f.wait(ae.RetryAfter + time.Second)
	b = fetch(t, a, b.Cursor)
	if len(b.Messages) != 1 || b.Messages[0].Text != "@acme one more" {
		t.Errorf("the next UTC day brought %v", ids(b))
	}
}

// The cap reached between the mentions and the DMs: the mentions are kept (the cursor
// moves past them), and the next Fetch says the reads are capped.
func TestReadsCapBetweenMentionsAndDMs(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"max_reads_per_day": int64(5)})
	for i := range 5 {
		f.tweet(ana, "@acme q"+string(rune('a'+i)), "")
	}
	f.dm(ana+"-"+userID, ana, "a DM")
	b := fetch(t, a, "")
	if len(b.Messages) != 5 || !b.More {
		t.Fatalf("fetch %v more=%v, want the 5 mentions and more to say", ids(b), b.More)
	}
	if _, err := a.Fetch(context.Background(), b.Cursor); err == nil || !strings.Contains(err.Error(), "reads capped until 00:00 UTC") {
		t.Errorf("Fetch = %v, want the cap", err)
	}
}

// X sends no Retry-After: a 429 waits until x-rate-limit-reset.
func TestRateLimit429WaitsForReset(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	f.limited = "/2/users/" + userID + "/mentions"
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent || ae.Status != 429 || ae.RetryAfter != 15*time.Minute {
		t.Fatalf("Fetch = %v (%+v), want temporary until x-rate-limit-reset (15m)", err, ae)
	}
	// Not before the reset: the 429 said remaining 0.
	if _, err := a.Fetch(context.Background(), ""); err == nil {
		t.Error("a Fetch before x-rate-limit-reset was made")
	}
	f.wait(15 * time.Minute)
	if b := fetch(t, a, ""); b.Cursor == "" {
		t.Error("no cursor after the limit")
	}
}

// An answer with x-rate-limit-remaining: 0 means the next call would be refused: it is
// not made before x-rate-limit-reset.
func TestRemainingZeroWaitsBeforeTheWall(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	path := "/2/users/" + userID + "/mentions"
	f.spend = path
	b := fetch(t, a, "")
	f.spend = ""
	_, err := a.Fetch(context.Background(), b.Cursor)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter != 15*time.Minute || !strings.Contains(err.Error(), "x-rate-limit-remaining 0") {
		t.Fatalf("Fetch = %v, want a wait of 15m without a request", err)
	}
	if n := len(f.callsTo("GET", path)); n != 1 {
		t.Errorf("%d requests, want 1: the second must wait", n)
	}
	f.wait(15 * time.Minute)
	fetch(t, a, b.Cursor)
}

// 403 is permanent and says what X said about the plan or the permission.
func TestForbiddenSaysWhy(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	f.forbid = "/2/users/"
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "You are not permitted to perform this action.") ||
		!strings.Contains(err.Error(), "plan or the token's scopes") {
		t.Fatalf("Fetch = %v", err)
	}
}

// dm_events takes no since_id: a pass asks for a few events first and pages on only
// while all are new; an event read again the same UTC day is counted once, as X bills
// it, so a quiet inbox polled all day does not eat max_reads_per_day.
func TestQuietDMsDoNotEatTheCap(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"max_reads_per_day": int64(60)})
	for i := range 25 {
		f.dm(ana+"-"+userID, ana, "old "+string(rune('a'+i)))
	}
	b := fetch(t, a, "")
	for range 20 {
		f.wait(time.Minute)
		b = fetch(t, a, b.Cursor)
		if len(b.Messages) != 0 {
			t.Fatalf("a quiet inbox brought %v", ids(b))
		}
	}
	calls := f.callsTo("GET", "/2/dm_events")
	if q := calls[len(calls)-1].Query; q.Get("max_results") != "10" {
		t.Errorf("a pass starts with max_results %s, want 10", q.Get("max_results"))
	}
	if day, n := a.reads.today(f.clock()); n != 25 {
		t.Errorf("%d reads counted on %s, want the 25 events once", n, day)
	}
	// New events: a first page all new pages on with the rest.
	var fresh []string
	for i := range 12 {
		fresh = append(fresh, f.dm(ben+"-"+userID, ben, "new "+string(rune('a'+i))))
	}
	var got []string
	for range 5 {
		b = fetch(t, a, b.Cursor)
		got = append(got, ids(b)...)
		if !b.More {
			break
		}
	}
	if len(got) != 12 {
		t.Errorf("brought %d of the 12 new DMs: %v", len(got), got)
	}
}
