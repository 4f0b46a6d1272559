package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/inbox"
)

// A Mastodon account without handle asks the server who it is once: the next start takes
// the answer from the state folder, so triage opens with the server out of reach, under
// the same handle (which names the account's messages, cursor and replies).
func TestAccountHandleAskedOnceOpensOffline(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("ACME_MASTODON_TOKEN", "tok-123")
	asked := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/accounts/verify_credentials" || r.Header.Get("Authorization") != "Bearer tok-123" {
			http.Error(w, `{"error":"The access token is invalid"}`, http.StatusUnauthorized)
			return
		}
		asked++
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"109348","username":"acme","acct":"acme","display_name":"Acme"}`))
	}))
	cfg, err := inbox.ParseConfig("test.toml", `[[account]]
name = "acme-mastodon"
channel = "mastodon"
server = "`+srv.URL+`"
token_env = "ACME_MASTODON_TOKEN"
`)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := configuredAccounts(ctx, cfg)
	if err != nil || len(first) != 1 || asked != 1 {
		t.Fatalf("first start: %+v, %v (server asked %d times)", first, err, asked)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	host = host[:strings.LastIndex(host, ":")]
	if want := "@acme@" + host; first[0].Handle != want {
		t.Errorf("first start named the account %q, want %q", first[0].Handle, want)
	}
	srv.Close()
	again, err := configuredAccounts(ctx, cfg)
	if err != nil || len(again) != 1 || again[0].Handle != first[0].Handle {
		t.Fatalf("start with the server out of reach: %+v, %v; want the handle %q", again, err, first[0].Handle)
	}
	path, err := handleFile("acme-mastodon")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the remembered handle: %v, %v; want a 0600 file", fi, err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("its folder: %v, %v; want 0700", fi, err)
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "tok-123") {
		t.Error("the remembered handle file holds the token")
	}
}
