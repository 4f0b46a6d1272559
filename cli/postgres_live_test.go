package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/triage-inbox/triage/internal/pgtest"
	"github.com/triage-inbox/triage/internal/sshtest"
	"github.com/triage-inbox/triage/internal/teadrive"
	"github.com/triage-inbox/triage/ui"
)

// The long-running commands on PostgreSQL: serve, sync, team, and the screen that
// `triage --db postgres://…` opens.

// serve takes one signed webhook message into PostgreSQL, and export reads it back.
func TestPostgresServeStoresASignedMessage(t *testing.T) {
	url := pgtest.URL(t)
	t.Setenv("TRIAGE_TEST_SERVE_SECRET", serveSecret)
	config := writeFile(t, "config.toml", "[serve]\nsecret_env = \"TRIAGE_TEST_SERVE_SECRET\"\n")
	addr, stop, stderr := startServe(t, url, config)
	body := []byte(`[{"channel":"webhook","account":"shop-form","id":"pg-1","kind":"dm","author":{"id":"ana@example.test"},"text":"Where is my order?","created_at":"2026-11-20T10:00:00Z"}]`)
	status, answer, err := signedPost(addr, serveSecret, body)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	if status != http.StatusAccepted || !strings.Contains(answer, `"new":1`) {
		t.Errorf("POST = %d %s, want 202 with one new", status, answer)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after ctrl+c: %v\n%s", err, stderr)
	}
	out, _, err := triage(t, url, "", "export", "--config", config)
	if err != nil || !strings.Contains(out, `"id":"pg-1"`) || !strings.Contains(out, "Where is my order?") {
		t.Errorf("export after serve = %q, %v", out, err)
	}
}

// sync fetches a Maildir account into PostgreSQL, and an import of the same Maildir then
// finds every mail there already, as on a file.
func TestPostgresSyncThenImportAddsNothing(t *testing.T) {
	dir, _, _ := synthMaildir(t, 60)
	cfg := writeFile(t, "config.toml", fmt.Sprintf("[[account]]\nname = \"support\"\nchannel = \"email\"\naddress = \"support@acme.example\"\nsmtp = \"127.0.0.1:25\"\nmaildir = %q\n", dir))
	url := pgtest.URL(t)
	out, stderr, err := triage(t, url, "", "sync", "--once", "--config", cfg)
	if err != nil || !strings.Contains(out, "ok, 60 new") {
		t.Fatalf("sync --once --db URL = %q, %v\n%s", out, err, stderr)
	}
	out, _, err = triage(t, url, "", "import", "--config", cfg, dir)
	if err != nil || !strings.Contains(out, "imported: 0 new, 60 already present, 0 rejected") {
		t.Errorf("import after sync = %q, %v", out, err)
	}
}

// triage team --db postgres://… serves the inbox there over SSH: the team file's agent
// connects and gets the queue.
func TestPostgresTeamServesTheQueue(t *testing.T) {
	url := pgtest.URL(t)
	if _, stderr, err := triage(t, url, "", "demo"); err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr)
	}
	data, conf := t.TempDir(), t.TempDir()
	t.Setenv("XDG_DATA_HOME", data) // the host key stays a file, here
	t.Setenv("XDG_CONFIG_HOME", conf)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	who := demoCustomer(t, url, time.Now()) // the team's screens run on the clock
	maria := sshtest.NewKey(t)
	keys := filepath.Join(conf, "team_keys")
	if err := os.WriteFile(keys, []byte(sshtest.KeyLine(`agent="maria",role="lead"`, maria)), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop, stderr := startCommand(t, teamServingRE, "team", "--listen", "127.0.0.1:0", "--authorized-keys", keys, "--db", url)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("team stopped with %v\n%s", err, stderr)
		}
	}()
	s := sshtest.Connect(t, addr, 120, 35, maria)
	s.WaitFor(t, "triage › Inbox")
	s.WaitFor(t, who) // a demo customer, read from PostgreSQL
}

// The screen `triage --db postgres://…` opens: the inbox opened by the command's own
// path (openWith, with the demo's config as for the file), and the UI's model over it,
// shows the queue exactly as it does over the same demo in a SQLite file.
func TestPostgresUIShowsTheQueue(t *testing.T) {
	url := pgtest.URL(t)
	file := filepath.Join(t.TempDir(), "demo.db")
	screens := map[string]string{}
	for _, db := range []string{url, file} {
		if _, stderr, err := triage(t, db, "", "demo"); err != nil {
			t.Fatalf("demo: %v\n%s", err, stderr)
		}
		screens[db] = queueScreen(t, db)
	}
	if !strings.Contains(screens[url], "triage › Inbox") || !strings.Contains(screens[url], demoCustomer(t, url, testNow)) {
		t.Fatalf("the queue on PostgreSQL:\n%s", screens[url])
	}
	if screens[url] != screens[file] {
		t.Errorf("the queue on PostgreSQL:\n%s\ndiffers from the file's:\n%s", screens[url], screens[file])
	}
}

// queueScreen is the first screen of the UI over the inbox at db, at 120×35.
func queueScreen(t *testing.T, db string) string {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx := context.Background()
	e := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: func() time.Time { return testNow }}
	svc, closeDB, err := e.openWith(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	c := &ui.Common{Ctx: ctx, Inbox: svc, Styles: ui.NewStyles(true), Keys: ui.DefaultKeyMap(), Now: svc.Now, Width: 120, Height: 35}
	m := ui.New(c)
	teadrive.Run(t, m.Init(), func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }, nil)
	return ansi.Strip(m.View().Content)
}
