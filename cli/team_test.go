package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/cli/team"
	"github.com/triage-inbox/triage/internal/sshtest"
)

var teamServingRE = regexp.MustCompile(`serving the inbox over SSH on (\S+);`)

// `triage team`, as a team runs it: the team file's agent connects with ssh and gets the
// inbox as themself; a stranger's key is refused; the host key is made under
// XDG_DATA_HOME, private, and not in the working folder.
func TestTeamCommandServesTheTeamFile(t *testing.T) {
	data, conf := t.TempDir(), t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("XDG_CONFIG_HOME", conf)
	db := filepath.Join(t.TempDir(), "t.db")
	if _, stderr, err := triage(t, db, "", "demo"); err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr)
	}
	t.Setenv("XDG_DATA_HOME", data) // triage() gave the demo its own
	t.Setenv("XDG_CONFIG_HOME", conf)
	maria, stranger := sshtest.NewKey(t), sshtest.NewKey(t)
	keys := filepath.Join(conf, "triage", "team_keys")
	if err := os.MkdirAll(filepath.Dir(keys), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keys, []byte(sshtest.KeyLine(`agent="maria",role="lead"`, maria)), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	before, _ := os.ReadDir(wd)

	addr, stop, stderr := startCommand(t, teamServingRE, "team", "--listen", "127.0.0.1:0", "--db", db)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("team stopped with %v\n%s", err, stderr)
		}
	}()
	if _, err := sshtest.Dial(addr, stranger); err == nil {
		t.Error("a key not in the team file got in")
	}
	s := sshtest.Connect(t, addr, 120, 35, maria)
	s.WaitFor(t, "triage › Inbox")
	// Mine is what the team file's agent holds: the demo assigns maria conversations,
	// and the view's title, the first thing drawn after the key, counts them. (Only the
	// cells that change are drawn: "Mine 0" over "Inbox 171" reads "Mine 01".) The Inbox
	// must be drawn whole first, or its last rows come after the key, before the title.
	drawn := len(s.Text())
	for quiet, start := time.Now(), time.Now(); time.Since(quiet) < 300*time.Millisecond && time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		if n := len(s.Text()); n != drawn {
			drawn, quiet = n, time.Now()
		}
	}
	if _, err := s.Stdin.Write([]byte("2")); err != nil {
		t.Fatal(err)
	}
	title := regexp.MustCompile(`^\s*Mine (\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for title.FindStringSubmatch(s.Text()[drawn:]) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if m := title.FindStringSubmatch(s.Text()[drawn:]); m == nil || m[1][0] == '0' {
		t.Errorf("Mine is not maria's: %q", s.Text()[drawn:])
	}

	info, err := os.Stat(filepath.Join(data, "triage", "team_host_ed25519"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v, %v; want it made 0600 under XDG_DATA_HOME", info, err)
	}
	after, _ := os.ReadDir(wd)
	if len(after) != len(before) {
		var names []string
		for _, e := range after {
			names = append(names, e.Name())
		}
		t.Errorf("the working folder changed: %s", strings.Join(names, " "))
	}
}

// The README's team file is one the server reads: two members, as it says.
func TestReadmeTeamFileParses(t *testing.T) {
	var file string
	for _, b := range readmeBlocks(t, "") {
		if strings.Contains(b.text, `agent="maria",role="lead"`) {
			file = b.text
		}
	}
	if file == "" {
		t.Fatal("README.md has no team file example")
	}
	tm, err := team.ParseTeam("team_keys", []byte(file))
	if err != nil || tm.Len() != 2 {
		t.Fatalf("the README's team file: %v members, %v", tm, err)
	}
}
