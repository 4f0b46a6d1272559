package team

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/inbox"
)

// Each mistake in a team file is reported with file:line and what is wrong with it.
func TestParseTeamErrors(t *testing.T) {
	k := keyLine("", newKey(t)) // a bare key line, no options
	k2 := keyLine("", newKey(t))
	tests := []struct {
		name string
		file string
		want []string // in the error, in this order
	}{
		{"unknown role", "# team\n" + `agent="maria",role="boss" ` + k, []string{"team_keys:2:", `unknown role "boss"`, "agent, lead or admin"}},
		{"no agent", `role="lead" ` + k, []string{"team_keys:1:", "no agent= option"}},
		{"bare key", k, []string{"team_keys:1:", "no agent= option"}},
		{"empty agent", `agent="" ` + k, []string{"team_keys:1:", "agent= is empty"}},
		{"agent with a space", `agent="maria lopez" ` + k, []string{"team_keys:1:", `agent "maria lopez"`, "letters, digits"}},
		{"option not enforced", `agent="maria",from="10.0.0.0/8" ` + k, []string{"team_keys:1:", "option from= ", "not one triage reads"}},
		{"flag option", `agent="maria",no-pty ` + k, []string{"team_keys:1:", "option no-pty ", "not one triage reads"}},
		{"bad theme", `agent="maria",theme="blue" ` + k, []string{"team_keys:1:", `theme "blue"`}},
		{"role twice", `agent="maria",role="lead",role="admin" ` + k, []string{"team_keys:1:", "role= given twice"}},
		{"not a key", "\n\nagent=\"maria\" ssh-ed25519 AAAAnotbase64\n", []string{"team_keys:3:", "not a key line"}},
		{"same key twice", `agent="maria" ` + k + `agent="bob" ` + k, []string{"team_keys:2:", "already on line 1", `"maria"`}},
		{"every bad line", `agent="maria",role="boss" ` + k + `role="lead" ` + k2, []string{"team_keys:1:", "team_keys:2:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTeam("team_keys", []byte(tt.file))
			if err == nil {
				t.Fatal("no error")
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("%v: not a *LineError", err)
			}
			msg, at := err.Error(), 0
			for _, w := range tt.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error %q lacks %q (after position %d)", msg, w, at)
				}
				at += i + len(w)
			}
		})
	}
}

// A good file: comments and blank lines skipped, role defaulting to agent, quotes taken
// off, one agent with two keys.
func TestParseTeamMembers(t *testing.T) {
	maria1, maria2, dev := newKey(t), newKey(t), newKey(t)
	file := "# the team\n\n" + keyLine(`agent="maria",role="lead"`, maria1) + keyLine(`agent="maria",role="lead",theme="light"`, maria2) +
		"  " + keyLine(`AGENT="dev"`, dev)
	team, err := ParseTeam("team_keys", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	check := func(m Member, ok bool, agent string, role inbox.Role, theme string, line int) {
		t.Helper()
		if !ok || m.Agent != agent || m.Role != role || m.Theme != theme || m.Line != line {
			t.Fatalf("got %+v (found %v), want %s %s %q on line %d", m, ok, agent, role, theme, line)
		}
	}
	m, ok := team.Lookup(maria1.PublicKey())
	check(m, ok, "maria", inbox.RoleLead, "", 3)
	m, ok = team.Lookup(maria2.PublicKey())
	check(m, ok, "maria", inbox.RoleLead, "light", 4)
	m, ok = team.Lookup(dev.PublicKey())
	check(m, ok, "dev", inbox.RoleAgent, "", 5)
	if _, ok := team.Lookup(newKey(t).PublicKey()); ok {
		t.Fatal("a stranger's key was found")
	}
	if team.Len() != 3 {
		t.Fatalf("Len %d, want 3", team.Len())
	}
}

// The server will not start on a team file with a mistake, and says where it is.
func TestListenReportsBadTeamFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "team_keys")
	writeTeam(t, path, keyLine(`agent="maria"`, newKey(t)), keyLine(`agent="bob",role="boss"`, newKey(t)))
	_, err := Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: path, HostKey: filepath.Join(dir, "host_key"), NewProgram: inboxPrograms(t)})
	if err == nil || !strings.Contains(err.Error(), path+":2: unknown role \"boss\"") {
		t.Fatalf("Listen: %v; want %s:2: unknown role \"boss\"", err, path)
	}
}

// A team file that other users may write is refused: they could add their own key.
func TestListenRefusesTeamFileOthersCanWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "team_keys")
	writeTeam(t, path, keyLine(`agent="maria"`, newKey(t)))
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: path, HostKey: filepath.Join(dir, "host_key"), NewProgram: inboxPrograms(t)})
	if err == nil || !strings.Contains(err.Error(), "writable by other users") {
		t.Fatalf("Listen: %v; want the file refused", err)
	}
}

// A missing team file is an error naming it, not a server nobody can enter.
func TestListenReportsMissingTeamFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "team_keys")
	_, err := Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: path, HostKey: filepath.Join(dir, "host_key"), NewProgram: inboxPrograms(t)})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Listen: %v; want an error naming %s", err, path)
	}
}
