package mastodon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/mastodon"
	"github.com/triage-inbox/triage/inbox"
)

var (
	bob   = acct("201", "bob", "other.example", "Bob 🐢")
	carol = acct("202", "carol", "", "Carol")
)

func newAdapter(t *testing.T, f *fake, keys map[string]any) *mastodon.Adapter {
	t.Helper()
	t.Setenv("TEST_MASTODON_TOKEN", token)
	table := map[string]any{"name": "acme", "channel": "mastodon", "server": f.srv.URL,
		"handle": "@acme@mastodon.example", "token_env": "TEST_MASTODON_TOKEN"}
	for k, v := range keys {
		if table[k] = v; v == nil {
			delete(table, k)
		}
	}
	acc, err := adapters.NewAccount(0, table)
	if err != nil {
		t.Fatal(err)
	}
	a, err := mastodon.New(context.Background(), acc)
	if err != nil {
		t.Fatal(err)
	}
	return a.(*mastodon.Adapter)
}

func TestFetchMentions(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	top := f.addStatus(bob, `<p><span class="h-card" translate="no"><a href="https://mastodon.example/@acme" class="u-url mention">@<span>acme</span></a></span> my grinder arrived broken &amp; the box was wet.</p><p>Order <a href="https://shop.example/o/123" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="">shop.example/o/123</span><span class="invisible"></span></a><br />Can you help?</p>`,
		"public", "", true, map[string]any{"spoiler_text": "complaint",
			"media_attachments": []any{map[string]any{"id": "9", "type": "image", "url": "https://files.example/1.jpg", "description": "a dented\ngrinder"}}})
	f.addNotification("favourite", carol, f.statuses[top])
	reply := f.addStatus(carol, `<p>@acme same here</p>`, "unlisted", top, true, nil)
	dm := f.addStatus(carol, `<p>@acme my address is private, can I DM it?</p>`, "direct", "", true, nil)
	f.addNotification("mention", bob, nil) // its status was deleted

	a := newAdapter(t, f, nil)
	b, err := a.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := f.last()
	q := req.URL.Query()
	if req.URL.Path != "/api/v1/notifications" || q.Get("types[]") != "mention" || q.Get("limit") != "40" ||
		q.Get("min_id") != "" || q.Get("include_filtered") != "true" || req.Header.Get("Authorization") != "Bearer "+token {
		t.Errorf("request %s %v auth=%q", req.URL.Path, q, req.Header.Get("Authorization"))
	}
	if len(b.Messages) != 3 || b.More {
		t.Fatalf("got %d messages (More %v), want 3: %+v", len(b.Messages), b.More, b.Messages)
	}
	if want := f.notifs[len(f.notifs)-1]["id"]; b.Cursor != want {
		t.Errorf("cursor = %q, want the newest notification %q", b.Cursor, want)
	}
	m := b.Messages[0]
	want := inbox.Message{
		Channel: "mastodon", Account: "@acme@mastodon.example", ID: top, Conversation: "mastodon:" + top,
		Kind: inbox.KindMention, Direction: inbox.In,
		Author:    &inbox.Author{ID: "201", Handle: "@bob@other.example", Name: "Bob 🐢"},
		Text:      "CW: complaint\n\n@acme my grinder arrived broken & the box was wet.\n\nOrder https://shop.example/o/123\nCan you help?\n\n[image] https://files.example/1.jpg a dented grinder",
		URL:       "https://other.example/@bob/" + top,
		CreatedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
	}
	if !equal(m, want) {
		t.Errorf("mention:\n got %+v %+v\nwant %+v %+v", m, m.Author, want, want.Author)
	}
	if m := b.Messages[1]; m.ID != reply || m.InReplyTo != top || m.Conversation != "mastodon:"+top ||
		m.Kind != inbox.KindMention || m.Author.Handle != "@carol@mastodon.example" || m.Text != "@acme same here" {
		t.Errorf("reply: %+v", m)
	}
	if m := b.Messages[2]; m.ID != dm || m.Kind != inbox.KindDM || m.Conversation != "dm:202" {
		t.Errorf("dm: %+v", m)
	}
	for _, m := range b.Messages {
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.ID, err)
		}
	}
}

func equal(a, b inbox.Message) bool {
	if (a.Author == nil) != (b.Author == nil) || (a.Author != nil && *a.Author != *b.Author) {
		return false
	}
	a.Author, b.Author = nil, nil
	return a == b
}

func TestFetchPagesForwardFromCursor(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	for range 45 {
		f.addStatus(bob, "<p>old</p>", "public", "", true, nil)
	}
	a := newAdapter(t, f, nil)
	b, err := a.Fetch(ctx, "")
	if err != nil || len(b.Messages) != 40 || b.More {
		t.Fatalf("first fetch: %d messages, More %v, %v; want the newest 40 and no more", len(b.Messages), b.More, err)
	}
	if !(b.Messages[0].ID < b.Messages[39].ID) {
		t.Error("messages are not oldest first")
	}
	cursor := b.Cursor

	// Nothing new: nothing returned, cursor kept.
	if b, err = a.Fetch(ctx, cursor); err != nil || len(b.Messages) != 0 || b.Cursor != cursor {
		t.Fatalf("idle fetch: %+v, %v", b, err)
	}
	req, _ := f.last()
	if req.URL.Query().Get("min_id") != cursor {
		t.Errorf("min_id = %q, want the cursor %q", req.URL.Query().Get("min_id"), cursor)
	}

	// 43 arrive: a full page with More, then the rest, none missed, none twice.
	var ids []string
	for range 43 {
		ids = append(ids, f.addStatus(carol, "<p>new</p>", "public", "", true, nil))
	}
	var got []string
	for i := 0; ; i++ {
		b, err = a.Fetch(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range b.Messages {
			got = append(got, m.ID)
		}
		cursor = b.Cursor
		if !b.More {
			break
		}
		if i > 3 {
			t.Fatal("More never ends")
		}
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("got %d new messages %v\nwant %d %v", len(got), got, len(ids), ids)
	}
}

func TestSendReply(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	pub := f.addStatus(bob, "<p>@acme hi</p>", "public", "", true, nil)
	unl := f.addStatus(carol, "<p>@acme hi</p>", "unlisted", "", true, nil)
	dm := f.addStatus(carol, "<p>@acme psst</p>", "direct", "", true, nil)

	tests := []struct {
		name, parent, text string
		kind               inbox.Kind
		wantText, wantVis  string
	}{
		{"public, remote author", pub, "Sorry! A new one is on its way.", inbox.KindMention,
			"@bob@other.example Sorry! A new one is on its way.", "public"},
		{"already mentioned", pub, "Thanks @Bob@other.example.", inbox.KindMention, "Thanks @Bob@other.example.", "public"},
		{"unlisted, local author", unl, "On it.", inbox.KindMention, "@carol On it.", "unlisted"},
		{"local author mentioned in full", unl, "@carol@mastodon.example on it", inbox.KindMention, "@carol@mastodon.example on it", "unlisted"},
		{"direct", dm, "Send it here.", inbox.KindDM, "@carol Send it here.", "direct"},
		{"dm answer to a public post", pub, "Let's take this private.", inbox.KindDM, "@bob@other.example Let's take this private.", "direct"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "key-" + string(rune('a'+i))
			out := inbox.Outgoing{Key: key, Channel: "mastodon", Account: a.Handle(), Kind: tt.kind, Text: tt.text, InReplyTo: tt.parent}
			id, err := a.Send(ctx, out)
			if err != nil || id == "" {
				t.Fatalf("Send = %q, %v", id, err)
			}
			req, body := f.last()
			if req.URL.Path != "/api/v1/statuses" || req.Header.Get("Idempotency-Key") != key {
				t.Errorf("request %s, Idempotency-Key %q", req.URL.Path, req.Header.Get("Idempotency-Key"))
			}
			if body["status"] != tt.wantText || body["visibility"] != tt.wantVis || body["in_reply_to_id"] != tt.parent {
				t.Errorf("posted %v", body)
			}
			// A retry with the same key (the answer was lost) gets the same status.
			again, err := a.Send(ctx, out)
			if err != nil || again != id {
				t.Errorf("retry = %q, %v; want %q", again, err, id)
			}
		})
	}
	f.mu.Lock()
	created := len(f.posted)
	f.mu.Unlock()
	if created != len(tests) {
		t.Errorf("%d statuses created, want %d", created, len(tests))
	}
	if !a.Capabilities().Idempotent {
		t.Error("not Idempotent")
	}
}

func TestSendToMissingStatusIsPermanent(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	for _, parent := range []string{"999", ""} {
		_, err := a.Send(context.Background(), inbox.Outgoing{Key: "k", Text: "hi", InReplyTo: parent})
		if ae := classOf(t, err); !ae.Permanent {
			t.Errorf("parent %q: err = %v, want Permanent", parent, err)
		}
	}
}

func classOf(t *testing.T, err error) *adapters.Error {
	t.Helper()
	var ae *adapters.Error
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want *adapters.Error", err, err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error %q contains the token", err)
	}
	return ae
}

func TestFailures(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	f.addStatus(bob, "<p>hi</p>", "public", "", true, nil)
	a := newAdapter(t, f, nil)

	f.fail(failure{status: 500, body: `<html><h1>We're sorry, but something went wrong.</h1></html>`})
	_, err := a.Fetch(ctx, "")
	if ae := classOf(t, err); ae.Permanent || ae.Status != 500 {
		t.Errorf("500: %+v", ae)
	}
	if b, err := a.Fetch(ctx, ""); err != nil || len(b.Messages) != 1 {
		t.Errorf("after 500: %d messages, %v", len(b.Messages), err)
	}

	f.fail(failure{status: 429, header: map[string]string{"Retry-After": "30"}, body: `{"error":"Too many requests"}`})
	_, err = a.Fetch(ctx, "")
	if ae := classOf(t, err); ae.Permanent || ae.RetryAfter != 30*time.Second {
		t.Errorf("429 Retry-After: %+v", ae)
	}

	reset := time.Now().Add(2 * time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
	f.fail(failure{status: 429, header: map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset": reset}, body: `{"error":"Too many requests"}`})
	_, err = a.Fetch(ctx, "")
	if ae := classOf(t, err); ae.Permanent || ae.RetryAfter < 100*time.Second || ae.RetryAfter > 121*time.Second {
		t.Errorf("429 rate-limit reset: %+v", ae)
	}

	f.setDown(true)
	_, err = a.Fetch(ctx, "")
	if ae := classOf(t, err); ae.Permanent {
		t.Errorf("dropped connection: %v, want Temporary", err)
	}
	f.setDown(false)

	t.Setenv("TEST_MASTODON_TOKEN", "revoked-token")
	acc, _ := adapters.NewAccount(0, map[string]any{"name": "acme", "channel": "mastodon", "server": f.srv.URL,
		"handle": "acme", "token_env": "TEST_MASTODON_TOKEN"})
	bad, _ := mastodon.New(ctx, acc)
	_, err = bad.Fetch(ctx, "")
	if ae := classOf(t, err); !ae.Permanent || ae.Status != 401 || !strings.Contains(err.Error(), "access token is invalid") {
		t.Errorf("401: %v", err)
	}
	if strings.Contains(err.Error(), "revoked-token") {
		t.Errorf("401 error %q contains the token", err)
	}
}

func TestModerate(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	id := f.addStatus(bob, "<p>buy followers at …</p>", "public", "", true, nil)
	for _, tt := range []struct{ action, path, category string }{
		{"mute", "/api/v1/accounts/201/mute", ""},
		{"block", "/api/v1/accounts/201/block", ""},
		{"report", "/api/v1/reports", "other"},
		{"spam", "/api/v1/reports", "spam"},
	} {
		if err := a.Moderate(ctx, tt.action, id); err != nil {
			t.Fatalf("%s: %v", tt.action, err)
		}
		req, body := f.last()
		if req.Method != "POST" || req.URL.Path != tt.path {
			t.Errorf("%s: %s %s, want POST %s", tt.action, req.Method, req.URL.Path, tt.path)
		}
		if tt.category != "" && (body["category"] != tt.category || body["account_id"] != "201" ||
			len(body["status_ids"].([]any)) != 1 || body["status_ids"].([]any)[0] != id) {
			t.Errorf("%s: report body %v", tt.action, body)
		}
	}
	err := a.Moderate(ctx, "hide", id)
	if ae := classOf(t, err); !ae.Permanent || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("hide: %v", err)
	}
}

func TestNew(t *testing.T) {
	f := newFake(t)
	if a := newAdapter(t, f, map[string]any{"handle": nil}); a.Handle() != "@acme@127.0.0.1" {
		t.Errorf("handle from verify_credentials = %q", a.Handle())
	}
	t.Setenv("TEST_MASTODON_TOKEN", token)
	for name, table := range map[string]map[string]any{
		"no server":   {"token_env": "TEST_MASTODON_TOKEN"},
		"plain http":  {"server": "http://mastodon.example", "token_env": "TEST_MASTODON_TOKEN"},
		"no token":    {"server": "https://mastodon.example", "handle": "acme"},
		"unset token": {"server": "https://mastodon.example", "handle": "acme", "token_env": "TEST_MASTODON_UNSET"},
	} {
		table["name"], table["channel"] = "acme", "mastodon"
		acc, _ := adapters.NewAccount(0, table)
		if _, err := mastodon.New(context.Background(), acc); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
