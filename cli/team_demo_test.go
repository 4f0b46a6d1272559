package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/triage-inbox/triage/internal/sshtest"
	"github.com/triage-inbox/triage/internal/syncbuf"
)

// newcomer is a machine of someone trying team mode: a home folder with their key
// pair's public half (the private half is the signer the test connects with), their
// login name ana, empty XDG folders, and a temporary folder to look into afterwards.
// Their ssh-agent, if any, is not the test's.
type newcomer struct {
	priv           ed25519.PrivateKey
	key            gossh.Signer
	home, data     string
	config, tmpdir string
}

func newNewcomer(t *testing.T, withPub bool) *newcomer {
	t.Helper()
	n := &newcomer{home: t.TempDir(), data: t.TempDir(), config: t.TempDir(), tmpdir: t.TempDir()}
	n.priv, n.key = sshtest.NewKeyPair(t)
	t.Setenv("HOME", n.home)
	t.Setenv("USER", "ana")
	t.Setenv("XDG_DATA_HOME", n.data)
	t.Setenv("XDG_CONFIG_HOME", n.config)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("TMPDIR", n.tmpdir)
	t.Setenv("SSH_AUTH_SOCK", "")
	t.Setenv("TRIAGE_DB", "")
	t.Setenv("TRIAGE_CONFIG", "")
	if withPub {
		dir := filepath.Join(n.home, ".ssh")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		pub := gossh.MarshalAuthorizedKey(n.key.PublicKey())
		if err := os.WriteFile(filepath.Join(dir, "id_ed25519.pub"), pub, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// readmeTeamTry is the README's one-command try of team mode: the arguments after
// `go run .`, and what it says to type in another terminal.
func readmeTeamTry(t *testing.T) (args []string, ssh string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^go run \. (team --demo[^#]*?)\s+# then, in another terminal: (ssh -p \d+ localhost)$`)
	for _, b := range readmeBlocks(t, "sh") {
		if m := re.FindStringSubmatch(b.text); m != nil {
			return strings.Fields(m[1]), m[2]
		}
	}
	t.Fatal("README.md has no `go run . team --demo` try with the ssh command to type")
	return nil, ""
}

var demoTryRE = regexp.MustCompile(`in another terminal, type:\s+(ssh -p (\d+) localhost)`)

// The README's one command, run as it says (on a free port instead of 2222): the
// newcomer's own key from ~/.ssh lets them into the demo inbox as ana, an admin, by
// typing what the command printed; a stranger's key is refused; the real inbox and the
// real team file are never made, and the stand-in team file is gone when it stops.
func TestTeamDemoIsTheReadmeTry(t *testing.T) {
	args, readmeSSH := readmeTeamTry(t)
	if _, port, _ := net.SplitHostPort(defaultTeamListen); readmeSSH != "ssh -p "+port+" localhost" {
		t.Fatalf("the README says %q; the command serves port %s by default", readmeSSH, port)
	}
	n := newNewcomer(t, true)
	typed, stop, stderr := startCommand(t, demoTryRE, append(args, "--listen", "127.0.0.1:0")...)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	port := strings.Fields(typed)[2]            // ssh -p PORT localhost
	addr := net.JoinHostPort("127.0.0.1", port) // what ssh reaches for localhost here

	if c, err := sshtest.Dial(addr, sshtest.NewKey(t)); err == nil {
		c.Close()
		t.Error("a key that is not the newcomer's got into the demo")
	}
	s := sshtest.Connect(t, addr, 120, 35, n.key)
	s.WaitFor(t, "signed in as ana (admin)")
	s.WaitFor(t, "1 reply failed") // the demo always holds its one refused reply, whatever the hour

	if ok, err := isDemoDB(context.Background(), filepath.Join(n.data, "triage", "demo.db")); !ok || err != nil {
		t.Errorf("the demo inbox was not made beside the real one: %v, %v", ok, err)
	}
	for _, real := range []string{filepath.Join(n.data, "triage", "triage.db"), filepath.Join(n.config, "triage", "team_keys")} {
		if _, err := os.Stat(real); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the demo made %s (%v)", real, err)
		}
	}
	if err := s.Sess.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Log(err)
	}
	stopped = true
	if err := stop(); err != nil {
		t.Fatalf("the demo stopped with %v\n%s", err, stderr)
	}
	if left, _ := os.ReadDir(n.tmpdir); len(left) != 0 {
		t.Errorf("the stand-in team file was left behind: %v", left)
	}
}

// Keys held only by the ssh-agent (nothing in ~/.ssh) let the newcomer in too: here a
// real agent protocol server, the x/crypto keyring, on a Unix socket as ssh-agent's.
func TestTeamDemoTakesTheAgentsKeys(t *testing.T) {
	n := newNewcomer(t, false)
	keyring := agent.NewKeyring()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); agent.ServeAgent(keyring, c) }()
		}
	}()
	if err := keyring.Add(agent.AddedKey{PrivateKey: n.priv}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSH_AUTH_SOCK", sock)

	typed, stop, _ := startCommand(t, demoTryRE, "team", "--demo", "--listen", "127.0.0.1:0")
	defer stop()
	port := strings.Fields(typed)[2] // ssh -p PORT localhost
	s := sshtest.Connect(t, net.JoinHostPort("127.0.0.1", port), 100, 30, n.key)
	s.WaitFor(t, "signed in as ana (admin)")
}

// What a demo must not do is refused before anything is made: serve beyond this
// machine, or take a real team file; and without any key of theirs, the newcomer is told
// how to make one.
func TestTeamDemoRefusals(t *testing.T) {
	cases := []struct {
		name    string
		withPub bool
		args    []string
		want    string
	}{
		{"every address", true, []string{"--listen", "0.0.0.0:2222"}, "not a loopback address"},
		{"no host", true, []string{"--listen", ":2222"}, "not a loopback address"},
		{"a name", true, []string{"--listen", "localhost:2222"}, "not a loopback address"},
		{"another host", true, []string{"--listen", "192.0.2.7:2222"}, "not a loopback address"},
		{"a team file", true, []string{"--authorized-keys", "team_keys"}, "--authorized-keys is for a real team"},
		{"no key", false, nil, "ssh-keygen -t ed25519"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := newNewcomer(t, c.withPub)
			var out, errb syncbuf.Buffer
			env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
			// A demo that served anyway stops here and returns no error.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := runWith(ctx, env, append([]string{"team", "--demo"}, c.args...))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want it to say %q", err, c.want)
			}
			for _, dir := range []string{n.data, n.config, n.tmpdir} {
				if left, _ := os.ReadDir(dir); len(left) != 0 {
					t.Errorf("a refused demo made %v in %s", left, dir)
				}
			}
		})
	}
}
