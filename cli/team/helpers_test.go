package team

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/internal/sshtest"
	"github.com/triage-inbox/triage/internal/syncbuf"
	"github.com/triage-inbox/triage/ui"
)

// The SSH client side comes from sshtest, shared with the triage team command's test.
type screen = sshtest.Screen

func newKey(t *testing.T) gossh.Signer                { return sshtest.NewKey(t) }
func keyLine(options string, key gossh.Signer) string { return sshtest.KeyLine(options, key) }
func dial(addr string, signers ...gossh.Signer) (*gossh.Client, error) {
	return sshtest.Dial(addr, signers...)
}
func openScreen(t *testing.T, c *gossh.Client, w, h int) *screen { return sshtest.Open(t, c, w, h) }
func connect(t *testing.T, addr string, w, h int, keys ...gossh.Signer) *screen {
	t.Helper()
	return sshtest.Connect(t, addr, w, h, keys...)
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
	return sharedInboxWith(t, nil, time.Now)
}

// sharedInboxWith is sharedInbox with a config (nil: the defaults) and a clock; the
// waiting message was written an hour before the clock's time.
func sharedInboxWith(t *testing.T, cfg *inbox.Config, now func() time.Time) (*inbox.Service, func(*Session) (tea.Model, []tea.ProgramOption, error)) {
	t.Helper()
	svc := inboxtest.Open(t, cfg, now)
	ctx := context.Background()
	if _, err := svc.IngestMessages(ctx, inbox.Message{Channel: "facebook", Account: "106", ID: "c1",
		Conversation: "post:106_200", Kind: inbox.KindComment, Author: &inbox.Author{ID: "a1", Name: "Bea Costa"},
		Text: "Is this in stock?", CreatedAt: now().Add(-time.Hour)}); err != nil {
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
	log      *syncbuf.Buffer
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

func testLogBuffer(t *testing.T) (*slog.Logger, *syncbuf.Buffer) {
	w := &syncbuf.Buffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", w.String())
		}
	})
	return slog.New(slog.NewTextHandler(w, nil)), w
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
