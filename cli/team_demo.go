package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// `triage team --demo` is the one-command try of team mode on one's own machine: the demo
// inbox (the one `triage --demo` opens, beside the real one, never the real one) served
// on a loopback address to the person at this machine alone. A newcomer has no team
// file, so their own SSH keys stand in for one: the public keys in ~/.ssh and those their
// ssh-agent holds, which let them in as an admin named after $USER. The real team file is
// neither needed, nor read, nor written.

// demoTeam is the stand-in team file of a demo: the newcomer's keys, in a private folder
// of its own that is removed when the server stops.
type demoTeam struct {
	agent   string
	file    string   // the team file the server reads
	sources []string // where the keys came from, for the newcomer to recognise them
	dir     string
}

// remove deletes the stand-in team file and its folder.
func (d *demoTeam) remove() { os.RemoveAll(d.dir) }

// errNoKeys says how to make the key a demo needs, once, for someone who has none.
var errNoKeys = errors.New("no SSH key of yours to let you in: none in ~/.ssh/*.pub and no ssh-agent with one; " +
	"make one with: ssh-keygen -t ed25519   then run this again")

// newDemoTeam writes the stand-in team file for the person running the command.
func newDemoTeam() (*demoTeam, error) {
	keys, sources := yourKeys()
	if len(keys) == 0 {
		return nil, errNoKeys
	}
	d := &demoTeam{agent: demoAgentName(os.Getenv("USER")), sources: sources}
	var lines bytes.Buffer
	for i, k := range keys {
		fmt.Fprintf(&lines, "agent=%q,role=\"admin\" %s %s\n", d.agent,
			strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k))), strings.ReplaceAll(sources[i], " ", "_"))
	}
	dir, err := os.MkdirTemp("", "triage-team-demo-") // 0700: the team file lets people in
	if err != nil {
		return nil, fmt.Errorf("demo team file: %w", err)
	}
	d.dir, d.file = dir, filepath.Join(dir, "team_keys")
	if err := os.WriteFile(d.file, lines.Bytes(), 0o600); err != nil {
		d.remove()
		return nil, fmt.Errorf("demo team file: %w", err)
	}
	return d, nil
}

// yourKeys are the public keys the person at this machine may hold: ~/.ssh/*.pub, then
// the keys of their ssh-agent, once each, with where each was found. Certificates are
// left out: the team file names keys. A file or an agent that cannot be read is passed
// over; what is left may still let them in, and none at all is said by the caller.
func yourKeys() (keys []gossh.PublicKey, sources []string) {
	seen := map[string]bool{}
	add := func(k gossh.PublicKey, source string) {
		if _, cert := k.(*gossh.Certificate); cert || seen[string(k.Marshal())] {
			return
		}
		seen[string(k.Marshal())] = true
		keys, sources = append(keys, k), append(sources, source)
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		files, _ := filepath.Glob(filepath.Join(home, ".ssh", "*.pub"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if k, _, _, _, err := gossh.ParseAuthorizedKey(data); err == nil {
				add(k, "~/.ssh/"+filepath.Base(f))
			}
		}
	}
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if conn, err := net.DialTimeout("unix", sock, time.Second); err == nil {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(2 * time.Second)) // an agent that hangs must not stop the command
			listed, _ := agent.NewClient(conn).List()
			for _, a := range listed {
				if k, err := gossh.ParsePublicKey(a.Blob); err == nil {
					add(k, "ssh-agent")
				}
			}
		}
	}
	return keys, sources
}

// demoAgentName is the agent a demo names the newcomer: their login name, kept to the
// characters the team file allows in agent names (and searches like assignee:NAME read).
func demoAgentName(user string) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-@+", r) {
			return r
		}
		return -1
	}, user)
	if name == "" || len(name) > 64 {
		return "me"
	}
	return name
}

// loopbackOnly refuses a --listen a demo must not serve on: anything but a loopback IP
// address (a name could resolve anywhere; no host means every address). The demo lets in
// whoever holds the newcomer's keys, and shows an inbox they may take for a real one.
func loopbackOnly(listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--demo serves this machine only: --listen %q is not a loopback address; use 127.0.0.1:PORT or [::1]:PORT", listen)
	}
	return nil
}

// startDemoTeam checks what a demo is asked to do and prepares it: a loopback address
// only, no real team file, the newcomer's keys, and the demo inbox seeded the first time.
func (e *cliEnv) startDemoTeam(ctx context.Context, listen, teamFile string) (*demoTeam, error) {
	if err := loopbackOnly(listen); err != nil {
		return nil, &exitError{2, err}
	}
	if teamFile != "" {
		return nil, &exitError{2, errors.New("--demo lets in your own keys; --authorized-keys is for a real team, without --demo")}
	}
	d, err := newDemoTeam()
	if err != nil {
		return nil, err
	}
	if _, err := e.ensureDemo(ctx, e.teamDatabase(d), defaultSeed); err != nil {
		d.remove()
		return nil, err
	}
	return d, nil
}

// teamDatabase is the database served: --db's (or TRIAGE_DB's), else the real inbox, or
// for a demo the demo inbox beside it, as triage --demo opens it.
func (e *cliEnv) teamDatabase(demo *demoTeam) string {
	if demo != nil && e.dbPath == "" {
		return filepath.Join(dataDir(), "demo.db")
	}
	return e.databasePath()
}

// printTry says, once the server listens, what the newcomer types next and who they will
// be. OpenSSH tries each address of localhost, so it reaches 127.0.0.1 and ::1 alike.
func (d *demoTeam) printTry(w io.Writer, addr *net.TCPAddr) {
	fmt.Fprintf(w, "serving the demo inbox on %s to you alone, as %s (admin), by your keys: %s\n",
		addr, d.agent, strings.Join(d.sources, ", "))
	fmt.Fprintf(w, "in another terminal, type:  ssh -p %d localhost\n", addr.Port)
	fmt.Fprintln(w, "ssh asks once whether to trust this server's key (yes) · each ssh window is a session · ctrl+c stops")
}
