package instagram_test

import (
	"context"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

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
	// Mentions are polled unless poll_mentions = false.
	for _, set := range []bool{true, false} {
		m := base("", nil)
		if !set {
			m["poll_mentions"] = false
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
