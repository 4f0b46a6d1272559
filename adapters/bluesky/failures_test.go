package bluesky_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/bluesky"
	"github.com/triage-inbox/triage/inbox"
)

func TestFailures(t *testing.T) {
	f := newFake(t)
	f.addPost(dana, "hi", "mention", "", nil)
	a := newAdapter(t, f)
	if _, err := a.Fetch(ctxBG, ""); err != nil {
		t.Fatal(err)
	}

	f.fail(failure{status: 500, body: `{"error":"InternalServerError","message":"Internal Server Error"}`})
	_, err := a.Fetch(ctxBG, "")
	if ae := classOf(t, err); ae.Permanent || ae.Status != 500 {
		t.Errorf("500: %+v", ae)
	}
	if b, err := a.Fetch(ctxBG, ""); err != nil || len(b.Messages) != 1 {
		t.Errorf("after 500: %v", err)
	}

	reset := time.Now().Add(90 * time.Second).Unix()
	f.fail(failure{status: 429, header: map[string]string{"ratelimit-limit": "3000", "ratelimit-remaining": "0",
		"ratelimit-reset": strconv.FormatInt(reset, 10), "ratelimit-policy": "3000;w=300"},
		body: `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`})
	_, err = a.Fetch(ctxBG, "")
	if ae := classOf(t, err); ae.Permanent || ae.RetryAfter < 80*time.Second || ae.RetryAfter > 91*time.Second {
		t.Errorf("429 ratelimit-reset: %+v", ae)
	}

	f.fail(failure{status: 429, header: map[string]string{"Retry-After": "30"}, body: `{"error":"RateLimitExceeded"}`})
	_, err = a.Fetch(ctxBG, "")
	if ae := classOf(t, err); ae.Permanent || ae.RetryAfter != 30*time.Second {
		t.Errorf("429 Retry-After: %+v", ae)
	}

	f.setDown(true)
	_, err = a.Fetch(ctxBG, "")
	if ae := classOf(t, err); ae.Permanent {
		t.Errorf("dropped connection: %v, want Temporary", err)
	}
	f.setDown(false)

	// A wrong app password: Permanent, and neither it nor a token is in the error.
	t.Setenv("TEST_BSKY_PASSWORD", "wrong-SECRET-pass")
	acc, _ := adapters.NewAccount(0, map[string]any{"name": "acme", "channel": "bluesky", "service": f.srv.URL,
		"handle": "acme.bsky.social", "password_env": "TEST_BSKY_PASSWORD"})
	bad, err := bluesky.New(ctxBG, acc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Fetch(ctxBG, "")
	if ae := classOf(t, err); !ae.Permanent || ae.Status != 401 || !strings.Contains(err.Error(), "Invalid identifier or password") {
		t.Errorf("401: %v", err)
	}
}

func TestSendToDeletedPostIsPermanent(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f)
	for _, parent := range []string{"at://did:plc:gone/app.bsky.feed.post/3kxyz", "", "not-a-uri"} {
		_, err := a.Send(ctxBG, inbox.Outgoing{Key: "k", Text: "hi", InReplyTo: parent})
		if ae := classOf(t, err); !ae.Permanent || !errors.Is(err, bluesky.ErrNoParent) {
			t.Errorf("parent %q: %v", parent, err)
		}
	}
}

func TestModerate(t *testing.T) {
	f := newFake(t)
	spam := f.addPost(eli, "free followers at …", "mention", "", nil)
	a := newAdapter(t, f)
	if err := a.Moderate(ctxBG, "mute", spam); err != nil {
		t.Fatal(err)
	}
	if _, body := f.last("app.bsky.graph.muteActor"); body["actor"] != eli["did"] {
		t.Errorf("muteActor %v", body)
	}
	if err := a.Moderate(ctxBG, "block", spam); err != nil {
		t.Fatal(err)
	}
	_, body := f.last("com.atproto.repo.createRecord")
	rec := body["record"].(map[string]any)
	if body["collection"] != "app.bsky.graph.block" || rec["$type"] != "app.bsky.graph.block" || rec["subject"] != eli["did"] {
		t.Errorf("block %v", body)
	}
	for action, reason := range map[string]string{"spam": "#reasonSpam", "report": "#reasonOther"} {
		if err := a.Moderate(ctxBG, action, spam); err != nil {
			t.Fatal(err)
		}
		_, body := f.last("com.atproto.moderation.createReport")
		subj := body["subject"].(map[string]any)
		if body["reasonType"] != "com.atproto.moderation.defs"+reason || subj["$type"] != "com.atproto.repo.strongRef" ||
			subj["uri"] != spam || subj["cid"] != f.posts[spam]["cid"] {
			t.Errorf("%s: createReport %v", action, body)
		}
	}
	err := a.Moderate(ctxBG, "hide", spam)
	if ae := classOf(t, err); !ae.Permanent || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("hide: %v", err)
	}
}

func TestNew(t *testing.T) {
	t.Setenv("TEST_BSKY_PASSWORD", password)
	acc, _ := adapters.NewAccount(0, map[string]any{"name": "acme", "channel": "bluesky",
		"handle": "acme.bsky.social", "password_env": "TEST_BSKY_PASSWORD"})
	a, err := bluesky.New(ctxBG, acc)
	if err != nil {
		t.Fatal(err)
	}
	// The handle as configured: the sync engine keys the cursor and replies by it.
	if h := a.(*bluesky.Adapter).Handle(); h != "acme.bsky.social" {
		t.Errorf("Handle = %q", h)
	}
	for name, table := range map[string]map[string]any{
		"no handle":   {"password_env": "TEST_BSKY_PASSWORD"},
		"no password": {"handle": "acme.bsky.social"},
		"plain http":  {"handle": "acme.bsky.social", "password_env": "TEST_BSKY_PASSWORD", "service": "http://pds.example"},
		"bad timeout": {"handle": "acme.bsky.social", "password_env": "TEST_BSKY_PASSWORD", "timeout": "soon"},
	} {
		table["name"], table["channel"] = "acme", "bluesky"
		acc, _ := adapters.NewAccount(0, table)
		if _, err := bluesky.New(ctxBG, acc); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
