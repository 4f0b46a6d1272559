package instagram_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

const (
	igUser = "17841400000000001"
	token  = "IGQVJ-secret-token-0123456789"
)

// now is the adapter's clock: 2026-12-06 12:00 UTC.
func now() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }

func newAdapter(t *testing.T, f *metatest.Server, watch int) *instagram.Adapter {
	t.Helper()
	cfg, c := graphClient(t, f)
	return instagram.NewWithClient(cfg, c, watch, now)
}

// graphClient is the account's config and a Graph client pointed at the fake.
func graphClient(t *testing.T, f *metatest.Server) (meta.Config, *meta.Client) {
	t.Helper()
	a, err := adapters.NewAccount(0, map[string]any{"name": "instagram", "channel": "instagram", "ig_user_id": igUser, "graph_url": f.URL})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := meta.ParseAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	c := &meta.Client{BaseURL: cfg.GraphURL, Version: cfg.Version, Account: cfg.Account,
		Token: func(context.Context) (string, error) { return token, nil }, HTTP: &http.Client{Timeout: 5 * time.Second}}
	return cfg, c
}

func texts(ms []inbox.Message) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return strings.Join(out, " | ")
}

// The first fetch brings the last week's comments and replies on the watched posts,
// oldest first, threaded by post; the next brings only what arrived since, even a
// comment in the same second as the last one seen; the account's own replies are
// outbound.
func TestFetchBringsNewCommentsOnce(t *testing.T) {
	f := metatest.New(t, igUser, token)
	ctx := context.Background()
	old := f.AddMedia("autumn menu", "2026-11-01T09:00:00+0000")
	f.AddComment(old, "", "kim", "last month", "2026-11-02T09:00:00+0000")
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	q := f.AddComment(post, "", "maria.r", "when do they ship?", "2026-12-05T10:00:00+0000")
	f.AddComment(post, "", "joao", "love the bag", "2026-12-05T09:30:00+0000")
	f.AddComment(post, q, "acme.coffee", "Monday!", "2026-12-05T10:05:00+0000")
	a := newAdapter(t, f, 10)

	b, err := a.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(b.Messages); got != "love the bag | when do they ship? | Monday!" {
		t.Fatalf("first fetch: %q", got)
	}
	m := b.Messages[1]
	if m.Channel != "instagram" || m.Account != igUser || m.Kind != inbox.KindComment || m.Conversation != "media:"+post ||
		m.Author == nil || m.Author.Handle != "maria.r" || m.Direction != inbox.In || !strings.HasPrefix(m.URL, "https://www.instagram.com/p/") {
		t.Errorf("comment: %+v", m)
	}
	if r := b.Messages[2]; r.Direction != inbox.Out || r.InReplyTo != q || r.Agent != meta.NativeAgent {
		t.Errorf("the account's own reply: %+v", r)
	}

	again, err := a.Fetch(ctx, b.Cursor)
	if err != nil || len(again.Messages) != 0 || again.Cursor != b.Cursor {
		t.Fatalf("nothing new: %q, cursor %q → %q, %v", texts(again.Messages), b.Cursor, again.Cursor, err)
	}
	f.AddComment(post, "", "lee", "same second", "2026-12-05T10:05:00+0000")
	f.AddComment(post, q, "maria.r", "thanks!", "2026-12-05T11:00:00+0000")
	next, err := a.Fetch(ctx, again.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(next.Messages); got != "same second | thanks!" {
		t.Errorf("second fetch: %q, want the two new ones", got)
	}
}

// Only watch_posts recent posts are read, one request for the list of posts.
func TestFetchReadsOnlyTheWatchedPosts(t *testing.T) {
	f := metatest.New(t, igUser, token)
	for i := range 5 {
		p := f.AddMedia(fmt.Sprint("post ", i), fmt.Sprintf("2026-12-0%dT09:00:00+0000", i+1))
		f.AddComment(p, "", "kim", fmt.Sprint("on post ", i), fmt.Sprintf("2026-12-0%dT10:00:00+0000", i+1))
	}
	b, err := newAdapter(t, f, 2).Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(b.Messages); got != "on post 3 | on post 4" {
		t.Errorf("watching 2 posts: %q", got)
	}
	n := 0
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, "/media") || strings.HasSuffix(r.Path, "/comments") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d requests for comments, want 3 (the posts, then each watched post's comments)", n)
	}
}

// A comment polled is the same message as the one Meta's webhook delivers, so it is
// stored once whichever way comes first.
func TestPolledCommentMatchesWebhook(t *testing.T) {
	f := metatest.New(t, igUser, token)
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	id := f.AddComment(post, "", "maria.r", "when do they ship?", "2026-12-05T10:00:00+0000")
	b, err := newAdapter(t, f, 10).Fetch(context.Background(), "")
	if err != nil || len(b.Messages) != 1 {
		t.Fatalf("fetch: %+v, %v", b, err)
	}
	polled := b.Messages[0]
	delivery := fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":1764928800,"changes":[{"field":"comments","value":{"from":{"id":%q,"username":"maria.r"},"media":{"id":%q,"media_product_type":"FEED"},"id":%q,"text":"when do they ship?"}}]}]}`,
		igUser, polled.Author.ID, post, id)
	d, err := meta.DecodeWebhook([]byte(delivery))
	hooked := d.Messages
	if err != nil || len(hooked) != 1 {
		t.Fatalf("webhook: %+v, %v", d, err)
	}
	h := hooked[0]
	if h.Channel != polled.Channel || h.Account != polled.Account || h.ID != polled.ID || h.Conversation != polled.Conversation ||
		h.Kind != polled.Kind || h.InReplyTo != polled.InReplyTo || h.Text != polled.Text || *h.Author != *polled.Author {
		t.Errorf("webhook %+v\npolled  %+v", h, polled)
	}
}

// Through Fetch, an expired token still says to reconnect and a rate limit still waits
// what Meta said; the cursor is not moved.
func TestFetchFailures(t *testing.T) {
	f := metatest.New(t, igUser, token)
	f.AddComment(f.AddMedia("p", "2026-12-05T09:00:00+0000"), "", "kim", "hi", "2026-12-05T10:00:00+0000")
	a := newAdapter(t, f, 10)
	f.Fail(metatest.TokenExpired())
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "reconnect: the token for account instagram expired") {
		t.Errorf("expired token: %v", err)
	}
	f.Fail(metatest.RateLimited(80002, igUser, 12))
	_, err = a.Fetch(context.Background(), "")
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter != 12*time.Minute {
		t.Errorf("rate limit: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %v", err)
	}
}

// A reply lands under the comment answered (under the top-level comment when answering
// a reply); after a crash mid-send, Sent finds it and nothing is posted twice.
func TestSendAndSent(t *testing.T) {
	f := metatest.New(t, igUser, token)
	ctx := context.Background()
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	top := f.AddComment(post, "", "maria.r", "when do they ship?", "2026-12-05T10:00:00+0000")
	follow := f.AddComment(post, top, "maria.r", "to Lisbon?", "2026-12-05T10:01:00+0000")
	a := newAdapter(t, f, 10)
	out := inbox.Outgoing{Channel: "instagram", Account: igUser, Kind: inbox.KindComment, InReplyTo: follow, Text: "Yes, Monday!"}

	if _, found, err := a.Sent(ctx, out); err != nil || found {
		t.Fatalf("before sending: found=%v, %v", found, err)
	}
	id, err := a.Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if rs := f.Replies(); len(rs) != 1 || rs[0].CommentID != top || rs[0].ID != id || rs[0].Message != "Yes, Monday!" {
		t.Errorf("posted %+v, want Yes, Monday! under %s as %s", rs, top, id)
	}
	got, found, err := a.Sent(ctx, out)
	if err != nil || !found || got != id {
		t.Errorf("after sending: %q found=%v %v, want %q", got, found, err, id)
	}
	for _, bad := range []inbox.Outgoing{{Kind: inbox.KindComment, Text: "x"}, {Kind: inbox.KindDM, InReplyTo: top, Text: "x"}} {
		_, err := a.Send(ctx, bad)
		var ae *adapters.Error
		if !errors.As(err, &ae) || !ae.Permanent {
			t.Errorf("Send(%+v): %v, want permanent", bad, err)
		}
	}
}

// A comment that appears with a time below the watermark (held for review, approved
// later with its first time) is still brought: its post's comments_count grew by more
// than the comments found above the watermark. A repeat of what was brought is the
// inbox's to drop (it stores each comment once).
func TestFetchBringsALateApprovedComment(t *testing.T) {
	ctx := context.Background()
	f := metatest.New(t, igUser, token)
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	f.AddComment(post, "", "maria.r", "when do they ship?", "2026-12-06T10:00:00+0000")
	a := newAdapter(t, f, 10)
	b, err := a.Fetch(ctx, "")
	if err != nil || len(b.Messages) != 1 {
		t.Fatalf("first fetch: %v, %v", b.Messages, err)
	}
	late := f.AddComment(post, "", "kim", "held for review since 9:00", "2026-12-06T09:00:00+0000")
	b, err = a.Fetch(ctx, b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range b.Messages {
		ids[m.ID] = true
	}
	if !ids[late] {
		t.Errorf("the late comment was not brought: %q", texts(b.Messages))
	}
	b, err = a.Fetch(ctx, b.Cursor)
	if err != nil || len(b.Messages) != 0 {
		t.Errorf("a fetch with nothing new brought %q, %v", texts(b.Messages), err)
	}
}
