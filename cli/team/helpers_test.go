package team

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/ui"
)

// newKey is a fresh Ed25519 key, as an agent's ssh-keygen would make.
func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keyLine is a team file line for key with the options given, as an admin writes it.
func keyLine(options string, key gossh.Signer) string {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key.PublicKey())))
	if options != "" {
		line = options + " " + line
	}
	return line + " someone@laptop\n"
}

// writeTeam writes the team file, private as the server wants it.
func writeTeam(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// inboxPrograms builds each session's screen as `triage team` does: the real UI over
// one shared inbox and its hub of live changes, acting as the session's agent. The inbox
// holds one waiting message.
func inboxPrograms(t *testing.T) func(*Session) (tea.Model, []tea.ProgramOption, error) {
	t.Helper()
	_, programs := sharedInbox(t)
	return programs
}

// sharedInbox is the inbox of inboxPrograms, for tests that look at what sessions did.
func sharedInbox(t *testing.T) (*inbox.Service, func(*Session) (tea.Model, []tea.ProgramOption, error)) {
	t.Helper()
	svc := inboxtest.Open(t, nil, time.Now)
	ctx := context.Background()
	if _, err := svc.IngestMessages(ctx, inbox.Message{Channel: "facebook", Account: "106", ID: "c1",
		Conversation: "post:106_200", Kind: inbox.KindComment, Author: &inbox.Author{ID: "a1", Name: "Bea Costa"},
		Text: "Is this in stock?", CreatedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	hubCtx, stopHub := context.WithCancel(ctx)
	t.Cleanup(stopHub)
	hub := ui.RunHub(hubCtx, svc, nil)
	return svc, func(sess *Session) (tea.Model, []tea.ProgramOption, error) {
		m, err := ui.NewSession(sess.Context(), svc, ui.SessionOptions{Agent: sess.Agent, Role: sess.Role, Theme: sess.Theme, Hub: hub})
		return m, nil, err
	}
}

// testServer is a server on a random loopback port with its team file in a temporary
// folder, stopped when the test ends.
type testServer struct {
	addr     string
	teamPath string
	hostKey  string
	log      *lockedBuffer
}

func startServer(t *testing.T, newProgram func(*Session) (tea.Model, []tea.ProgramOption, error), team ...string) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{teamPath: filepath.Join(dir, "team_keys"), hostKey: filepath.Join(dir, "host_key")}
	writeTeam(t, ts.teamPath, team...)
	var logger *slog.Logger
	logger, ts.log = testLogBuffer(t)
	s, err := Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: ts.teamPath, HostKey: ts.hostKey,
		NewProgram: newProgram, Log: logger})
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = s.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

// testLog keeps the server's log and shows it when the test fails. (Sessions may log
// after the test ends, when t.Log would panic, so it is not written to t directly.)
func testLog(t *testing.T) *slog.Logger {
	l, _ := testLogBuffer(t)
	return l
}

func testLogBuffer(t *testing.T) (*slog.Logger, *lockedBuffer) {
	w := &lockedBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", w.String())
		}
	})
	return slog.New(slog.NewTextHandler(w, nil)), w
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// dial connects as a client that offers the signers in order, as ssh with several keys
// in its agent does.
func dial(addr string, signers ...gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            "anyone",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signers...)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

// screen is an interactive session with a pty, and everything it has printed.
type screen struct {
	sess  *gossh.Session
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// text is what the session printed, without escape sequences: the words drawn so far.
func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(s.out.String())
}

// openScreen asks for a pty of w×h and a shell, as ssh -t does.
func openScreen(t *testing.T, c *gossh.Client, w, h int) *screen {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	s := &screen{sess: sess}
	sess.Stdout = s
	sess.Stderr = s
	if s.stdin, err = sess.StdinPipe(); err != nil {
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

// waitFor waits until the screen has shown want.
func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(s.text(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the screen never showed %q; it showed:\n%s", want, s.text())
}

// connect dials as key and opens a w×h screen, failing the test if it cannot.
func connect(t *testing.T, addr string, w, h int, keys ...gossh.Signer) *screen {
	t.Helper()
	c, err := dial(addr, keys...)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return openScreen(t, c, w, h)
}

// liar offers one key's public half and signs with another key: a client that knows
// someone's public key (it is public) but not their private key.
type liar struct {
	claimed gossh.PublicKey
	real    gossh.Signer
}

func (l liar) PublicKey() gossh.PublicKey { return l.claimed }
func (l liar) Sign(r io.Reader, data []byte) (*gossh.Signature, error) {
	return l.real.Sign(r, data)
}

// offerOnly offers a public key it cannot sign for, as OpenSSH does with an IdentityFile
// whose private half is missing: the server says the key would do, and the signature
// that follows is one the server turns down (a format the key cannot make), after which
// the client goes on to its next key on the same connection.
type offerOnly struct{ claimed gossh.PublicKey }

func (o offerOnly) PublicKey() gossh.PublicKey { return o.claimed }
func (o offerOnly) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	return &gossh.Signature{Format: gossh.KeyAlgoRSASHA256, Blob: []byte("not a signature")}, nil
}
