package x

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
)

// noSecret fails when text holds a refresh token or an access token of the tests.
func noSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{refreshToken, "x-rt-rotated-", "x-at-"} {
		if strings.Contains(text, s) {
			t.Errorf("a secret (%s…) is in %q", s[:5], text)
		}
	}
}

// mode is a file's permission bits.
func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// The refresh token from refresh_token_env is used once: X rotates it, the new one goes
// to the state folder (0600, folder 0700), and a second start (a new adapter, the
// environment unchanged) goes on with the saved one, which the fake takes; the one in
// the environment, used up, the fake refuses.
func TestRotatedTokenSavedInStateFolder(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	f.tweet(ana, "@acme hi", "")
	fetch(t, a, "")
	state := filepath.Join(os.Getenv("XDG_STATE_HOME"), "triage")
	file := filepath.Join(state, "x-acme-x.refresh_token")
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(saved)); got != f.refresh || got == refreshToken {
		t.Fatalf("saved %q, want the rotated token %q", got, f.refresh)
	}
	if m := mode(t, file); m != 0o600 {
		t.Errorf("token file mode %o, want 600", m)
	}
	if m := mode(t, state); m != 0o700 {
		t.Errorf("state folder mode %o, want 700", m)
	}
	if forms := f.callsTo("POST", "/2/oauth2/token"); len(forms) != 1 || forms[0].Form.Get("refresh_token") != refreshToken ||
		forms[0].Form.Get("client_id") != clientID || forms[0].Form.Get("client_secret") != "" {
		t.Errorf("token requests %+v, want one refresh_token grant of a public client", forms)
	}
	// The second start.
	b := newAdapter(t, f, map[string]any{"dms": false, "keep_state": true})
	if _, err := b.Fetch(context.Background(), ""); err != nil {
		t.Fatalf("a second start with the saved token: %v", err)
	}
	forms := f.callsTo("POST", "/2/oauth2/token")
	if len(forms) != 2 || forms[1].Form.Get("refresh_token") != strings.TrimSpace(string(saved)) {
		t.Errorf("the second start refreshed with %q, want the saved token", forms[len(forms)-1].Form.Get("refresh_token"))
	}
	// Without the saved file, the environment's token is used up: reconnect.
	os.Remove(file)
	c := newAdapter(t, f, map[string]any{"dms": false, "keep_state": true})
	_, err = c.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "reconnect:") {
		t.Fatalf("Fetch with a used refresh token = %v, want a permanent reconnect", err)
	}
	noSecret(t, err.Error())
}

// Each refresh within one process rotates the token again; each new one is saved.
func TestRotationWithinAProcess(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	for i := range 3 {
		f.expireTokens()
		if _, err := a.Fetch(context.Background(), ""); err != nil {
			t.Fatalf("fetch %d after a rotation: %v", i, err)
		}
	}
	saved, _ := os.ReadFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "triage", "x-acme-x.refresh_token"))
	if strings.TrimSpace(string(saved)) != f.refresh {
		t.Errorf("saved %q, want the latest %q", saved, f.refresh)
	}
	if n := len(f.callsTo("POST", "/2/oauth2/token")); n != 3 {
		t.Errorf("%d refreshes, want 3", n)
	}
}

// refresh_token_file: the rotated token replaces the file's content, its mode kept, and
// nothing is written to the state folder.
func TestRotatedTokenWrittenBackToItsFile(t *testing.T) {
	f := newFake(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "x.token")
	if err := os.WriteFile(file, []byte(refreshToken+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(file, 0o640)
	a := newAdapter(t, f, map[string]any{"dms": false, "refresh_token_env": nil, "refresh_token_file": file})
	fetch(t, a, "")
	got, _ := os.ReadFile(file)
	if strings.TrimSpace(string(got)) != f.refresh {
		t.Fatalf("file holds %q, want the rotated %q", got, f.refresh)
	}
	if m := mode(t, file); m != 0o640 {
		t.Errorf("mode %o, want the file's own 640", m)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_STATE_HOME"), "triage")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state folder was written: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind in the folder: %v", entries)
	}
	b := newAdapter(t, f, map[string]any{"dms": false, "refresh_token_env": nil, "refresh_token_file": file})
	if _, err := b.Fetch(context.Background(), ""); err != nil {
		t.Fatalf("a second start from the file: %v", err)
	}
}

// refresh_token_cmd with refresh_token_store_cmd: the store command gets the rotated
// token on its standard input; refresh_token_cmd alone: the state folder keeps it, and
// wins at the next start over the command's (used up) token.
func TestRotatedTokenThroughCommands(t *testing.T) {
	t.Run("store_cmd", func(t *testing.T) {
		f := newFake(t)
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "tok"), []byte(refreshToken), 0o600)
		keys := map[string]any{"dms": false, "refresh_token_env": nil,
			"refresh_token_cmd":       "cat " + filepath.Join(dir, "tok"),
			"refresh_token_store_cmd": "cat > " + filepath.Join(dir, "tok")}
		a := newAdapter(t, f, keys)
		fetch(t, a, "")
		got, _ := os.ReadFile(filepath.Join(dir, "tok"))
		if strings.TrimSpace(string(got)) != f.refresh {
			t.Fatalf("the store command got %q, want %q", got, f.refresh)
		}
		if _, err := os.Stat(filepath.Join(os.Getenv("XDG_STATE_HOME"), "triage")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the state folder was written: %v", err)
		}
		keys["keep_state"] = true
		if _, err := newAdapter(t, f, keys).Fetch(context.Background(), ""); err != nil {
			t.Fatalf("a second start through the commands: %v", err)
		}
	})
	t.Run("cmd alone", func(t *testing.T) {
		f := newFake(t)
		keys := map[string]any{"dms": false, "refresh_token_env": nil, "refresh_token_cmd": "echo " + refreshToken}
		fetch(t, newAdapter(t, f, keys), "")
		keys["keep_state"] = true
		if _, err := newAdapter(t, f, keys).Fetch(context.Background(), ""); err != nil {
			t.Fatalf("a second start: %v", err)
		}
	})
	t.Run("store_cmd fails", func(t *testing.T) {
		f := newFake(t)
		keys := map[string]any{"dms": false, "refresh_token_env": nil, "refresh_token_cmd": "echo " + refreshToken,
			"refresh_token_store_cmd": "cat >/dev/null; exit 3"}
		_, err := newAdapter(t, f, keys).Fetch(context.Background(), "")
		if err == nil || !strings.Contains(err.Error(), "refresh_token_store_cmd failed: exit status 3") {
			t.Fatalf("Fetch = %v, want the store's failure said", err)
		}
		noSecret(t, err.Error())
	})
}

// A 401 refreshes the access token and tries again, once; a fresh token refused too
// says reconnect, with no token in the error.
func TestUnauthorizedRefreshesOnceThenReconnect(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	fetch(t, a, "")
	f.expireTokens()
	fetch(t, a, "")
	if n := len(f.callsTo("POST", "/2/oauth2/token")); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	f.mu.Lock()
	f.refuseTokens = true
	f.mu.Unlock()
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || ae.Status != 401 || !strings.Contains(err.Error(), "reconnect:") {
		t.Fatalf("Fetch = %v, want a permanent reconnect", err)
	}
	noSecret(t, err.Error())
}

// Whatever a server repeats, no error holds a refresh token or an access token.
func TestNoSecretInErrors(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	fetch(t, a, "")
	f.mu.Lock()
	f.echo = true
	f.mu.Unlock()
	_, err := a.Fetch(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("Fetch = %v, want the credentials redacted", err)
	}
	noSecret(t, err.Error())
}

// Two processes on one account (the UI's sync beside `triage sync`), both started from
// the same refresh token: each rotation the one makes, the other takes from the state
// folder before it refreshes, so neither is left with a token X refuses.
func TestTwoProcessesShareTheRotation(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"dms": false})
	b := newAdapter(t, f, map[string]any{"dms": false, "keep_state": true}) // started before a's first refresh
	for i := range 3 {
		for _, p := range []*Adapter{a, b} {
			f.expireTokens()
			if _, err := p.Fetch(context.Background(), ""); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
	}
	if n := len(f.callsTo("POST", "/2/oauth2/token")); n != 6 {
		t.Errorf("%d refreshes, want 6, each with the token the one before saved", n)
	}
}
