package mastodon_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/mastodon"
	"github.com/triage-inbox/triage/inbox"
)

// us is the adapter's own account in the fake (verify_credentials answers id "1").
var us = acct("1", "acme", "", "Acme Coffee")

const ownStatuses = "/api/v1/accounts/1/statuses"

// ownAt adds a status of our own, not a reply, created at t.
func ownAt(f *fake, t time.Time, text string) string {
	return f.addStatus(us, "<p>"+text+"</p>", "public", "", false,
		map[string]any{"created_at": t.UTC().Format("2006-01-02T15:04:05.000Z"), "mentions": []any{}})
}

// A reply is found by the status it answers and its text as Mastodon shows it (line
// breaks as paragraphs, "@bob@other.example" shown as "@bob"); a reply with other text,
// or the same text under another status, is not it.
func TestSentFindsPostedReply(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	top := f.addStatus(bob, "<p>@acme my grinder arrived broken</p>", "public", "", true, nil)
	other := f.addStatus(carol, "<p>@acme mine too</p>", "public", "", true, nil)
	a := newAdapter(t, f, nil)

	const (
		sorry   = "Sorry about that!\nA new one is on its way.\n\nMaria"
		monday  = "Thanks @Bob@other.example, a new one ships Monday."
		nothing = "We'll look into it."
	)
	if _, found, err := a.Sent(ctx, inbox.Outgoing{Key: "k1", Text: sorry, InReplyTo: top}); err != nil || found {
		t.Fatalf("before sending: found %v, %v", found, err)
	}
	send := func(key, text, parent string) string {
		t.Helper()
		id, err := a.Send(ctx, inbox.Outgoing{Key: key, Text: text, InReplyTo: parent})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	sorryTop := send("k1", sorry, top)
	mondayTop := send("k2", monday, top)
	nothingOther := send("k3", nothing, other)
	if c := f.statuses[sorryTop]["content"]; !strings.Contains(c.(string), `@<span>bob</span></a></span> Sorry about that!<br />`) {
		t.Fatalf("the fake did not render the reply as Mastodon does: %s", c)
	}

	for _, tt := range []struct {
		name, text, parent, want string
	}{
		{"posted, mention added by Send", sorry, top, sorryTop},
		{"posted, mention written in full", monday, top, mondayTop},
		{"posted to a local author", nothing, other, nothingOther},
		{"only other replies to the status", nothing, top, ""},
		{"same text under another status", sorry, other, ""},
		{"text differs", strings.Replace(sorry, "way.", "way!", 1), top, ""},
		{"text differs in a word's case", strings.Replace(sorry, "Sorry", "sorry", 1), top, ""},
		{"same text, other line breaks", strings.ReplaceAll(sorry, "\n", "  \n "), top, sorryTop},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id, found, err := a.Sent(ctx, inbox.Outgoing{Key: "other-key", Text: tt.text, InReplyTo: tt.parent})
			if err != nil || found != (tt.want != "") || id != tt.want {
				t.Errorf("Sent = %q, %v, %v; want %q", id, found, err, tt.want)
			}
		})
	}
	req, _ := f.last()
	if q := req.URL.Query(); req.URL.Path != ownStatuses || q.Get("limit") != "40" || q.Get("exclude_reblogs") != "true" ||
		q.Get("max_id") != "" {
		t.Errorf("request %s %v", req.URL.Path, q)
	}
	if n := f.count("/api/v1/accounts/verify_credentials"); n != 1 {
		t.Errorf("verify_credentials asked %d times, want once (the id is kept)", n)
	}
	if n := len(f.posted); n != 3 {
		t.Errorf("%d statuses posted, want 3: Sent must not post", n)
	}
}

// Sent pages back through the account's statuses with the Link header's max_id, and
// stops at the page that reaches back before the status answered.
func TestSentPagesBackToTheStatusAnswered(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	morning := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for i := range 100 { // the day before: older than anything answered
		ownAt(f, morning.Add(-24*time.Hour+time.Duration(i)*time.Minute), fmt.Sprint("yesterday's news ", i))
	}
	top := f.addStatus(bob, "<p>@acme my grinder arrived broken</p>", "public", "", true, nil) // 10:00
	a := newAdapter(t, f, nil)
	out := inbox.Outgoing{Key: "k", Text: "Sorry! A new one is on its way.", InReplyTo: top}
	id, err := a.Send(ctx, out) // 12:00
	if err != nil {
		t.Fatal(err)
	}
	for i := range 45 { // posted after the reply: it is now on the second page
		ownAt(f, morning.Add(5*time.Hour+time.Duration(i)*time.Minute), fmt.Sprint("today's news ", i))
	}

	got, found, err := a.Sent(ctx, out)
	if err != nil || !found || got != id {
		t.Fatalf("Sent = %q, %v, %v; want %q", got, found, err, id)
	}
	if n := f.count(ownStatuses); n != 2 {
		t.Errorf("%d pages read, want 2", n)
	}
	req, _ := f.last()
	if want := f.own()[39]; req.URL.Query().Get("max_id") != want {
		t.Errorf("second page max_id = %q, want the first page's oldest %q", req.URL.Query().Get("max_id"), want)
	}

	// Not posted: the second page reaches yesterday, older than the status answered less
	// an hour for clock skew, so there is no third.
	_, found, err = a.Sent(ctx, inbox.Outgoing{Key: "k2", Text: "Never sent.", InReplyTo: top})
	if err != nil || found {
		t.Fatalf("Sent of a reply never posted: found %v, %v", found, err)
	}
	if n := f.count(ownStatuses); n != 4 {
		t.Errorf("%d pages read for the reply never posted, want 2 (before: 2)", n-2)
	}
}

// More statuses since the status answered than Sent reads: it says it could not tell,
// rather than "not posted", which would post again.
func TestSentGivesUpAfterBoundedPages(t *testing.T) {
	f := newFake(t)
	top := f.addStatus(bob, "<p>@acme hi</p>", "public", "", true, nil)
	noon := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := range 20*40 + 1 {
		ownAt(f, noon.Add(time.Duration(i)*time.Second), "news")
	}
	a := newAdapter(t, f, nil)
	_, found, err := a.Sent(context.Background(), inbox.Outgoing{Key: "k", Text: "hello", InReplyTo: top})
	if ae := classOf(t, err); found || !ae.Permanent || !errors.Is(err, mastodon.ErrTooManyStatuses) {
		t.Errorf("Sent = %v, %v; want ErrTooManyStatuses", found, err)
	}
	if n := f.count(ownStatuses); n != 20 {
		t.Errorf("%d pages read, want 20", n)
	}
}

// Failures are classified as Fetch's and Send's are, and never carry the token.
func TestSentFailures(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	top := f.addStatus(bob, "<p>@acme hi</p>", "public", "", true, nil)
	a := newAdapter(t, f, nil)
	out := inbox.Outgoing{Key: "k", Text: "hello", InReplyTo: top}

	// A 401 that repeats the token (as a misconfigured proxy might).
	f.fail(failure{path: ownStatuses, status: 401, body: `{"error":"The access token ` + token + ` is invalid"}`})
	_, found, err := a.Sent(ctx, out)
	if ae := classOf(t, err); found || !ae.Permanent || ae.Status != 401 || !strings.Contains(err.Error(), "look for a sent reply") {
		t.Errorf("401: %v, %v", found, err)
	}

	f.fail(failure{path: ownStatuses, status: 429, header: map[string]string{"Retry-After": "30"}, body: `{"error":"Too many requests"}`})
	_, _, err = a.Sent(ctx, out)
	if ae := classOf(t, err); ae.Permanent || ae.RetryAfter != 30*time.Second {
		t.Errorf("429: %+v", ae)
	}

	_, _, err = a.Sent(ctx, inbox.Outgoing{Key: "k", Text: "hello", InReplyTo: "999"})
	if ae := classOf(t, err); !ae.Permanent || ae.Status != 404 {
		t.Errorf("status answered is gone: %v", err)
	}

	t.Setenv("TEST_MASTODON_TOKEN", "revoked-token")
	acc, _ := adapters.NewAccount(0, map[string]any{"name": "acme", "channel": "mastodon", "server": f.srv.URL,
		"handle": "acme", "token_env": "TEST_MASTODON_TOKEN"})
	bad, _ := mastodon.New(ctx, acc)
	_, _, err = bad.(adapters.Checker).Sent(ctx, out)
	if ae := classOf(t, err); !ae.Permanent || ae.Status != 401 || strings.Contains(err.Error(), "revoked-token") {
		t.Errorf("revoked token: %v", err)
	}
}
