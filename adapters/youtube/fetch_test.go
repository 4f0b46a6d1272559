package youtube

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

const (
	ana = "UCana00000000000000000000"
	ben = "UCben00000000000000000000"
)

// pass fetches until the adapter says no more, as the engine does, and returns the
// messages and the last cursor.
func pass(t *testing.T, a *Adapter, cur string) ([]inbox.Message, string) {
	t.Helper()
	var all []inbox.Message
	for range 20 {
		b, err := a.Fetch(context.Background(), cur)
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		all, cur = append(all, b.Messages...), b.Cursor
		if !b.More {
			// Pages come newest first; each is in time order, the pass as a whole too here.
			slices.SortStableFunc(all, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
			return all, cur
		}
	}
	t.Fatal("Fetch never ended its pass")
	return nil, ""
}

func ids(msgs []inbox.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

func texts(msgs []inbox.Message) string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return strings.Join(out, "|")
}

// The first sync reads the newest page only; later ones page with order=time down to the
// watermark (More while pages remain) and bring each new thread once, nothing older.
func TestFetchPagesToWatermark(t *testing.T) {
	f := newFake(t)
	f.pageSize = 2
	a := newAdapter(t, f, nil)
	for _, s := range []string{"old 1", "old 2", "old 3"} {
		f.comment("vid1", ana, "@ana", s, "")
	}
	msgs, cur := pass(t, a, "")
	if got := texts(msgs); got != "old 2|old 3" {
		t.Fatalf("first sync brought %q, want the newest page only", got)
	}
	q := f.callsTo("GET", "/youtube/v3/commentThreads", "moderationStatus", "published")[0].Query
	for k, v := range map[string]string{"part": "snippet,replies", "allThreadsRelatedToChannelId": channelID, "order": "time",
		"maxResults": "100", "textFormat": "plainText"} {
		if q.Get(k) != v {
			t.Errorf("commentThreads.list %s = %q, want %q", k, q.Get(k), v)
		}
	}
	for i := range 5 {
		f.comment("vid2", ben, "Ben", "new "+string(rune('a'+i)), "")
	}
	f.wait(10 * time.Minute)
	msgs, cur2 := pass(t, a, cur)
	if got := texts(msgs); got != "new a|new b|new c|new d|new e" {
		t.Fatalf("second sync brought %q", got)
	}
	if pages := len(f.callsTo("GET", "/youtube/v3/commentThreads", "moderationStatus", "published")); pages != 1+4 {
		t.Errorf("%d pages read in all, want 1 then 4 (the last reaching below the watermark: threads of its very second may follow it)", pages)
	}
	f.wait(10 * time.Minute)
	if msgs, _ := pass(t, a, cur2); len(msgs) != 0 {
		t.Errorf("a sync with nothing new brought %v", ids(msgs))
	}
	// A reply to an old thread brings its thread to the top: the reply arrives.
	old := f.threads[0].id
	f.reply(old, ana, "@ana", "still broken")
	f.wait(10 * time.Minute)
	msgs, _ = pass(t, a, cur2)
	if got := texts(msgs); got != "old 1|still broken" || msgs[1].InReplyTo != old || msgs[1].Conversation != "yt:"+old {
		t.Errorf("after a reply to an old thread: %q %+v", got, msgs)
	}
}

// Threads whose activity falls in the same second are told apart by id at the watermark.
func TestFetchSameSecondAtWatermark(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.comment("v", ana, "@ana", "first", "")
	_, cur := pass(t, a, "")
	f.mu.Lock()
	f.now = f.now.Add(-time.Second) // the next comment has the same publishedAt
	f.mu.Unlock()
	f.comment("v", ben, "Ben", "same second", "")
	f.wait(time.Hour)
	msgs, cur := pass(t, a, cur)
	if got := texts(msgs); got != "same second" {
		t.Fatalf("brought %q, want only the new thread of the same second", got)
	}
	f.wait(time.Hour)
	if msgs, _ := pass(t, a, cur); len(msgs) != 0 {
		t.Errorf("brought again: %v", ids(msgs))
	}
}

// A thread with no more replies than embedded costs no further call; one with more has
// them all read with comments.list?parentId, each reply once, in the thread.
func TestFetchEmbeddedAndFurtherReplies(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	small := f.comment("v", ana, "@ana", "small", "")
	f.reply(small, ben, "Ben", "s1")
	big := f.comment("v", ben, "Ben", "big", "")
	for _, s := range []string{"b1", "b2", "b3", "b4"} {
		f.reply(big, ana, "@ana", s)
	}
	msgs, _ := pass(t, a, "")
	if got := texts(msgs); got != "small|s1|big|b1|b2|b3|b4" {
		t.Fatalf("brought %q", got)
	}
	calls := f.callsTo("GET", "/youtube/v3/comments")
	if len(calls) != 1 || calls[0].Query.Get("parentId") != big {
		t.Errorf("comments.list calls %+v, want one for the big thread", calls)
	}
	for _, m := range msgs {
		if m.Kind != inbox.KindComment || m.Account != channelID || !strings.HasPrefix(m.Conversation, "yt:") || m.Channel != "youtube" {
			t.Errorf("message %+v", m)
		}
		if m.Text != "small" && m.Text != "big" && m.InReplyTo == "" {
			t.Errorf("reply %q names no parent", m.Text)
		}
	}
	if m := msgs[0]; m.URL != "https://www.youtube.com/watch?v=v&lc="+small || m.Author.Handle != "@ana" || m.Author.ID != ana {
		t.Errorf("top comment %+v %+v", m, m.Author)
	}
}

// The channel's own comments (an answer from YouTube Studio) are outbound, by the native app.
func TestFetchOwnCommentsOutbound(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"handle": "@acme"})
	th := f.comment("v", ana, "@ana", "when is the next video?", "")
	f.reply(th, channelID, "@acme", "Friday!")
	msgs, _ := pass(t, a, "")
	if len(msgs) != 2 || msgs[0].Direction != inbox.In || msgs[1].Direction != inbox.Out || msgs[1].Agent != NativeAgent {
		t.Fatalf("messages %+v", msgs)
	}
	if msgs[1].Account != "@acme" || a.Handle() != "@acme" {
		t.Errorf("account %q, handle %q; want the configured handle", msgs[1].Account, a.Handle())
	}
}

// Comments held for review and likely spam are fetched too, hidden and tagged so a view
// finds them; likely spam is marked spam.
func TestFetchHeldAndSpamMarked(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.comment("v", ana, "@ana", "published", "")
	f.comment("v", ben, "Ben", "held one", "heldForReview")
	f.comment("v", ben, "Ben", "buy cheap followers", "likelySpam")
	msgs, _ := pass(t, a, "")
	byText := map[string]inbox.Message{}
	for _, m := range msgs {
		byText[m.Text] = m
	}
	if m := byText["published"]; m.Restore != nil {
		t.Errorf("a published comment is marked: %+v", m.Restore)
	}
	if r := byText["held one"].Restore; r == nil || !r.Hidden || !slices.Equal(r.Tags, []string{TagHeld}) || r.Spam != nil {
		t.Errorf("held comment marked %+v", r)
	}
	if r := byText["buy cheap followers"].Restore; r == nil || !r.Hidden || r.Spam == nil || !*r.Spam || !slices.Equal(r.Tags, []string{TagSpam}) {
		t.Errorf("likely spam marked %+v", r)
	}
}

// Passes are spaced so the lists last the day: with a small quota, a Fetch soon after a
// pass asks nothing and returns the same cursor; later it fetches again.
func TestFetchSpacingAdapts(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"quota": int64(200), "quota_reserve": int64(100)})
	f.comment("v", ana, "@ana", "hello", "")
	_, cur := pass(t, a, "")
	before := len(f.callsTo("GET", "/youtube/v3/commentThreads"))
	f.wait(time.Minute)
	b, err := a.Fetch(context.Background(), cur)
	if err != nil || b.Cursor != cur || len(b.Messages) != 0 || len(f.callsTo("GET", "/youtube/v3/commentThreads")) != before {
		t.Fatalf("a Fetch a minute later: %+v, %v; want nothing asked", b, err)
	}
	// 3 units a pass, 97 left for lists (32 passes), 20 h left of the Pacific day: one
	// pass every 37.5 minutes.
	f.wait(40 * time.Minute)
	if _, err := a.Fetch(context.Background(), cur); err != nil || len(f.callsTo("GET", "/youtube/v3/commentThreads")) == before {
		t.Errorf("40 minutes later nothing was fetched (%v)", err)
	}
}

// A cursor not written by this adapter is refused, not taken for a start.
func TestFetchBadCursor(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "not json")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent {
		t.Errorf("Fetch with a bad cursor = %v", err)
	}
}

// A pass cut off (by the quota, say) resumes with a page token YouTube no longer takes:
// the pass starts again from the newest thread, and ends at the watermark.
func TestFetchExpiredPageTokenRestartsPass(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.comment("v", ana, "@ana", "old", "")
	_, cur := pass(t, a, "")
	f.comment("v", ben, "Ben", "new", "")
	c, _ := parseCursor(cur)
	c.Page = "expired-token"
	f.wait(time.Hour)
	msgs, cur := pass(t, a, c.String())
	if got := texts(msgs); got != "new" {
		t.Fatalf("brought %q, want the new comment", got)
	}
	if c, _ := parseCursor(cur); c.Page != "" || !c.Watermark.Equal(f.threads[1].top.at) {
		t.Errorf("cursor %+v after the pass", c)
	}
}
