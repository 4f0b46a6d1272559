package escalate

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/inbox"
)

// mailServer is an in-process SMTP server (go-smtp's) that takes mail for one mailbox
// after AUTH PLAIN, and refuses on command.
type mailServer struct {
	mu       sync.Mutex
	user, pw string
	mailbox  string
	received []*mail.Message
	from     []string
	rcptErr  error // answered to RCPT TO, once
}

type mailSession struct {
	s    *mailServer
	auth bool
	from string
}

func (s *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{s: s}, nil }

func (ss *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pw string) error {
		if user != ss.s.user || pw != ss.s.pw {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if err := ss.s.rcptErr; err != nil {
		ss.s.rcptErr = nil
		return err
	}
	if to != ss.s.mailbox {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	return nil
}

func (ss *mailSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	m.Body = strings.NewReader(string(body))
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.received = append(ss.s.received, m)
	ss.s.from = append(ss.s.from, ss.from)
	return nil
}

func (ss *mailSession) Reset()        {}
func (ss *mailSession) Logout() error { return nil }

func newTestEmail(t *testing.T) (*Email, *mailServer) {
	t.Helper()
	ms := &mailServer{user: "triage@acme.test", pw: "smtp-pw", mailbox: "support@acme.test"}
	srv := smtp.NewServer(ms)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	t.Setenv("TRIAGE_TEST_SMTP_PASSWORD", "smtp-pw")
	d, err := New(context.Background(), inbox.EscalationConfig{Destination: "email", To: "support@acme.test",
		From: "triage@acme.test", SMTP: l.Addr().String(), Security: "none", PasswordEnv: "TRIAGE_TEST_SMTP_PASSWORD"})
	if err != nil {
		t.Fatal(err)
	}
	return d.(*Email), ms
}

func TestEmailSendsTheCase(t *testing.T) {
	e, ms := newTestEmail(t)
	ref, err := e.Deliver(context.Background(), sampleOut("triage-k1"))
	if err != nil {
		t.Fatal(err)
	}
	if ref != "<triage-k1@acme.test>" {
		t.Errorf("ref = %q, want the Message-ID", ref)
	}
	if len(ms.received) != 1 || ms.from[0] != "triage@acme.test" {
		t.Fatalf("received %d messages from %q", len(ms.received), ms.from)
	}
	m := ms.received[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if m.Header.Get("Message-ID") != ref || subject != "[triage] Billing: Ana Ruiz (@ana) on Instagram" ||
		m.Header.Get("To") != "<support@acme.test>" || m.Header.Get("X-Triage-Priority") != "urgent" ||
		!strings.HasPrefix(m.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("headers = %v (subject %q)", m.Header, subject)
	}
	body, _ := io.ReadAll(m.Body)
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	if text != Summary(sampleOut("triage-k1")) {
		t.Errorf("body = %q\nwant the summary %q", text, Summary(sampleOut("triage-k1")))
	}
	if e.Idempotent() {
		t.Error("email claims to be idempotent")
	}
}

func TestEmailErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(*mailServer)
		class string
		say   string
	}{
		{"mailbox unknown", func(ms *mailServer) { ms.mailbox = "help@acme.test" }, "permanent", "550"},
		{"greylisted", func(ms *mailServer) {
			ms.rcptErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "try again later"}
		}, "temporary", "451"},
		{"password refused", func(ms *mailServer) { ms.pw = "rotated" }, "permanent", "535"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, ms := newTestEmail(t)
			c.setup(ms)
			_, err := e.Deliver(context.Background(), sampleOut("triage-k1"))
			if cl, _ := class(err); cl != c.class || !strings.Contains(err.Error(), c.say) {
				t.Errorf("error %v is %s, want %s saying %q", err, cl, c.class, c.say)
			}
			if err != nil && strings.Contains(err.Error(), "smtp-pw") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func TestEmailServerDown(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	d, err := New(context.Background(), inbox.EscalationConfig{Destination: "email", To: "support@acme.test",
		From: "triage@acme.test", SMTP: addr, Security: "none"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Deliver(context.Background(), sampleOut("triage-k1"))
	var ne *net.OpError
	if cl, wait := class(err); cl != "temporary" || wait == 0 || !errors.As(err, &ne) {
		t.Errorf("error %v is %s (wait %s), want a temporary network error", err, cl, wait)
	}
}
