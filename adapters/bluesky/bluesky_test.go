package bluesky_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/bluesky"
	"github.com/triage-inbox/triage/inbox"
)

var (
	us    = map[string]any{"did": ourDID, "handle": "acme.bsky.social", "displayName": "Acme Coffee"}
	dana  = profileOf("dana.bsky.social", "Dana ☕")
	eli   = profileOf("eli.example.com", "")
	ctxBG = context.Background()
)

func newAdapter(t *testing.T, f *fake) *bluesky.Adapter {
	t.Helper()
	t.Setenv("TEST_BSKY_PASSWORD", password)
	acc, err := adapters.NewAccount(0, map[string]any{"name": "acme", "channel": "bluesky", "service": f.srv.URL,
		"handle": "@acme.bsky.social", "password_env": "TEST_BSKY_PASSWORD"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := bluesky.New(ctxBG, acc)
	if err != nil {
		t.Fatal(err)
	}
	return a.(*bluesky.Adapter)
}

func TestFetchNotifications(t *testing.T) {
	f := newFake(t)
	ours := f.addPost(us, "New beans are in!", "", "", nil)
	shown := "@acme.bsky.social my order #1234 never came, see example.com/track/12…"
	start := strings.Index(shown, "example.com")
	mention := f.addPost(dana, shown, "mention", "", map[string]any{"facets": []any{map[string]any{
		"index":    map[string]any{"byteStart": start, "byteEnd": len(shown)},
		"features": []any{map[string]any{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/track/1234567"}}}}})
	f.addLike(eli, ours)
	reply := f.addPost(eli, "Do you ship to Canada?", "reply", ours, nil)
	deeper := f.addPost(dana, "Same question 👆", "reply", reply, nil)
	quote := f.addPost(eli, "", "quote", "", map[string]any{"embed": map[string]any{"$type": "app.bsky.embed.record",
		"record": map[string]any{"uri": ours, "cid": "bafyx"}}})

	a := newAdapter(t, f)
	b, err := a.Fetch(ctxBG, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); !slices.Equal(got, []string{"com.atproto.server.createSession", "app.bsky.notification.listNotifications"}) {
		t.Errorf("calls %v", got)
	}
	_, login := f.last("com.atproto.server.createSession")
	if login["identifier"] != "acme.bsky.social" || login["password"] != password {
		t.Errorf("createSession body %v", login)
	}
	req, _ := f.last("app.bsky.notification.listNotifications")
	if q := req.URL.Query(); q.Get("limit") != "50" || !slices.Equal(q["reasons"], []string{"mention", "reply", "quote"}) ||
		req.Header.Get("Authorization") != "Bearer eyJ.access-1-SECRET" {
		t.Errorf("listNotifications %v, auth %q", q, req.Header.Get("Authorization"))
	}
	var ids []string
	for _, m := range b.Messages {
		ids = append(ids, m.ID)
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.ID, err)
		}
	}
	if !slices.Equal(ids, []string{mention, reply, deeper, quote}) || b.More || b.Cursor == "" {
		t.Fatalf("got %v (More %v, cursor %q), want %v", ids, b.More, b.Cursor, []string{mention, reply, deeper, quote})
	}
	m := b.Messages[0]
	want := inbox.Message{Channel: "bluesky", Account: "@acme.bsky.social", ID: mention, Conversation: mention,
		Kind: inbox.KindMention, Direction: inbox.In, Author: &inbox.Author{ID: dana["did"].(string), Handle: "@dana.bsky.social", Name: "Dana ☕"},
		Text:      "@acme.bsky.social my order #1234 never came, see https://example.com/track/1234567",
		URL:       "https://bsky.app/profile/dana.bsky.social/post/" + mention[strings.LastIndex(mention, "/")+1:],
		CreatedAt: time.Date(2026, 11, 25, 9, 1, 58, 0, time.UTC)}
	if *m.Author != *want.Author {
		t.Errorf("author %+v, want %+v", m.Author, want.Author)
	}
	m.Author, want.Author = nil, nil
	if m != want {
		t.Errorf("mention:\n got %+v\nwant %+v", m, want)
	}
	if m := b.Messages[1]; m.Kind != inbox.KindComment || m.InReplyTo != ours || m.Conversation != ours {
		t.Errorf("reply: %+v", m)
	}
	if m := b.Messages[2]; m.Kind != inbox.KindComment || m.InReplyTo != reply || m.Conversation != ours {
		t.Errorf("reply in a thread: %+v", m)
	}
	if m := b.Messages[3]; m.Kind != inbox.KindMention || m.Conversation != quote || !strings.HasPrefix(m.Text, "[quote] https://bsky.app/profile/"+ourDID) {
		t.Errorf("quote: %+v", m)
	}
}

func TestFetchCursorAndPaging(t *testing.T) {
	f := newFake(t)
	for i := range 120 {
		f.addPost(dana, fmt.Sprint("old ", i), "mention", "", nil)
	}
	a := newAdapter(t, f)
	b, err := a.Fetch(ctxBG, "")
	if err != nil || len(b.Messages) != 50 || b.More {
		t.Fatalf("first fetch: %d messages, More %v, %v; want the newest page only", len(b.Messages), b.More, err)
	}
	if b.Messages[49].Text != "old 119" {
		t.Errorf("newest = %q", b.Messages[49].Text)
	}
	cursor := b.Cursor
	if b, err = a.Fetch(ctxBG, cursor); err != nil || len(b.Messages) != 0 || b.Cursor != cursor {
		t.Fatalf("idle fetch: %d messages, cursor %q → %q, %v", len(b.Messages), cursor, b.Cursor, err)
	}

	// 130 arrive: three pages, read back to the stored position, nothing old again.
	var want []string
	for i := range 130 {
		want = append(want, f.addPost(eli, fmt.Sprint("new ", i), "reply", "", nil))
		if i%40 == 0 {
			f.addLike(dana, want[0]) // not a message, and filtered out by reasons
		}
	}
	defer bluesky.SetMaxPages(bluesky.SetMaxPages(2))
	var got []string
	for i := 0; ; i++ {
		b, err = a.Fetch(ctxBG, cursor)
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
		if i > 5 {
			t.Fatal("More never ends")
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("got %d new messages, want %d", len(got), len(want))
	}
	if b, err = a.Fetch(ctxBG, cursor); err != nil || len(b.Messages) != 0 {
		t.Errorf("fetch after catching up: %d messages, %v", len(b.Messages), err)
	}
	f.addPost(dana, "one more", "mention", "", nil)
	if b, err = a.Fetch(ctxBG, cursor); err != nil || len(b.Messages) != 1 || b.Messages[0].Text != "one more" {
		t.Errorf("one new: %+v, %v", b.Messages, err)
	}
}

func TestSendReplyReferences(t *testing.T) {
	f := newFake(t)
	ours := f.addPost(us, "New beans are in!", "", "", nil)
	q := f.addPost(eli, "Do you ship to Canada?", "reply", ours, nil)
	top := f.addPost(dana, "@acme.bsky.social hello", "mention", "", nil)
	a := newAdapter(t, f)
	a.SetClock(func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) })

	text := "Yes! Rates: https://acme.example/shipping. Ünïcode first 😀"
	uri, err := a.Send(ctxBG, inbox.Outgoing{Key: "k1", Text: text, InReplyTo: q, Kind: inbox.KindComment})
	if err != nil {
		t.Fatal(err)
	}
	req, body := f.last("com.atproto.repo.createRecord")
	if req.Header.Get("Authorization") == "" || body["repo"] != ourDID || body["collection"] != "app.bsky.feed.post" {
		t.Fatalf("createRecord %v", body)
	}
	rec := body["record"].(map[string]any)
	reply := rec["reply"].(map[string]any)
	root, parent := reply["root"].(map[string]any), reply["parent"].(map[string]any)
	if rec["$type"] != "app.bsky.feed.post" || rec["text"] != text || rec["createdAt"] != "2026-11-25T12:00:00.000Z" {
		t.Errorf("record %v", rec)
	}
	if root["uri"] != ours || root["cid"] != f.posts[ours]["cid"] || parent["uri"] != q || parent["cid"] != f.posts[q]["cid"] {
		t.Errorf("reply refs root=%v parent=%v", root, parent)
	}
	facets := rec["facets"].([]any)
	idx := facets[0].(map[string]any)["index"].(map[string]any)
	if s, e := int(idx["byteStart"].(float64)), int(idx["byteEnd"].(float64)); len(facets) != 1 || text[s:e] != "https://acme.example/shipping" {
		t.Errorf("facets %v", facets)
	}
	if recs := f.records(); uri != recs[0]["uri"] {
		t.Errorf("Send = %q, want %q", uri, recs[0]["uri"])
	}

	// A post that starts a thread is the reply's root as well as its parent.
	if _, err := a.Send(ctxBG, inbox.Outgoing{Key: "k2", Text: "Hi Dana!", InReplyTo: top}); err != nil {
		t.Fatal(err)
	}
	_, body = f.last("com.atproto.repo.createRecord")
	reply = body["record"].(map[string]any)["reply"].(map[string]any)
	if r, p := reply["root"].(map[string]any), reply["parent"].(map[string]any); r["uri"] != top || p["uri"] != top || r["cid"] != p["cid"] {
		t.Errorf("top-level refs root=%v parent=%v", r, p)
	}
}

func TestSendTooLong(t *testing.T) {
	f := newFake(t)
	top := f.addPost(dana, "hi", "mention", "", nil)
	a := newAdapter(t, f)
	family := "👨‍👩‍👧" // one grapheme, five code points
	if _, err := a.Send(ctxBG, inbox.Outgoing{Text: strings.Repeat(family, 101), InReplyTo: top}); err != nil {
		t.Errorf("101 graphemes: %v", err)
	}
	n, _ := f.counts()
	_, err := a.Send(ctxBG, inbox.Outgoing{Text: strings.Repeat("é", 301), InReplyTo: top})
	if ae := classOf(t, err); !ae.Permanent || !errors.Is(err, bluesky.ErrTooLong) {
		t.Errorf("301 graphemes: %v", err)
	}
	if m, _ := f.counts(); m != n {
		t.Error("a text too long was sent to the server")
	}
}

func TestSessionRefresh(t *testing.T) {
	f := newFake(t)
	f.addPost(dana, "hi", "mention", "", nil)
	a := newAdapter(t, f)
	if _, err := a.Fetch(ctxBG, ""); err != nil {
		t.Fatal(err)
	}
	f.expireAccess(false)
	if b, err := a.Fetch(ctxBG, ""); err != nil || len(b.Messages) != 1 {
		t.Fatalf("after expiry: %v", err)
	}
	calls := f.calls()
	if want := []string{"app.bsky.notification.listNotifications", "com.atproto.server.refreshSession",
		"app.bsky.notification.listNotifications"}; !slices.Equal(calls[2:], want) {
		t.Errorf("calls %v, want ... %v", calls, want)
	}
	if r, _ := f.last("com.atproto.server.refreshSession"); r.Header.Get("Authorization") != "Bearer eyJ.refresh-1-SECRET" {
		t.Errorf("refreshSession auth %q", r.Header.Get("Authorization"))
	}
	if r, _ := f.last("app.bsky.notification.listNotifications"); r.Header.Get("Authorization") != "Bearer eyJ.access-2-SECRET" {
		t.Errorf("retry auth %q", r.Header.Get("Authorization"))
	}

	// Both tokens expired: log in again with the app password.
	f.expireAccess(true)
	if _, err := a.Fetch(ctxBG, ""); err != nil {
		t.Fatalf("after both expired: %v", err)
	}
	if _, logins := f.counts(); logins != 2 {
		t.Errorf("%d logins, want 2", logins)
	}
}

func TestSentFindsPostedReply(t *testing.T) {
	f := newFake(t)
	top := f.addPost(dana, "where is my order?", "mention", "", nil)
	a := newAdapter(t, f)
	out := inbox.Outgoing{Key: "k", Text: "It ships today.", InReplyTo: top}
	if _, found, err := a.Sent(ctxBG, out); err != nil || found {
		t.Fatalf("before sending: found %v, %v", found, err)
	}
	// The post is written, then the connection drops before the answer: to triage, a
	// send cut off mid-way.
	f.mu.Lock()
	f.dropAfterWrite = true
	f.mu.Unlock()
	_, err := a.Send(ctxBG, out)
	recs := f.records()
	if ae := classOf(t, err); ae.Permanent || len(recs) != 1 {
		t.Fatalf("cut-off send: %v, %d records", err, len(recs))
	}
	uri := recs[0]["uri"]
	for i := range 3 {
		f.addPost(us, fmt.Sprint("unrelated ", i), "", "", nil)
		a.Send(ctxBG, inbox.Outgoing{Text: "Other reply", InReplyTo: top})
	}
	got, found, err := a.Sent(ctxBG, out)
	if err != nil || !found || got != uri {
		t.Errorf("Sent = %q, %v, %v; want %q", got, found, err, uri)
	}
	req, _ := f.last("com.atproto.repo.listRecords")
	if q := req.URL.Query(); q.Get("repo") != ourDID || q.Get("collection") != "app.bsky.feed.post" || q.Get("limit") != "100" {
		t.Errorf("listRecords %v", q)
	}
	if _, found, _ := a.Sent(ctxBG, inbox.Outgoing{Text: "It ships tomorrow.", InReplyTo: top}); found {
		t.Error("found a reply with other text")
	}
	if a.Capabilities().Idempotent {
		t.Error("Idempotent, but Bluesky has no idempotency key")
	}
}

func classOf(t *testing.T, err error) *adapters.Error {
	t.Helper()
	var ae *adapters.Error
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want *adapters.Error", err, err)
	}
	for _, secret := range []string{password, "SECRET", "eyJ"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains a secret", err)
		}
	}
	return ae
}
