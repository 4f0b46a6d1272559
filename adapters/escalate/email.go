package escalate

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/mailx"
	"github.com/triage-inbox/triage/inbox"
)

// SMTP connection security, as the email channel names it.
const (
	SecurityNone     = mailx.SecurityNone     // plain TCP; with a password, only to a server on this machine
	SecuritySTARTTLS = mailx.SecuritySTARTTLS // plain TCP upgraded with STARTTLS before login
	SecurityTLS      = mailx.SecurityTLS      // TLS from the first byte (SMTPS, port 465)
)

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

// send hands the message to the support address through the email channel's SMTP
// submitter, logging in when a password is configured.
func (e *Email) send(ctx context.Context, msg []byte) error {
	pw := ""
	if e.hasPassword {
		var err error
		if pw, err = secret(ctx, e.acct, "password"); err != nil {
			return err
		}
	}
	sub := mailx.Submitter{Addr: e.smtpAddr, Security: e.security, Username: e.username}
	if err := sub.Submit(ctx, pw, e.from, e.to, msg); err != nil {
		return fmt.Errorf("send to %s through %s: %w", e.to, e.smtpAddr, err)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
