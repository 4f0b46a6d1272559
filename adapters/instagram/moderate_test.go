package instagram_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

// Hide, unhide and delete reach the comment as the Graph API documents them, and the
// comment is hidden, shown again, and gone; other actions, and a DM's id, are refused
// before any request.
func TestModerate(t *testing.T) {
	f := metatest.New(t, igUser, token)
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	spam := f.AddComment(post, "", "free.followers", "follow back!!", "2026-12-06T10:00:00+0000")
	a := newAdapterWith(t, f, instagram.DefaultOptions())
	ctx := context.Background()
	if c := a.Capabilities(); !c.Hide || !c.Unhide || !c.Delete || !c.Reply || !c.DM {
		t.Errorf("capabilities %+v", c)
	}

	for _, tc := range []struct {
		action, method, body string
		exists, hidden       bool
	}{
		{"hide", "POST", "hide=true", true, true},
		{"unhide", "POST", "hide=false", true, false},
		{"delete", "DELETE", "", false, false},
	} {
		if err := a.Moderate(ctx, tc.action, spam); err != nil {
			t.Fatalf("%s: %v", tc.action, err)
		}
		rs := f.Requests()
		last := rs[len(rs)-1]
		if last.Method != tc.method || last.Path != "/"+spam || last.Body != tc.body {
			t.Errorf("%s: %s %s %q, want %s /%s %q", tc.action, last.Method, last.Path, last.Body, tc.method, spam, tc.body)
		}
		if exists, hidden := f.Comment(spam); exists != tc.exists || hidden != tc.hidden {
			t.Errorf("after %s: exists=%v hidden=%v", tc.action, exists, hidden)
		}
	}

	n := len(f.Requests())
	var ae *adapters.Error
	if err := a.Moderate(ctx, "block", spam); !errors.As(err, &ae) || !ae.Permanent || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("block: %v", err)
	}
	if err := a.Moderate(ctx, "hide", "aWdfZAG1faXRlbToxOklHTWVzc2FnZA"); !errors.As(err, &ae) || !ae.Permanent ||
		!strings.Contains(err.Error(), "only comments") {
		t.Errorf("hide a DM: %v", err)
	}
	if len(f.Requests()) != n {
		t.Errorf("refused actions sent %d requests", len(f.Requests())-n)
	}
	// A comment gone already: Meta's refusal is permanent.
	if err := a.Moderate(ctx, "delete", spam); !errors.As(err, &ae) || !ae.Permanent {
		t.Errorf("delete again: %v", err)
	}
}

// human_agent, poll_dms and poll_mentions are read from the account; a wrong type is an
// error that names the account and the key.
func TestNewOptions(t *testing.T) {
	t.Setenv("TEST_IG_TOKEN", token)
	f := metatest.New(t, igUser, token)
	base := func(k string, v any) map[string]any {
		m := map[string]any{"name": "acme-ig", "channel": "instagram", "ig_user_id": igUser, "graph_url": f.URL, "token_env": "TEST_IG_TOKEN"}
		if k != "" {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		key     string
		val     any
		wantErr string
	}{
		{"", nil, ""},
		{"human_agent", true, ""},
		{"poll_dms", false, ""},
		{"human_agent", "yes", `account "acme-ig": human_agent: want true or false`},
		{"poll_mentions", int64(1), `account "acme-ig": poll_mentions: want true or false`},
	} {
		acct, err := adapters.NewAccount(0, base(tc.key, tc.val))
		if err != nil {
			t.Fatal(err)
		}
		_, err = instagram.New(context.Background(), acct)
		if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s = %v: %v, want %q", tc.key, tc.val, err, tc.wantErr)
		}
	}

	// human_agent = true from config makes a refused DM go again with the tag.
	f.Now = now
	conv := f.AddConversation("maria.r", "hello?", "2026-12-05T06:00:00+0000")
	customer, _ := f.Customer(conv)
	acct, _ := adapters.NewAccount(0, base("human_agent", true))
	a, err := instagram.New(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(context.Background(), inbox.Outgoing{Kind: inbox.KindDM, Conversation: "dm:" + customer, Text: "Sorry!"}); err != nil {
		t.Errorf("human_agent = true, 30 hours later: %v", err)
	}
	if sent := f.SentMessages(); len(sent) != 1 || sent[0].Tag != "HUMAN_AGENT" {
		t.Errorf("sent %+v, want one with the HUMAN_AGENT tag", sent)
	}
	// Mentions are polled by default only with Facebook Login (graph.facebook.com; this
	// fake is neither), or when poll_mentions = true.
	for _, set := range []bool{false, true} {
		m := base("", nil)
		if set {
			m["poll_mentions"] = true
		}
		acct, _ := adapters.NewAccount(0, m)
		a, err := instagram.New(context.Background(), acct)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		before := len(f.Requests())
		if _, err := a.Fetch(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
		for _, r := range f.Requests()[before:] {
			if strings.HasSuffix(r.Path, "/tags") {
				n++
			}
		}
		if (n > 0) != set {
			t.Errorf("poll_mentions set=%v: %d requests for tags", set, n)
		}
	}
}
