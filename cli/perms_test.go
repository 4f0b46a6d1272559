//go:build unix

package cli

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// permSecret is the serve secret of these tests (not one the secrets test looks for).
const permSecret = "perm-test-shared-secret"

// openUmask clears the umask for the test, so every mode checked is the one triage asked
// for, not one the umask happened to narrow.
func openUmask(t *testing.T) {
	t.Helper()
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

// permHomes points every XDG folder and triage variable into fresh temporary folders and
// returns the data, config and state homes.
func permHomes(t *testing.T) (data, config, state string) {
	t.Helper()
	data, config, state = t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("TRIAGE_DB", "")
	t.Setenv("TRIAGE_CONFIG", "")
	t.Setenv("TRIAGE_TEST_PERM_SECRET", permSecret)
	return data, config, state
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %#o, want %#o", path, got, want)
	}
}

// writeConfig writes config.toml at the default place with the given mode (chmod, so the
// umask does not change it).
func writeConfig(t *testing.T, configHome, text string, mode fs.FileMode) string {
	t.Helper()
	dir := filepath.Join(configHome, "triage")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// postSigned sends one signed message to a running serve.
func postSigned(t *testing.T, addr, id string) {
	t.Helper()
	body := []byte(`[{"channel":"webhook","account":"shop-form","id":"` + id + `","kind":"dm","author":{"id":"ana@example.test"},"text":"hi","created_at":"2026-11-20T10:00:00Z"}]`)
	status, answer, err := signedPost(addr, permSecret, body)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusAccepted {
		t.Fatalf("POST = %d %s, want 202", status, answer)
	}
}

// TestPermDatabaseFiles: the database at its default place is 0600 in a 0700 folder, and
// so are SQLite's -wal and -shm beside it while a command has it open, whatever the umask.
func TestPermDatabaseFiles(t *testing.T) {
	openUmask(t)
	data, config, _ := permHomes(t)
	writeConfig(t, config, "[serve]\nsecret_env = \"TRIAGE_TEST_PERM_SECRET\"\n", 0o600)
	dir := filepath.Join(data, "triage")
	db := filepath.Join(dir, "triage.db")

	out, stderr, err := runCapture(context.Background(), "import", writeFile(t, "in.jsonl", goodLines))
	if err != nil || !strings.Contains(out, "4 new") {
		t.Fatalf("import = %q %q, %v", out, stderr, err)
	}
	wantMode(t, dir, 0o700)
	wantMode(t, db, 0o600)

	// serve keeps the database open: its write-ahead log and shared memory are there.
	addr, stop, _, serr := startServeCapture(t)
	postSigned(t, addr, "perm-1")
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		wantMode(t, p, 0o600)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, serr)
	}
	wantMode(t, db, 0o600)
}

// TestPermDatabaseExistingFolder: a folder that is already there keeps its owner's mode
// (triage does not chmod user folders); the files triage creates in it are still 0600.
func TestPermDatabaseExistingFolder(t *testing.T) {
	openUmask(t)
	permHomes(t)
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "t.db")
	if _, _, err := runCapture(context.Background(), "import", "--db", db, writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	wantMode(t, dir, 0o755)
	wantMode(t, db, 0o600)
}

// TestPermLogFile: the log the UI writes is 0600 in a 0700 folder, whatever the umask.
func TestPermLogFile(t *testing.T) {
	openUmask(t)
	_, _, state := permHomes(t)
	logger, closeLog, err := openLog()
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("ui opened")
	closeLog()
	dir := filepath.Join(state, "triage")
	wantMode(t, dir, 0o700)
	wantMode(t, filepath.Join(dir, "triage.log"), 0o600)
	if b, _ := os.ReadFile(filepath.Join(dir, "triage.log")); !bytes.Contains(b, []byte("ui opened")) {
		t.Errorf("log file = %q", b)
	}
}

// TestPermConfigWarning: a config others can read draws one warning per command on
// stderr, naming the file, its mode and the fix; a private one draws none.
func TestPermConfigWarning(t *testing.T) {
	ctx := context.Background()
	_, config, _ := permHomes(t)
	text := "agent = \"maria\"\n[serve]\nsecret_env = \"TRIAGE_TEST_PERM_SECRET\"\n"
	db := filepath.Join(t.TempDir(), "t.db")

	if _, _, err := runCapture(ctx, "import", "--db", db, os.DevNull); err != nil { // stats and export read a database that is there
		t.Fatal(err)
	}
	path := writeConfig(t, config, text, 0o644)
	want := "triage: warning: " + path + " is readable by other users (mode 0644); it may hold account names and commands — chmod 600 " + path + "\n"
	for _, args := range [][]string{
		{"stats", "--db", db},                   // the default config
		{"stats", "--db", db, "--config", path}, // named by --config
		{"export", "--db", db},
	} {
		_, stderr, err := runCapture(ctx, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if stderr != want {
			t.Errorf("%v: stderr = %q, want exactly %q", args, stderr, want)
		}
	}
	// serve reads the config twice (its [serve] table, then the inbox's): still one warning.
	addr, stop, _, serr := startServeCapture(t, "--db", db)
	postSigned(t, addr, "warn-1")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(serr.String(), "is readable by other users"); n != 1 {
		t.Errorf("serve warned %d times, want once:\n%s", n, serr)
	}

	// Group-readable is as exposed as world-readable.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, stderr, _ := runCapture(ctx, "stats", "--db", db); !strings.Contains(stderr, "(mode 0640)") {
		t.Errorf("0640 config: stderr = %q, want a warning", stderr)
	}

	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"stats", "--db", db}, {"stats", "--db", db, "--config", path}} {
		if _, stderr, err := runCapture(ctx, args...); err != nil || strings.Contains(stderr, "warning") {
			t.Errorf("%v with a 0600 config: stderr = %q, %v; want no warning", args, stderr, err)
		}
	}
	addr, stop, _, serr = startServeCapture(t, "--db", db)
	postSigned(t, addr, "warn-2")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(serr.String(), "warning:") {
		t.Errorf("serve with a 0600 config warned:\n%s", serr)
	}
}
