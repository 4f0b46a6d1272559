package soaktest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
	"github.com/triage-inbox/triage/ui"
)

// A database that may not be written (issue: "a full disk and a read-only database: a
// clear error, no corruption, and the UI stays up read-only where it can"). As root, file
// modes stop nothing, so the command runs as `nobody` over a root-owned 0644 file in a
// root-owned 0755 folder: it may read both and write neither.

var roNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// buildTriage builds the real binary once per test into dir.
func buildTriage(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "triage")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/triage-inbox/triage")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runTriage runs the binary, as user when it is not "", and returns its outputs and exit code.
func runTriage(t *testing.T, bin, asUser, home string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	env := "XDG_CONFIG_HOME=" + filepath.Join(home, "cfg") + " XDG_DATA_HOME=" + filepath.Join(home, "data")
	var cmd *exec.Cmd
	if asUser != "" {
		line := env + " " + shellQuote(bin)
		for _, a := range args {
			line += " " + shellQuote(a)
		}
		cmd = exec.Command("su", "-s", "/bin/sh", asUser, "-c", line)
	} else {
		cmd = exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), strings.Fields(env)...)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// seedMessages is n inbound messages in n/3 conversations, each body about size bytes.
func seedMessages(prefix string, n, size int) []inbox.Message {
	var msgs []inbox.Message
	for i := range n {
		msgs = append(msgs, inbox.Message{
			Channel: "x", Account: "@acme", ID: fmt.Sprintf("%s-%d", prefix, i), Kind: "dm",
			Author:    &inbox.Author{ID: fmt.Sprintf("%s-u%d", prefix, i/3), Handle: fmt.Sprintf("@%s%d", prefix, i/3)},
			Text:      fmt.Sprintf("message %d: where is my order? ", i) + strings.Repeat("x", size),
			CreatedAt: roNow.Add(-time.Duration(n-i) * time.Minute),
		})
	}
	return msgs
}

// seedDB makes a demo-like database at path the way triage does and closes it.
func seedDB(t *testing.T, path string, msgs []inbox.Message) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := inbox.New(ctx, db, nil, inbox.WithClock(func() time.Time { return roNow }), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := svc.IngestMessages(ctx, msgs...); err != nil || c.New != len(msgs) {
		t.Fatalf("seed: %+v, %v", c, err)
	}
}

// checkDB runs integrity_check and counts messages, reading the file as it is.
func checkDB(t *testing.T, path string) (integrity string, messages int) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT count(*) FROM messages").Scan(&messages); err != nil {
		t.Fatal(err)
	}
	return integrity, messages
}

func writeJSONL(t *testing.T, path string, msgs []inbox.Message) {
	t.Helper()
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, `{"channel":%q,"account":%q,"id":%q,"kind":"dm","author":{"id":%q,"handle":%q},"text":%q,"created_at":%q}`+"\n",
			m.Channel, m.Account, m.ID, m.Author.ID, m.Author.Handle, m.Text, m.CreatedAt.Format(time.RFC3339))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadOnlyDatabaseCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: the check runs the command as the user nobody over a root-owned file")
	}
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody: ", err)
	}
	if _, err := exec.LookPath("su"); err != nil {
		t.Skip("no su: ", err)
	}
	// Not t.TempDir: its parents are 0700, which nobody cannot enter.
	dir, err := os.MkdirTemp("", "triage-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := buildTriage(t, dir)
	path := filepath.Join(dir, "triage.db")
	seedDB(t, path, seedMessages("ro", 30, 50))
	if err := os.Chmod(path, 0o644); err != nil { // root's; nobody may read, not write
		t.Fatal(err)
	}
	in := filepath.Join(dir, "new.jsonl")
	writeJSONL(t, in, seedMessages("new", 5, 20))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// Reads work.
	out, errOut, code := runTriage(t, bin, "nobody", "/tmp/triage-ro-nobody-home", "stats", "--db", path)
	if code != 0 || !strings.Contains(out, "inbound") {
		t.Errorf("stats as nobody: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	out, errOut, code = runTriage(t, bin, "nobody", "/tmp/triage-ro-nobody-home", "export", "--db", path)
	if code != 0 || strings.Count(out, "\n") != 30 {
		t.Errorf("export as nobody: exit %d, %d lines, want 30\nstderr %s", code, strings.Count(out, "\n"), errOut)
	}

	// A write fails clearly, names the database, exits non-zero and changes nothing.
	out, errOut, code = runTriage(t, bin, "nobody", "/tmp/triage-ro-nobody-home", "import", in, "--db", path)
	t.Logf("import as nobody: exit %d, stderr %q", code, errOut)
	if code == 0 {
		t.Errorf("import into a read-only database succeeded: %s", out)
	}
	if !strings.Contains(errOut, "read-only") || !strings.Contains(errOut, path) {
		t.Errorf("import error %q does not say read-only and name %s", errOut, path)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the read-only database file changed")
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + side); err == nil {
			t.Errorf("%s%s was created", path, side)
		}
	}
	if ok, n := checkDB(t, path); ok != "ok" || n != 30 {
		t.Errorf("after: integrity_check %q, %d messages, want ok and 30", ok, n)
	}
}

// TestReadOnlyUI opens the UI over a read-only database in-process (store.OpenReadOnly):
// the queue shows, and an action's failure reaches the footer as a clear error.
func TestReadOnlyUI(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	seedDB(t, path, seedMessages("ui", 9, 20))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := inbox.New(ctx, db, nil, inbox.WithClock(func() time.Time { return roNow }), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatalf("inbox over a read-only database: %v", err)
	}
	log, logger := newUILog() // every error the UI showed
	c := &ui.Common{Ctx: ctx, Inbox: svc, Styles: ui.NewStyles(true), FixedTheme: true, Keys: ui.DefaultKeyMap(),
		Now: func() time.Time { return roNow }, Log: logger, Width: 120, Height: 35}
	d := newDriver(ui.New(c))
	readOnly := func(e string) bool { return strings.Contains(e, store.ErrReadOnly.Error()) }
	if err := d.settle(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	screen := d.screen()
	if !strings.Contains(screen, "@ui0") {
		t.Fatalf("the queue did not show over a read-only database:\n%s", screen)
	}
	// Waking snoozed conversations at start is a write: it may fail, but only as read-only.
	for _, e := range log.errors() {
		t.Logf("at start: %s", e)
		if !readOnly(e) {
			t.Errorf("opening read-only reported %s", e)
		}
	}
	atStart := len(log.errors())
	d.key("d") // done: a write
	if err := d.settle(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	screen = d.screen()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "read-only") {
			t.Logf("on screen after done: %q", strings.TrimSpace(l))
		}
	}
	if errs := log.errors(); len(errs) == atStart || !readOnly(errs[len(errs)-1]) {
		t.Errorf("done on a read-only database reported %q, want store.ErrReadOnly", errs[atStart:])
	} else {
		t.Logf("done: %s", errs[len(errs)-1])
	}
	if !strings.Contains(screen, "done") || !strings.Contains(screen, "read-only") {
		t.Errorf("the screen does not say the database is read-only:\n%s", screen)
	}
	if !strings.Contains(screen, "@ui0") {
		t.Errorf("the queue is gone after a refused write:\n%s", screen)
	}
	db.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the database file changed")
	}
	if ok, n := checkDB(t, path); ok != "ok" || n != 9 {
		t.Errorf("after: integrity_check %q, %d messages, want ok and 9", ok, n)
	}
}
