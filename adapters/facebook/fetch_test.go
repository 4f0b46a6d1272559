package facebook_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/facebook"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

// fetch runs one Fetch and remembers every id it brought, failing on one brought twice.
type fetcher struct {
	t    *testing.T
	a    *facebook.Adapter
	cur  string
	seen map[string]int
}

func (f *fetcher) fetch() []inbox.Message {
	f.t.Helper()
	b, err := f.a.Fetch(context.Background(), f.cur)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range b.Messages {
		if f.seen[m.ID]++; f.seen[m.ID] > 1 {
			f.t.Errorf("%s (%q) brought twice", m.ID, m.Text)
		}
	}
	f.cur = b.Cursor
	return b.Messages
}

// The first fetch brings the last week's comments and replies on the posts with
// activity, oldest first, threaded by post, reading every page of them; the next ones
// bring only what arrived since: a comment in the same second as the last one seen, and a
// late comment on an older post. Nothing comes twice, and the cursor is compact and
// versioned.
func TestFetchCommentsPagingAndWatermarks(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	f.PageLimit = 2
	ancient := f.AddPost(pageID, "", "last year", "2026-11-01T09:00:00+0000")
	f.AddComment(ancient, "", "200", "Old Timer", "history", "2026-11-02T09:00:00+0000")
	older := f.AddPost(pageID, "", "autumn menu", "2026-12-01T09:00:00+0000")
	f.AddComment(older, "", "204", "Kim", "still on?", "2026-12-01T10:00:00+0000")
	post := f.AddPost(pageID, "", "new beans", "2026-12-05T09:00:00+0000")
	q := f.AddComment(post, "", "201", "Maria R", "when do they ship?", "2026-12-05T10:00:00+0000")
	f.AddComment(post, "", "202", "Joao", "love the bag", "2026-12-05T09:30:00+0000")
	own := f.AddComment(post, q, pageID, "", "Monday!", "2026-12-05T10:05:00+0000")
	f.AddComment(post, "", "203", "Lee", "and to Porto?", "2026-12-05T10:05:30+0000")
	thanks := f.AddComment(post, q, "201", "Maria R", "thanks!", "2026-12-05T10:06:00+0000")
	fe := &fetcher{t: t, a: newAdapter(t, f, facebook.Options{}), seen: map[string]int{}}

	ms := fe.fetch()
	if got := texts(ms); got != "still on? | love the bag | when do they ship? | Monday! | and to Porto? | thanks!" {
		t.Fatalf("first fetch: %q", got)
	}
	if n := requests(f, "GET", "/"+post+"/comments"); n != 3 {
		t.Errorf("%d pages of the post's 5 comments read, want 3 (2 a page)", n)
	}
	m := ms[2]
	if m.Channel != "facebook" || m.Account != pageID || m.ID != q || m.Kind != inbox.KindComment || m.Conversation != "post:"+post ||
		m.Direction != inbox.In || m.Author == nil || m.Author.ID != "201" || m.Author.Name != "Maria R" || m.InReplyTo != "" ||
		!strings.HasPrefix(m.URL, "https://www.facebook.com/") || !m.CreatedAt.Equal(time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("comment: %+v", m)
	}
	if r := ms[3]; r.ID != own || r.Direction != inbox.Out || r.Agent != meta.NativeAgent || r.InReplyTo != q || r.Author != nil {
		t.Errorf("the Page's own reply: %+v", r)
	}
	if r := ms[5]; r.ID != thanks || r.InReplyTo != q || r.Direction != inbox.In {
		t.Errorf("a reply to a comment: %+v", r)
	}
	if !strings.HasPrefix(fe.cur, "fb1:{") || len(fe.cur) > 400 {
		t.Errorf("cursor %q: want fb1: and compact JSON", fe.cur)
	}

	before := fe.cur
	if ms := fe.fetch(); len(ms) != 0 || fe.cur != before {
		t.Fatalf("nothing new: %q, cursor %q → %q", texts(ms), before, fe.cur)
	}
	f.AddComment(post, "", "205", "Ana", "same second", "2026-12-05T10:06:00+0000")
	f.AddComment(older, "", "206", "Rui", "late on the older post", "2026-12-06T11:00:00+0000")
	if got := texts(fe.fetch()); got != "same second | late on the older post" {
		t.Errorf("third fetch: %q, want the two new ones", got)
	}
	if ms := fe.fetch(); len(ms) != 0 {
		t.Errorf("fourth fetch: %q", texts(ms))
	}
	if fe.seen["200"+ancient] != 0 || len(fe.seen) != 8 {
		t.Errorf("brought %v, want the 8 comments of the last week", fe.seen)
	}
}

// Each watched post keeps its own watermark: a comment that shows up late on one post
// (held for review, approved after a newer comment elsewhere was seen) is still brought.
func TestFetchLateCommentOnAWatchedPost(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	a := f.AddPost(pageID, "", "post a", "2026-12-05T08:00:00+0000")
	b := f.AddPost(pageID, "", "post b", "2026-12-05T09:00:00+0000")
	f.AddComment(a, "", "201", "Kim", "on a", "2026-12-05T10:00:00+0000")
	fe := &fetcher{t: t, a: newAdapter(t, f, facebook.Options{}), seen: map[string]int{}}
	if got := texts(fe.fetch()); got != "on a" {
		t.Fatalf("first fetch: %q", got)
	}
	f.AddComment(b, "", "202", "Lee", "on b", "2026-12-05T11:00:00+0000")
	if got := texts(fe.fetch()); got != "on b" {
		t.Fatalf("second fetch: %q", got)
	}
	f.AddComment(a, "", "203", "Ana", "held for review", "2026-12-05T10:30:00+0000")
	f.Touch(a, "2026-12-05T11:30:00+0000")
	if got := texts(fe.fetch()); got != "held for review" {
		t.Errorf("third fetch: %q, want the comment approved late", got)
	}
}

// Only watch_posts posts with activity are read per sync, newest first.
func TestFetchReadsOnlyWatchPosts(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	for i := range 3 {
		p := f.AddPost(pageID, "", fmt.Sprint("post ", i), fmt.Sprintf("2026-12-0%dT09:00:00+0000", i+1))
		f.AddComment(p, "", "210", "Kim", fmt.Sprint("on post ", i), fmt.Sprintf("2026-12-0%dT10:00:00+0000", i+1))
	}
	fe := &fetcher{t: t, a: newAdapter(t, f, facebook.Options{WatchPosts: 2}), seen: map[string]int{}}
	if got := texts(fe.fetch()); got != "on post 1 | on post 2" {
		t.Errorf("watching 2 posts: %q", got)
	}
}

// A post someone else wrote on the Page is a message (the first of the post's
// conversation, a comment as Meta's webhook makes it), brought once; the Page's own
// posts are not messages.
func TestFetchVisitorPosts(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	f.AddPost(pageID, "", "We're hiring baristas", "2026-12-05T07:00:00+0000")
	v := f.AddPost("301", "Ana Lima", "Is the shop open on Sunday?", "2026-12-05T08:00:00+0000")
	f.AddComment(v, "", "302", "Rui", "it was last week", "2026-12-05T08:30:00+0000")
	fe := &fetcher{t: t, a: newAdapter(t, f, facebook.Options{}), seen: map[string]int{}}

	ms := fe.fetch()
	if got := texts(ms); got != "Is the shop open on Sunday? | it was last week" {
		t.Fatalf("first fetch: %q", got)
	}
	if m := ms[0]; m.ID != v || m.Kind != inbox.KindComment || m.Conversation != "post:"+v || m.Direction != inbox.In ||
		m.Author == nil || m.Author.ID != "301" || m.Author.Name != "Ana Lima" || m.URL == "" {
		t.Errorf("visitor post: %+v", m)
	}
	if m := ms[1]; m.Conversation != "post:"+v || m.InReplyTo != "" {
		t.Errorf("comment on the visitor post: %+v", m)
	}
	f.AddComment(v, "", pageID, "", "Yes, 9 to 5!", "2026-12-06T09:00:00+0000")
	ms = fe.fetch()
	if len(ms) != 1 || ms[0].Text != "Yes, 9 to 5!" || ms[0].Direction != inbox.Out {
		t.Errorf("after the Page answered: %+v", ms)
	}
}

// Messenger: conversations updated since the last sync, page after page, and each one's
// new messages, paged on their own when there are more than the nested edge holds; the
// Page's own messages are outbound in the person's conversation.
func TestFetchMessengerPaging(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	f.PageLimit = 2
	f.AddMessage("7004", "Old Friend", false, "from last month", "2026-11-20T10:00:00+0000")
	f.AddMessage("7001", "Maria R", false, "hi", "2026-12-05T09:00:00+0000")
	hello := f.AddMessage("7001", "", true, "hello! how can we help?", "2026-12-05T09:05:00+0000")
	f.AddMessage("7001", "", false, "my order 42", "2026-12-05T09:10:00+0000")
	f.AddMessage("7001", "", false, "it is late", "2026-12-05T09:11:00+0000")
	f.AddMessage("7001", "", false, "a week now", "2026-12-05T09:12:00+0000")
	f.AddMessage("7002", "Joao", false, "refund?", "2026-12-05T10:00:00+0000")
	f.AddMessage("7003", "Lee", false, "open today?", "2026-12-05T10:30:00+0000")
	fe := &fetcher{t: t, a: newAdapter(t, f, facebook.Options{}), seen: map[string]int{}}

	ms := fe.fetch()
	if got := texts(ms); got != "hi | hello! how can we help? | my order 42 | it is late | a week now | refund? | open today?" {
		t.Fatalf("first fetch: %q", got)
	}
	if n := requests(f, "GET", "/"+pageID+"/conversations"); n != 2 {
		t.Errorf("%d pages of conversations read, want 2 (the second ends at last month's)", n)
	}
	m := ms[0]
	if m.Kind != inbox.KindDM || m.Conversation != "dm:7001" || m.Direction != inbox.In || m.Author == nil || m.Author.ID != "7001" ||
		m.Author.Name != "Maria R" || !strings.HasPrefix(m.ID, "m_") {
		t.Errorf("DM: %+v", m)
	}
	if m := ms[1]; m.ID != hello || m.Direction != inbox.Out || m.Agent != meta.NativeAgent || m.Conversation != "dm:7001" {
		t.Errorf("the Page's own message: %+v", m)
	}

	if ms := fe.fetch(); len(ms) != 0 {
		t.Fatalf("nothing new: %q", texts(ms))
	}
	f.AddMessage("7003", "", false, "or tomorrow?", "2026-12-05T10:30:00+0000")
	f.AddMessage("7002", "", false, "thanks", "2026-12-06T11:00:00+0000")
	if got := texts(fe.fetch()); got != "or tomorrow? | thanks" {
		t.Errorf("third fetch: %q", got)
	}
	if ms := fe.fetch(); len(ms) != 0 {
		t.Errorf("fourth fetch: %q", texts(ms))
	}
}

// An expired token stops the fetch with a permanent error that says to reconnect and
// names the account; a rate limit waits what Meta's X-Business-Use-Case-Usage says.
// Neither holds the token.
func TestFetchFailures(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	f.AddComment(f.AddPost(pageID, "", "p", "2026-12-05T09:00:00+0000"), "", "201", "Kim", "hi", "2026-12-05T10:00:00+0000")
	var ae *adapters.Error

	f.Fail(metatest.Failure{Path: "/" + pageID + "/conversations", Status: 400, Code: 190, Subcode: 463, Type: "OAuthException",
		Message: "Error validating access token: Session has expired on Friday, 04-Dec-26 10:00:00 PST."})
	_, err := newAdapter(t, f, facebook.Options{}).Fetch(context.Background(), "")
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "reconnect: the token for account facebook expired") {
		t.Errorf("expired token: %v", err)
	}

	// A token without pages_messaging: permanent, says what it needs or how to go on, and
	// poll_messenger = false polls the feed alone.
	f.Fail(metatest.Failure{Path: "/" + pageID + "/conversations", Status: 403, Code: 10, Type: "OAuthException",
		Message: "(#10) Application does not have permission for this action"})
	_, err = newAdapter(t, f, facebook.Options{}).Fetch(context.Background(), "")
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "needs pages_messaging; or set poll_messenger = false") {
		t.Errorf("no messaging permission: %v", err)
	}
	b, err := newAdapter(t, f, facebook.Options{SkipMessenger: true}).Fetch(context.Background(), "")
	if err != nil || texts(b.Messages) != "hi" || requests(f, "GET", "/"+pageID+"/conversations") != 2 {
		t.Errorf("poll_messenger = false: %q, %v", texts(b.Messages), err)
	}

	rl := metatest.RateLimited(32, pageID, 7)
	rl.Path = "/" + pageID + "/feed"
	f.Fail(rl)
	_, err = newAdapter(t, f, facebook.Options{}).Fetch(context.Background(), "")
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter != 7*time.Minute {
		t.Errorf("rate limit: %v (%+v)", err, ae)
	}
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %v", err)
	}
}
