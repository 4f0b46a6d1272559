package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/facebook"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/whatsapp"
)

// issue13Config is issue 13's config for the three Meta channels, key for key.
const issue13Config = `[[account]]
name = "instagram"
channel = "instagram"
ig_user_id = "17841400000000001"
token_env = "IG_TOKEN"                       # or token_cmd
graph_url = "https://graph.instagram.com"    # Instagram Login; https://graph.facebook.com for Facebook Login
graph_version = "v24.0"                      # a current version by default

[[account]]
name = "facebook"
channel = "facebook"
page_id = "100000000000002"
token_env = "FB_PAGE_TOKEN"
graph_url = "https://graph.facebook.com"

[[account]]
name = "whatsapp"
channel = "whatsapp"
phone_number_id = "106540352242922"
token_env = "WA_TOKEN"
graph_url = "https://graph.facebook.com"
`

// loadAccounts loads a config.toml the way `triage sync` does: the loader, then the
// [[account]]s through the registry of channel adapters.
func loadAccounts(t *testing.T, text string) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, configPath: path}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	accts, err := configuredAccounts(context.Background(), cfg)
	if err != nil {
		return err
	}
	// Each account is named as Meta's messages name it (meta.DecodeWebhook), so replies to
	// messages that came by serve's webhook go out through it.
	wants := []struct{ name, id string }{{"instagram", "17841400000000001"}, {"facebook", "100000000000002"}, {"whatsapp", "106540352242922"}}
	for i, want := range wants {
		if i >= len(accts) || accts[i].Name != want.name || accts[i].Channel != want.name || accts[i].Handle != want.id {
			t.Fatalf("accounts %+v, want instagram, facebook, whatsapp on their channels, by Graph id", accts)
		}
	}
	if _, ok := accts[0].Adapter.(*instagram.Adapter); !ok {
		t.Errorf("instagram account: adapter %T", accts[0].Adapter)
	}
	if _, ok := accts[1].Adapter.(*facebook.Adapter); !ok {
		t.Errorf("facebook account: adapter %T", accts[1].Adapter)
	}
	if _, ok := accts[2].Adapter.(*whatsapp.Adapter); !ok {
		t.Errorf("whatsapp account: adapter %T", accts[2].Adapter)
	}
	return nil
}

// The Instagram, Facebook and WhatsApp accounts of issue 13 load through the real loader,
// each on its own channel with its Graph ID, host and version.
func TestMetaAccountsLoad(t *testing.T) {
	t.Setenv("IG_TOKEN", "ig-token-for-test")
	t.Setenv("FB_PAGE_TOKEN", "fb-token-for-test")
	t.Setenv("WA_TOKEN", "wa-token-for-test")
	if err := loadAccounts(t, issue13Config); err != nil {
		t.Fatalf("issue 13's config does not load: %v", err)
	}
}

// A key missing or malformed, or a token not set, is an error naming the account and key.
func TestMetaAccountErrorsNameTheKey(t *testing.T) {
	t.Setenv("IG_TOKEN", "ig-token-for-test")
	t.Setenv("FB_PAGE_TOKEN", "fb-token-for-test")
	t.Setenv("WA_TOKEN", "")
	cases := []struct{ from, to, want string }{
		{`page_id = "100000000000002"`, ``, `config: account "facebook": page_id is required for channel facebook`},
		{`ig_user_id = "17841400000000001"`, `ig_user_id = "@acme.coffee"`, `config: account "instagram": ig_user_id: "@acme.coffee" is not a Graph ID`},
		{`graph_version = "v24.0"`, `graph_version = "latest"`, `config: account "instagram": graph_version: "latest" is not a Graph API version`},
		{`phone_number_id = "106540352242922"`, `phone_number_id = "106540352242922"`, `config: account "whatsapp": token_env: environment variable WA_TOKEN is not set`},
	}
	for _, tc := range cases {
		text := strings.Replace(issue13Config, tc.from, tc.to, 1)
		err := loadAccounts(t, text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("with %q: error %v, want %s", tc.to, err, tc.want)
		}
	}
}
