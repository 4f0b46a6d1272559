package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/triage-inbox/triage/internal/pgtest"
)

var built struct {
	once sync.Once
	path string
	err  error
}

// TestMain removes the binary that binary() builds, and stops the PostgreSQL cluster
// that pgtest.URL starts for the tests on PostgreSQL (postgres_test.go).
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if built.path != "" {
		os.RemoveAll(filepath.Dir(built.path))
	}
	os.Exit(code)
}

// binary builds the triage command once per test run, for the tests that check what a
// person sees of the real program: exit codes, and which stream a text goes to.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "triage-bin")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "triage")
		root, err := findRepoRoot()
		if err != nil {
			built.err = err
			return
		}
		cmd := exec.Command("go", "build", "-o", built.path, ".")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			built.err = errors.New(string(out))
		}
	})
	if built.err != nil {
		t.Fatalf("go build: %v", built.err)
	}
	return built.path
}

// repoRoot is the repository's root, the folder of go.mod: where README.md is, and where
// the README's commands (go run ., go run ./adapters/…) run.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := findRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the test's folder or above it")
		}
		dir = parent
	}
}

// runBinary runs the built triage with its own empty XDG folders and returns what it
// printed and its exit status.
func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_STATE_HOME="+filepath.Join(home, "state"), "TRIAGE_DB=", "TRIAGE_CONFIG=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// Help that was asked for is the output, not an error: standard output, exit 0.
func TestHelpGoesToStandardOutput(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"--db", "x.db", "--help"},
		{"demo", "--help"}, {"import", "--help"}, {"export", "--help"}, {"stats", "-h"},
		{"sync", "--help"}, {"serve", "--help"}, {"import", "a.jsonl", "--help"},
	} {
		out, errOut, code := runBinary(t, args...)
		if code != 0 || errOut != "" || !strings.Contains(out, "usage:") || !strings.Contains(out, "triage") {
			t.Errorf("triage %s: exit %d, stdout %q, stderr %q; want the usage on stdout, exit 0",
				strings.Join(args, " "), code, out, errOut)
		}
	}
	// Each command's help shows its own synopsis and flags.
	out, _, _ := runBinary(t, "stats", "--help")
	if !strings.Contains(out, "usage: triage stats [--since") || !strings.Contains(out, "-by") {
		t.Errorf("stats --help = %q", out)
	}
	// A mistake is still an error: the usage on standard error, exit 2.
	out, errOut, code := runBinary(t, "stats", "--bogus")
	if code != 2 || out != "" || !strings.Contains(errOut, "flag provided but not defined: -bogus") {
		t.Errorf("stats --bogus: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		out, errOut, code := runBinary(t, args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "triage ") || !strings.Contains(out, "built with go") {
			t.Errorf("triage %s: exit %d, stdout %q, stderr %q", args[0], code, out, errOut)
		}
	}
}

func TestVersionText(t *testing.T) {
	vcs := func(rev, at, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: at}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "9b996993c5a1e0e0b3b4d4c2b6a1f00dd00dfeed"
	cases := []struct {
		set  string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"v1.2.0", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}, true, "triage v1.2.0, built with go1.26.0"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.3.1"}}, true, "triage v1.3.1, built with go1.26.0"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-11-20T10:00:00Z", "true")},
			true, "triage 9b996993c5a1+dirty (2026-11-20T10:00:00Z), built with go1.26.0"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "", "false")},
			true, "triage 9b996993c5a1, built with go1.26.0"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}, true, "triage devel, built with go1.26.0"},
		{"", nil, false, "triage devel"},
	}
	for _, c := range cases {
		if got := versionText(c.set, c.info, c.ok); got != c.want {
			t.Errorf("versionText(%q, …) = %q, want %q", c.set, got, c.want)
		}
	}
}

// A command that only reads never makes a database: a mistyped --db is an error naming
// the path, exit 1, and nothing appears there — no file, no folder, no -wal or -shm.
func TestReadingCommandsCreateNothing(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ args []string }{
		{[]string{"stats", "--db", filepath.Join(dir, "trage.db")}},
		{[]string{"stats", "--json", "--db", filepath.Join(dir, "typo", "triage.db")}},
		{[]string{"export", "--db", filepath.Join(dir, "trage.db")}},
		{[]string{"export", "--format", "csv", "--db", filepath.Join(dir, "typo", "triage.db")}},
	} {
		db := c.args[len(c.args)-1]
		out, errOut, code := runBinary(t, c.args...)
		if code != 1 || out != "" || !strings.Contains(errOut, "no database at "+db) {
			t.Errorf("triage %s: exit %d, stdout %q, stderr %q; want exit 1 naming %s", strings.Join(c.args, " "), code, out, errOut, db)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("reading commands left %v behind", left)
	}
	// The default database, when there is none yet, is named the same way.
	_, errOut, code := runBinary(t, "stats")
	if code != 1 || !strings.Contains(errOut, "no database at ") || !strings.Contains(errOut, filepath.Join("data", "triage", "triage.db")) {
		t.Errorf("stats with no database: exit %d, stderr %q", code, errOut)
	}
}
