package instagram_test

import (
	"context"
	"errors"
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

// newAdapterWith builds the adapter with opts against the fake, whose clock is now.
func newAdapterWith(t *testing.T, f *metatest.Server, opts instagram.Options) *instagram.Adapter {
	t.Helper()
	f.Now = now
	cfg, c := graphClient(t, f)
	return instagram.NewWithOptions(cfg, c, opts, now)
}

// dmsOnly polls DMs alone, so the tests count only their requests.
var dmsOnly = instagram.Options{WatchPosts: 1, DMs: true}

// DMs arrive through the Conversations API: every message of the conversations updated
// in the last week, over several pages of conversations and of messages, oldest first;
// the customer's inbound with their username, the account's own (sent from Instagram's
// app) outbound by the native app, both in dm:<customer id>. The next fetch brings only
// what came since, even a message in the same second as the last one seen, and does not
// read the conversations updated before the watermark.
func TestFetchDMs(t *testing.T) {
	f := metatest.New(t, igUser, token)
	f.MaxPage = 2
	ctx := context.Background()
	stale := f.AddConversation("old.friend", "from last month", "2026-11-01T09:00:00+0000")
	maria := f.AddConversation("maria.r", "is the shop open?", "2026-12-06T09:00:00+0000")
	f.AddMessage(maria, false, "yes, until 6", "2026-12-06T09:05:00+0000")
	f.AddMessage(maria, true, "great", "2026-12-06T09:06:00+0000")
	joao := f.AddConversation("joao", "do you ship to Porto?", "2026-12-06T10:00:00+0000")
	f.AddConversation("kim", "hi!", "2026-12-06T10:30:00+0000")
	mariaID, _ := f.Customer(maria)
	a := newAdapterWith(t, f, dmsOnly)

	b, err := a.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(b.Messages); got != "is the shop open? | yes, until 6 | great | do you ship to Porto? | hi!" {
		t.Fatalf("first fetch: %q", got)
	}
	in, out := b.Messages[0], b.Messages[1]
	if in.Kind != inbox.KindDM || in.Conversation != "dm:"+mariaID || in.Direction != inbox.In || in.Author == nil ||
		in.Author.ID != mariaID || in.Author.Handle != "maria.r" || in.Account != igUser || in.Channel != "instagram" ||
		!in.CreatedAt.Equal(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("customer's DM: %+v", in)
	}
	if out.Conversation != "dm:"+mariaID || out.Direction != inbox.Out || out.Agent != meta.NativeAgent || out.Author != nil {
		t.Errorf("the account's own DM: %+v", out)
	}
	for _, r := range f.Requests() {
		if strings.Contains(r.Path, stale) {
			t.Errorf("read %s, a conversation not updated in the last week", r.Path)
		}
	}

	again, err := a.Fetch(ctx, b.Cursor)
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("nothing new: %q, %v", texts(again.Messages), err)
	}
	f.AddMessage(joao, true, "same second", "2026-12-06T10:30:00+0000")
	f.AddMessage(maria, true, "see you", "2026-12-06T11:00:00+0000")
	before := len(f.Requests())
	next, err := a.Fetch(ctx, again.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(next.Messages); got != "same second | see you" {
		t.Errorf("second fetch: %q, want the two new ones", got)
	}
	for _, r := range f.Requests()[before:] {
		if strings.Contains(r.Path, stale) {
			t.Errorf("second fetch read %s, not updated since the watermark", r.Path)
		}
	}
}

// A cursor written before DMs were polled (a bare comments watermark) still reads: its
// comments are not brought again, and DMs start from the last week.
func TestOldCursorStillReads(t *testing.T) {
	f := metatest.New(t, igUser, token)
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	seen := f.AddComment(post, "", "maria.r", "when do they ship?", "2026-12-05T10:00:00+0000")
	f.AddConversation("joao", "do you ship to Porto?", "2026-12-06T10:00:00+0000")
	a := newAdapterWith(t, f, instagram.DefaultOptions())
	b, err := a.Fetch(context.Background(), "2026-12-05T10:00:00Z "+seen)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(b.Messages); got != "do you ship to Porto?" {
		t.Errorf("fetch from an old cursor: %q, want the DM only", got)
	}
	if _, err := a.Fetch(context.Background(), "not a cursor"); err == nil {
		t.Error("a malformed cursor was accepted")
	}
}

// During DM polling, an expired token says to reconnect (permanent) and a rate limit waits
// what Meta said (temporary); the token is in neither, and the cursor is not moved: the
// next fetch brings what the failed one would have.
func TestFetchDMFailures(t *testing.T) {
	f := metatest.New(t, igUser, token)
	conv := f.AddConversation("maria.r", "is the shop open?", "2026-12-06T09:00:00+0000")
	f.Now = now
	cfg, c := graphClient(t, f)
	clock := now()
	c.Now = func() time.Time { return clock } // the client pauses after a rate limit: its time passes
	a := instagram.NewWithOptions(cfg, c, dmsOnly, now)
	ctx := context.Background()
	var ae *adapters.Error

	f.Fail(metatest.Failure{Path: "/me/conversations", Status: http.StatusBadRequest, Code: 190, Subcode: 463,
		Type: "OAuthException", Message: metatest.TokenExpired().Message})
	_, err := a.Fetch(ctx, "")
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "reconnect: the token for account instagram expired") ||
		!strings.Contains(err.Error(), "fetch direct messages") {
		t.Errorf("expired token: %v", err)
	}
	rl := metatest.RateLimited(80002, igUser, 7)
	rl.Path = "/" + conv + "/messages"
	f.Fail(rl)
	_, err = a.Fetch(ctx, "")
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter != 7*time.Minute {
		t.Errorf("rate limit on a conversation's messages: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %v", err)
	}
	clock = clock.Add(8 * time.Minute)
	// A token without the messaging permission: permanent, and says how to go on.
	f.Fail(metatest.Failure{Path: "/me/conversations", Status: http.StatusBadRequest, Code: 10, Type: "OAuthException",
		Message: "(#10) Application does not have permission for this action"})
	_, err = a.Fetch(ctx, "")
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "needs instagram_business_manage_messages; or set poll_dms = false") {
		t.Errorf("no messaging permission: %v", err)
	}
	b, err := a.Fetch(ctx, "")
	if err != nil || texts(b.Messages) != "is the shop open?" {
		t.Errorf("after the failures: %q, %v", texts(b.Messages), err)
	}
}
