package escalate

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// SMTP connection security, as the email channel names it.
const (
	SecurityNone     = "none"     // plain TCP; with a password, only to a server on this machine
	SecuritySTARTTLS = "starttls" // plain TCP upgraded with STARTTLS before login
	SecurityTLS      = "tls"      // TLS from the first byte (SMTPS, port 465)
)

// dialTimeout bounds the TCP and TLS handshake when ctx has no earlier deadline.
const dialTimeout = 30 * time.Second

// retryNetwork is how long to wait after the mail server could not be reached.
const retryNetwork = 30 * time.Second

// Email sends each escalation as a plain-text email to the support address. SMTP has no
// idempotency key: the Message-ID <key@domain> lets a helpdesk drop a duplicate, but
// triage cannot count on it, so a delivery cut off by a crash is marked unknown for a
// person to check, never sent again on a guess.
type Email struct {
	to, from    string // bare addresses
	smtpAddr    string // host:port
	security    string
	username    string
	hasPassword bool
	acct        adapters.Account
	now         func() time.Time
}

var _ Destination = (*Email)(nil)

func newEmail(ctx context.Context, acct adapters.Account) (*Email, error) {
	e := &Email{acct: acct, now: time.Now}
	var err error
	addr := func(key string) string {
		v, rerr := acct.Required(key)
		if rerr != nil {
			err = rerr
			return ""
		}
		a, perr := mail.ParseAddress(v)
		if perr != nil || !strings.Contains(a.Address, "@") {
			err = fmt.Errorf("%s: %q is not an address like support@acme.test", key, v)
			return ""
		}
		return a.Address
	}
	e.to, e.from = addr("to"), addr("from")
	if err != nil {
		return nil, err
	}
	if e.smtpAddr, err = acct.Required("smtp"); err != nil {
		return nil, err
	}
	host, port, serr := net.SplitHostPort(e.smtpAddr)
	if serr != nil || host == "" || port == "" {
		return nil, fmt.Errorf("smtp: %q: want host:port, like smtp.acme.test:465", e.smtpAddr)
	}
	if e.security, err = acct.String("security", SecurityTLS); err != nil {
		return nil, err
	}
	if e.username, err = acct.String("username", e.from); err != nil {
		return nil, err
	}
	env, _ := acct.String("password_env", "")
	cmd, _ := acct.String("password_cmd", "")
	e.hasPassword = env != "" || cmd != ""
	switch e.security {
	case SecurityTLS, SecuritySTARTTLS:
	case SecurityNone:
		if e.hasPassword && !isLoopback(host) {
			return nil, fmt.Errorf("security none would send the SMTP password in the clear to %s: use tls or starttls", host)
		}
	default:
		return nil, fmt.Errorf("security: %q: want tls, starttls or none", e.security)
	}
	if err := checkSecret(ctx, acct, "password"); err != nil {
		return nil, err
	}
	return e, nil
}

// String names the destination in sync states and logs.
func (e *Email) String() string { return "email" }

// Idempotent: no; SMTP cannot be asked whether a message arrived.
func (e *Email) Idempotent() bool { return false }

// MessageID is the Message-ID of an escalation's email, and its reference.
func (e *Email) MessageID(key string) string {
	_, domain, _ := strings.Cut(e.from, "@")
	return "<" + key + "@" + domain + ">"
}

// Deliver sends the email and returns its Message-ID.
func (e *Email) Deliver(ctx context.Context, out inbox.EscalationOut) (string, error) {
	msgID := e.MessageID(out.Key)
	msg, err := e.compose(out, msgID)
	if err != nil {
		return "", adapters.Permanent(err)
	}
	if err := e.send(ctx, msg); err != nil {
		return "", err
	}
	return msgID, nil
}

// compose writes the message: headers, then the summary as quoted-printable UTF-8.
func (e *Email) compose(out inbox.EscalationOut, msgID string) ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", (&mail.Address{Name: "triage", Address: e.from}).String())
	h("To", (&mail.Address{Address: e.to}).String())
	h("Subject", mime.QEncoding.Encode("utf-8", "[triage] "+Subject(out)))
	h("Date", e.now().Format(time.RFC1123Z))
	h("Message-ID", msgID)
	h("MIME-Version", "1.0")
	h("Content-Type", `text/plain; charset="utf-8"`)
	h("Content-Transfer-Encoding", "quoted-printable")
	h("X-Triage-Escalation", fmt.Sprint(out.EscalationID))
	h("X-Triage-Priority", out.Priority.String())
	h("X-Triage-Link", out.Link)
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(Summary(out), "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// send speaks SMTP: connect, secure, log in when a password is configured, and hand the
// message over for the support address.
func (e *Email) send(ctx context.Context, msg []byte) error {
	conn, closeConn, err := e.dial(ctx)
	if err != nil {
		return classifySMTP(fmt.Errorf("connect to %s: %w", e.smtpAddr, err))
	}
	defer closeConn()
	var c *smtp.Client
	if e.security == SecuritySTARTTLS {
		if c, err = smtp.NewClientStartTLS(conn, e.tlsConfig()); err != nil {
			return classifySMTP(fmt.Errorf("starttls with %s: %w", e.smtpAddr, err))
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if e.hasPassword {
		pw, err := secret(ctx, e.acct, "password")
		if err != nil {
			return err
		}
		if err := c.Auth(sasl.NewPlainClient("", e.username, pw)); err != nil {
			return classifySMTP(fmt.Errorf("log in to %s as %s: %w", e.smtpAddr, e.username, err))
		}
	}
	if err := c.SendMail(e.from, []string{e.to}, bytes.NewReader(msg)); err != nil {
		return classifySMTP(fmt.Errorf("send to %s through %s: %w", e.to, e.smtpAddr, err))
	}
	_ = c.Quit() // the server has the message; a failed goodbye changes nothing
	return nil
}

// dial opens the connection, with TLS from the first byte for security tls. It follows
// ctx: its deadline becomes the connection's, and cancelling ctx closes it, since go-smtp
// takes no context.
func (e *Email) dial(ctx context.Context) (net.Conn, func(), error) {
	d := &net.Dialer{Timeout: dialTimeout}
	var conn net.Conn
	var err error
	if e.security == SecurityTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: e.tlsConfig()}).DialContext(ctx, "tcp", e.smtpAddr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", e.smtpAddr)
	}
	if err != nil {
		return nil, nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	return conn, func() { stop(); _ = conn.Close() }, nil
}

func (e *Email) tlsConfig() *tls.Config {
	host, _, _ := net.SplitHostPort(e.smtpAddr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// classifySMTP tells a failure that may pass (a 4xx reply, the network) from one that
// will not (a 5xx reply: a refused login, an unknown mailbox; a certificate the system
// does not trust).
func classifySMTP(err error) error {
	var se *smtp.SMTPError
	switch {
	case errors.As(err, &se) && se.Code >= 500:
		return adapters.Permanent(err)
	case errors.As(err, &se):
		return adapters.Temporary(err, 0)
	case isCertError(err):
		return adapters.Permanent(err)
	}
	return adapters.Temporary(err, retryNetwork)
}

func isCertError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &verify)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
