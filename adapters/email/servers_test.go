package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/adapters"
)

// The test account: its password is the secret that must never show in an error.
const (
	testAddress  = "support@acme.test"
	testPassword = "s3cret-Pa55word"
	passwordEnv  = "TRIAGE_TEST_MAIL_PASSWORD"
)

// memIMAP is go-imap's in-memory server on a loopback port, with one user.
type memIMAP struct {
	addr string
	user *imapmemserver.User
}

func startIMAP(t *testing.T) *memIMAP { return startIMAPTLS(t, "none", nil) }

// startIMAPTLS starts the server with security "none", "starttls" or "tls" (with cert).
func startIMAPTLS(t *testing.T, security string, cert *tls.Config) *memIMAP {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(testAddress, testPassword)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	}
	ln := listen(t, security, cert)
	if security == SecuritySTARTTLS {
		opts.TLSConfig = cert
	}
	srv := imapserver.New(opts)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &memIMAP{addr: ln.Addr().String(), user: user}
}

// deliver appends a message from testdata (line ends made CRLF, as on the wire).
func (s *memIMAP) deliver(t *testing.T, mailbox, file string) {
	t.Helper()
	raw := readEML(t, file)
	if _, err := s.user.Append(mailbox, literal{bytes.NewReader(raw)}, &imap.AppendOptions{Time: time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("append %s: %v", file, err)
	}
}

// appendRaw appends bytes as they are.
func (s *memIMAP) appendRaw(t *testing.T, mailbox string, raw []byte) {
	t.Helper()
	if _, err := s.user.Append(mailbox, literal{bytes.NewReader(raw)}, &imap.AppendOptions{}); err != nil {
		t.Fatalf("append: %v", err)
	}
}

// listen opens a loopback listener, speaking TLS from the first byte for "tls".
func listen(t *testing.T, security string, cert *tls.Config) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if security == SecurityTLS {
		ln = tls.NewListener(ln, cert)
	}
	return ln
}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

func readEML(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

// smtpServer is an in-process go-smtp server that records what it receives and can be
// told to refuse.
type smtpServer struct {
	addr     string
	password string // "" offers no AUTH

	mu       sync.Mutex
	rcptErr  error // returned for every RCPT TO
	received []mailRecord
}

type mailRecord struct {
	from string
	to   []string
	data []byte
	user string
}

func startSMTP(t *testing.T, password string) *smtpServer {
	return startSMTPTLS(t, password, "none", nil)
}

// startSMTPTLS starts the server with security "none", "starttls" or "tls" (with cert).
func startSMTPTLS(t *testing.T, password, security string, cert *tls.Config) *smtpServer {
	t.Helper()
	s := &smtpServer{password: password}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln := listen(t, security, cert)
	if security == SecuritySTARTTLS {
		srv.TLSConfig = cert
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.addr = ln.Addr().String()
	return s
}

func (s *smtpServer) refuseRcpt(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptErr = err
}

func (s *smtpServer) mails() []mailRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailRecord(nil), s.received...)
}

type smtpSession struct {
	srv  *smtpServer
	user string
	rec  mailRecord
}

var _ smtp.AuthSession = (*smtpSession)(nil)

func (s *smtpSession) AuthMechanisms() []string {
	if s.srv.password == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != testAddress || pass != s.srv.password {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.password != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.rec = mailRecord{from: from, user: s.user}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	err := s.srv.rcptErr
	s.srv.mu.Unlock()
	if err != nil {
		return err
	}
	s.rec.to = append(s.rec.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.rec.data = b
	s.srv.mu.Lock()
	s.srv.received = append(s.srv.received, s.rec)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.rec = mailRecord{} }
func (s *smtpSession) Logout() error { return nil }

// account is the test [[account]] table; extra keys override or add.
func account(t *testing.T, imapAddr, smtpAddr string, extra map[string]any) adapters.Account {
	t.Helper()
	t.Setenv(passwordEnv, testPassword)
	keys := map[string]any{
		"name": "support", "channel": "email",
		"address": testAddress, "imap": imapAddr, "smtp": smtpAddr,
		"username": testAddress, "password_env": passwordEnv, "security": "none",
	}
	for k, v := range extra {
		if v == nil {
			delete(keys, k)
		} else {
			keys[k] = v
		}
	}
	acct, err := adapters.NewAccount(0, keys)
	if err != nil {
		t.Fatal(err)
	}
	return acct
}

// newAdapter builds the adapter and returns it as the concrete type for tests that tune it.
func newAdapter(t *testing.T, acct adapters.Account) adapters.Adapter {
	t.Helper()
	a, err := New(context.Background(), acct)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// concrete returns the *Adapter behind what New returned.
func concrete(a adapters.Adapter) *Adapter {
	switch a := a.(type) {
	case *Adapter:
		return a
	case checker:
		return a.Adapter
	}
	panic("not an email adapter")
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustClass asserts that err is an *adapters.Error, permanent or not, without the
// password in its text.
func mustClass(t *testing.T, err error, permanent bool) {
	t.Helper()
	var ae *adapters.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *adapters.Error", err, err)
	}
	if ae.Permanent != permanent {
		t.Errorf("error %q: Permanent = %v, want %v", err, ae.Permanent, permanent)
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error contains the password: %q", err)
	}
}
