package team

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// With no paths given, the team file is read from $XDG_CONFIG_HOME/triage/team_keys and
// the host key is created 0600 under $XDG_DATA_HOME/triage/ (in a folder only its owner
// can enter), nothing is written to the working folder, and a restart presents the same
// host key, so agents' known_hosts stay valid.
func TestHostKeyCreatedPrivateAndReused(t *testing.T) {
	config, data := t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("XDG_DATA_HOME", data)
	maria := newKey(t)
	if err := os.MkdirAll(filepath.Join(config, "triage"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeTeam(t, filepath.Join(config, "triage", "team_keys"), keyLine(`agent="maria"`, maria))
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	before := listDir(t, wd)

	first := serveOnceAndGetHostKey(t, maria)
	path := filepath.Join(data, "triage", "team_host_ed25519")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no host key at %s: %v", path, err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %#o, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("host key folder: %v, mode %v; want 0700", err, di.Mode().Perm())
	}
	if after := listDir(t, wd); after != before {
		t.Fatalf("the working folder changed:\nbefore %s\nafter  %s", before, after)
	}

	second := serveOnceAndGetHostKey(t, maria)
	if !bytes.Equal(first.Marshal(), second.Marshal()) {
		t.Fatal("the host key changed on restart")
	}
	if got := gossh.FingerprintSHA256(first); !strings.HasPrefix(got, "SHA256:") {
		t.Fatalf("fingerprint %q", got)
	}
}

// A host key file other users can read is refused, as sshd refuses one.
func TestHostKeyOthersCanReadIsRefused(t *testing.T) {
	dir := t.TempDir()
	team, host := filepath.Join(dir, "team_keys"), filepath.Join(dir, "host_key")
	writeTeam(t, team, keyLine(`agent="maria"`, newKey(t)))
	s, err := Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: team, HostKey: host, NewProgram: inboxPrograms(t)})
	if err != nil {
		t.Fatal(err)
	}
	s.ln.Close()
	if err := os.Chmod(host, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: team, HostKey: host, NewProgram: inboxPrograms(t)})
	if err == nil || !strings.Contains(err.Error(), "can be read by other users") {
		t.Fatalf("Listen: %v; want the key refused", err)
	}
}

// serveOnceAndGetHostKey starts a server on the default paths, connects as key, and
// returns the host key the server presented, stopping the server after.
func serveOnceAndGetHostKey(t *testing.T, key gossh.Signer) gossh.PublicKey {
	t.Helper()
	s, err := Listen(Options{Listen: "127.0.0.1:0", NewProgram: inboxPrograms(t), Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	var presented gossh.PublicKey
	c, err := gossh.Dial("tcp", s.Addr().String(), &gossh.ClientConfig{
		User: "maria", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, Timeout: 10 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { presented = k; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return presented
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}
