package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/internal/syncbuf"
)

var listeningRE = regexp.MustCompile(`listening on http://(\S+)`)

const serveSecret = "a-long-shared-secret"

// startServe runs `triage serve` in-process on a free port and returns its address and
// a function that stops it and returns its error.
func startServe(t *testing.T, db, config string) (addr string, stop func() error, stderr *syncbuf.Buffer) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	return startCommand(t, listeningRE, "serve", "--listen", "127.0.0.1:0", "--db", db, "--config", config)
}

// startCommand runs a long-running command in-process until what it prints on standard
// output matches ready, and returns the first group of the match (where it listens) and
// a function that stops it and returns its error.
func startCommand(t *testing.T, ready *regexp.Regexp, args ...string) (addr string, stop func() error, stderr *syncbuf.Buffer) {
	t.Helper()
	var out syncbuf.Buffer
	stderr = &syncbuf.Buffer{}
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: stderr}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runWith(ctx, env, args) }()
	deadline := time.After(10 * time.Second)
	for addr == "" {
		if m := ready.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("%s stopped before it was ready: %v\nstdout %s\nstderr %s", args[0], err, out.String(), stderr)
		case <-deadline:
			cancel()
			t.Fatalf("%s did not say where it listens", args[0])
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return fmt.Errorf("%s did not stop", args[0])
		}
	}
	return addr, stop, stderr
}

// signedPost posts body to serve's /v1/messages at addr, signed with secret and
// timestamped now, and returns serve's answer.
func signedPost(addr, secret string, body []byte) (status int, answer string, err error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set(webhook.TimestampHeader, ts)
	req.Header.Set(webhook.SignatureHeader, webhook.Signature([]byte(secret), ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestServeReceivesSignedMessages(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	t.Setenv("TRIAGE_TEST_SERVE_SECRET", serveSecret)
	config := writeFile(t, "config.toml", "[serve]\nsecret_env = \"TRIAGE_TEST_SERVE_SECRET\"\nrequire_timestamp = true\n")
	addr, stop, stderr := startServe(t, db, config)

	body := []byte(`[{"channel":"webhook","account":"shop-form","id":"form-1","kind":"dm","author":{"id":"ana@example.test"},"text":"Where is my order?","created_at":"2026-11-20T10:00:00Z"}]`)
	status, answer, err := signedPost(addr, serveSecret, body)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	if status != http.StatusAccepted || !strings.Contains(answer, `"new":1`) {
		t.Errorf("POST = %d %s, want 202 with one new", status, answer)
	}
	// Signed over the body alone, it is refused: config requires a timestamp.
	resp, err := http.Post("http://"+addr+"/v1/messages", "application/json", bytes.NewReader(body))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("unsigned POST = %d, want 401", resp.StatusCode)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after ctrl+c: %v", err)
	}
	logs := stderr.String()
	if !strings.Contains(logs, "path=/v1/messages status=202") || strings.Contains(logs, "Where is my order") || strings.Contains(logs, "sha256=") {
		t.Errorf("request log = %q: want method, path and status, never bodies or signatures", logs)
	}
	out, _, err := triage(t, db, "", "export", "--config", config)
	if err != nil || !strings.Contains(out, `"id":"form-1"`) || !strings.Contains(out, "Where is my order?") {
		t.Errorf("export after serve = %q, %v", out, err)
	}
}

func TestServeRefusesToStartWithoutSecret(t *testing.T) {
	t.Setenv("TRIAGE_TEST_EMPTY_SECRET", "")
	tests := []struct {
		name, config, want string
	}{
		{"no [serve]", "", "[serve] secret_env is not set"},
		{"empty variable", "[serve]\nsecret_env = \"TRIAGE_TEST_EMPTY_SECRET\"\n", "TRIAGE_TEST_EMPTY_SECRET is not set or empty"},
		{"unknown key", "[serve]\nsecret_env = \"X\"\nsecret = \"plain\"\n", `unknown key "secret"`},
		{"bad rate", "[serve]\nsecret_env = \"X\"\nrate = \"fast\"\n", "[serve] rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "t.db")
			config := writeFile(t, "config.toml", tt.config)
			_, _, err := triage(t, db, "", "serve", "--listen", "127.0.0.1:0", "--config", config)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("serve = %v, want exit 2 mentioning %q", err, tt.want)
			}
		})
	}
}
