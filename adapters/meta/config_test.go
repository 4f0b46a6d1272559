package meta_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/meta"
)

func account(t *testing.T, table map[string]any) adapters.Account {
	t.Helper()
	a, err := adapters.NewAccount(0, table)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Each kind reads its own ID key; graph_url defaults per kind (Instagram Login's host for
// instagram), graph_version to DefaultVersion; an ID written as a TOML integer is read.
func TestParseAccountKinds(t *testing.T) {
	cases := []struct {
		table            map[string]any
		id, url, version string
	}{
		{map[string]any{"name": "ig", "channel": "instagram", "ig_user_id": "17841400000000001"},
			"17841400000000001", "https://graph.instagram.com", meta.DefaultVersion},
		{map[string]any{"name": "ig-fb", "channel": "instagram", "ig_user_id": int64(17841400000000001),
			"graph_url": "https://graph.facebook.com/", "graph_version": "v23.0"},
			"17841400000000001", "https://graph.facebook.com", "v23.0"},
		{map[string]any{"name": "fb", "channel": "facebook", "page_id": "100000000000002"},
			"100000000000002", "https://graph.facebook.com", meta.DefaultVersion},
		{map[string]any{"name": "wa", "channel": "whatsapp", "phone_number_id": "106540352242922"},
			"106540352242922", "https://graph.facebook.com", meta.DefaultVersion},
	}
	for _, tc := range cases {
		c, err := meta.ParseAccount(account(t, tc.table))
		if err != nil {
			t.Errorf("%v: %v", tc.table, err)
			continue
		}
		if c.ID != tc.id || c.GraphURL != tc.url || c.Version != tc.version {
			t.Errorf("%v: got id %q url %q version %q, want %q %q %q", tc.table, c.ID, c.GraphURL, c.Version, tc.id, tc.url, tc.version)
		}
	}
}

// A missing or malformed key is an error that names the account and the key.
func TestParseAccountErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"name": "ig", "channel": "instagram"}, `account "ig": ig_user_id is required for channel instagram`},
		{map[string]any{"name": "fb", "channel": "facebook", "ig_user_id": "1"}, `account "fb": page_id is required`},
		{map[string]any{"name": "wa", "channel": "whatsapp", "phone_number_id": "+1 555 0100"}, `account "wa": phone_number_id: "+1 555 0100" is not a Graph ID`},
		{map[string]any{"name": "ig", "channel": "instagram", "ig_user_id": true}, `account "ig": ig_user_id: want the ID as text`},
		{map[string]any{"name": "ig", "channel": "instagram", "ig_user_id": "1", "graph_version": "24"}, `account "ig": graph_version: "24" is not a Graph API version`},
		{map[string]any{"name": "ig", "channel": "instagram", "ig_user_id": "1", "graph_url": "http://graph.facebook.com"}, `account "ig": graph_url: server address graph.facebook.com: use https`},
		{map[string]any{"name": "ig", "channel": "instagram", "ig_user_id": "1", "token_env": 3}, `account "ig": token_env: want text`},
		{map[string]any{"name": "ig", "channel": "instagram", "ig_user_id": "1", "timeout": "soon"}, `account "ig": timeout:`},
	}
	for _, tc := range cases {
		_, err := meta.ParseAccount(account(t, tc.table))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one saying %s", tc.table, err, tc.want)
		}
	}
}

// The token is read at start: a token_env not set is an error naming it; a set one is
// what the client sends as a Bearer header (see client_test.go), never kept in the config.
func TestClientReadsTheToken(t *testing.T) {
	table := map[string]any{"name": "ig", "channel": "instagram", "ig_user_id": "17841400000000001", "token_env": "TRIAGE_TEST_IG_TOKEN"}
	cfg, err := meta.ParseAccount(account(t, table))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TRIAGE_TEST_IG_TOKEN", "")
	if _, err := cfg.Client(context.Background()); err == nil || !strings.Contains(err.Error(), "TRIAGE_TEST_IG_TOKEN is not set") {
		t.Errorf("missing token: %v", err)
	}
	t.Setenv("TRIAGE_TEST_IG_TOKEN", token)
	c, err := cfg.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Token(context.Background()); err != nil || got != token {
		t.Errorf("token %q, %v", got, err)
	}
	if strings.Contains(fmt.Sprintf("%+v", cfg), token) {
		t.Error("the config holds the token")
	}
}
