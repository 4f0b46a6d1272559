// Package mailx is the mail transport the email channel and the email escalation
// destination share: connecting with the configured security, and submitting over SMTP
// with one reading of the server's answers (5xx permanent; 4xx and the network
// temporary; an untrusted certificate permanent).
package mailx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/adapters"
)

// The connection securities an account can name.
const (
	SecurityNone     = "none"     // plain TCP: only for a server on localhost or a trusted network
	SecuritySTARTTLS = "starttls" // plain TCP upgraded with STARTTLS before login
	SecurityTLS      = "tls"      // TLS from the first byte (IMAPS 993, SMTPS 465)
)

// RetryNetwork is how long to wait after a network failure before trying again.
const RetryNetwork = 30 * time.Second

// dialTimeout bounds the TCP and TLS handshake when ctx has no earlier deadline.
const dialTimeout = 30 * time.Second

// Dial opens a TCP connection to addr, with TLS from the first byte when security is
// tls. The connection follows ctx: its deadline becomes the connection's, and cancelling
// ctx closes it, because neither imapclient nor go-smtp takes a context.
func Dial(ctx context.Context, addr, security string, roots *x509.CertPool) (net.Conn, func(), error) {
	d := &net.Dialer{Timeout: dialTimeout}
	var conn net.Conn
	var err error
	if security == SecurityTLS {
		td := &tls.Dialer{NetDialer: d, Config: TLSConfig(addr, roots)}
		conn, err = td.DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
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

// TLSConfig verifies the server against the host name of addr and the system roots
// (a test's own root, in tests), with TLS 1.2 or later.
func TLSConfig(addr string, roots *x509.CertPool) *tls.Config {
	host, _, _ := net.SplitHostPort(addr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: roots}
}

// ClassifyNet marks an error from the network or TLS layer: a certificate the system
// does not trust cannot be fixed by waiting, anything else (refused, reset, timeout,
// DNS) may pass.
func ClassifyNet(err error) error {
	var ae *adapters.Error
	if err == nil || errors.As(err, &ae) {
		return err
	}
	if isCertError(err) {
		return adapters.Permanent(err)
	}
	return adapters.Temporary(err, RetryNetwork)
}

func isCertError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &verify)
}

// Submitter sends mail over SMTP. The email channel's replies and the email escalation
// destination both go through it, so mail leaves triage one way, with one reading of
// the server's answers (5xx permanent, 4xx and the network temporary).
type Submitter struct {
	Addr     string // host:port
	Security string // none, starttls or tls
	Username string
	RootCAs  *x509.CertPool // nil: the system's roots
}

// Submit hands one message to the server: connect, STARTTLS when configured, log in when
// pw is set, then MAIL, RCPT and DATA. Errors are *adapters.Error, and never hold pw.
func (s Submitter) Submit(ctx context.Context, pw, from, to string, raw []byte) error {
	secrets := []string{pw}
	conn, closeConn, err := Dial(ctx, s.Addr, s.Security, s.RootCAs)
	if err != nil {
		return ClassifyNet(err)
	}
	defer closeConn()
	var c *smtp.Client
	if s.Security == SecuritySTARTTLS {
		if c, err = smtp.NewClientStartTLS(conn, TLSConfig(s.Addr, s.RootCAs)); err != nil {
			return classifySMTP(err, secrets...)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	// Say EHLO now (after STARTTLS, this is when the TLS handshake happens), so a refused
	// greeting or an untrusted certificate is reported as itself, not read later as a
	// server without AUTH.
	if err := c.Hello("localhost"); err != nil {
		return classifySMTP(err, secrets...)
	}
	if pw != "" {
		auth, err := saslClient(c, s.Username, pw)
		if err != nil {
			return err
		}
		if err := c.Auth(auth); err != nil {
			return classifySMTP(err, secrets...)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return classifySMTP(err, secrets...)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return classifySMTP(err, secrets...)
	}
	w, err := c.Data()
	if err != nil {
		return classifySMTP(err, secrets...)
	}
	if _, err := w.Write(raw); err != nil {
		return classifySMTP(err, secrets...)
	}
	if err := w.Close(); err != nil {
		return classifySMTP(err, secrets...)
	}
	// The server took the message with its reply to DATA; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// saslClient picks PLAIN, or LOGIN for servers that offer only that (older Exchange).
func saslClient(c *smtp.Client, user, pw string) (sasl.Client, error) {
	ok, _ := c.Extension("AUTH")
	switch {
	case !ok:
		// Many servers offer AUTH only after STARTTLS.
		return nil, adapters.Permanent(errors.New("the server offers no login (AUTH) on this connection; try security = \"starttls\" or \"tls\""))
	case c.SupportsAuth("PLAIN"):
		return sasl.NewPlainClient("", user, pw), nil
	case c.SupportsAuth("LOGIN"):
		return sasl.NewLoginClient(user, pw), nil
	}
	return nil, adapters.Permanent(errors.New("the server offers neither PLAIN nor LOGIN authentication"))
}

// classifySMTP marks an SMTP failure: a 5xx reply (a rejected recipient, a failed
// login, a refused message) will be refused again; a 4xx reply (greylisting, a full
// queue, 421 service unavailable) and a broken connection may pass. The server's text is
// kept only through adapters.ServerText, without secrets (the password, and whatever
// the server echoes of the AUTH line, base64 or not), so the *smtp.SMTPError in the chain
// is a copy with that text, never the server's own.
func classifySMTP(err error, secrets ...string) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		said := &smtp.SMTPError{Code: se.Code, EnhancedCode: se.EnhancedCode, Message: adapters.ServerText(se.Message, secrets...)}
		if se.Code >= 500 {
			return adapters.Permanent(said) // "SMTP error 535: …"
		}
		return adapters.Temporary(said, RetryNetwork)
	}
	return adapters.RedactError(ClassifyNet(err), secrets...)
}
