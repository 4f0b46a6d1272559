// Package sshtest is an SSH client for tests of `triage team`: fresh keys, team file
// lines, and interactive sessions with a pty whose screen a test reads as words.
package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/triage-inbox/triage/internal/syncbuf"
)

// NewKey is a fresh Ed25519 key, as an agent's ssh-keygen would make.
func NewKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, s := NewKeyPair(t)
	return s
}

// KeyLine is a team file line for key with the options given, as an admin writes it.
func KeyLine(options string, key gossh.Signer) string {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key.PublicKey())))
	if options != "" {
		line = options + " " + line
	}
	return line + " someone@laptop\n"
}

// Dial connects as a client that offers the signers in order, as ssh with several keys
// in its agent does.
func Dial(addr string, signers ...gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            "anyone",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signers...)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

// Screen is an interactive session with a pty, and everything it has printed (written
// as it prints, read by the test meanwhile).
type Screen struct {
	Sess  *gossh.Session
	Stdin io.WriteCloser
	out   syncbuf.Buffer
}

func (s *Screen) Write(p []byte) (int, error) { return s.out.Write(p) }

// Text is what the session printed, without escape sequences: the words drawn so far.
func (s *Screen) Text() string { return ansi.Strip(s.out.String()) }

// Raw is what the session printed, escape sequences and all.
func (s *Screen) Raw() string { return s.out.String() }

// Open asks for a pty of w×h and a shell, as ssh -t does.
func Open(t testing.TB, c *gossh.Client, w, h int) *Screen {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	s := &Screen{Sess: sess}
	sess.Stdout = s
	sess.Stderr = s
	if s.Stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return s
}

// WaitFor waits until the screen has shown want.
func (s *Screen) WaitFor(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(s.Text(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the screen never showed %q; it showed:\n%s", want, s.Text())
}

// Connect dials as the keys and opens a w×h screen, failing the test if it cannot.
func Connect(t testing.TB, addr string, w, h int, keys ...gossh.Signer) *Screen {
	t.Helper()
	c, err := Dial(addr, keys...)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return Open(t, c, w, h)
}

// NewKeyPair is a fresh Ed25519 key as its private key (for an ssh-agent to hold) and the
// signer of it.
func NewKeyPair(t testing.TB) (ed25519.PrivateKey, gossh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return priv, s
}
