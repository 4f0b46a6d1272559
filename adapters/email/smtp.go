package email

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/adapters"
)

// submit hands one message to the SMTP server: connect, STARTTLS when configured, log in
// when there is a password, then MAIL, RCPT and DATA.
func (a *Adapter) submit(ctx context.Context, pw, to string, raw []byte) error {
	conn, closeConn, err := a.dial(ctx, a.smtpAddr)
	if err != nil {
		return classifyNet(err)
	}
	defer closeConn()
	var c *smtp.Client
	if a.security == SecuritySTARTTLS {
		if c, err = smtp.NewClientStartTLS(conn, a.tlsConfig(a.smtpAddr)); err != nil {
			return classifySMTP(err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	// Say EHLO now (after STARTTLS, this is when the TLS handshake happens), so a refused
	// greeting or an untrusted certificate is reported as itself, not read later as a
	// server without AUTH.
	if err := c.Hello("localhost"); err != nil {
		return classifySMTP(err)
	}
	if pw != "" {
		auth, err := saslClient(c, a.username, pw)
		if err != nil {
			return err
		}
		if err := c.Auth(auth); err != nil {
			return classifySMTP(err)
		}
	}
	if err := c.Mail(a.address, nil); err != nil {
		return classifySMTP(err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return classifySMTP(err)
	}
	w, err := c.Data()
	if err != nil {
		return classifySMTP(err)
	}
	if _, err := w.Write(raw); err != nil {
		return classifySMTP(err)
	}
	if err := w.Close(); err != nil {
		return classifySMTP(err)
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
// queue, 421 service unavailable) and a broken connection may pass.
func classifySMTP(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		e := fmt.Errorf("%d %s: %w", se.Code, se.Message, err)
		if se.Code >= 500 {
			return adapters.Permanent(e)
		}
		return adapters.Temporary(e, retryNetwork)
	}
	return classifyNet(err)
}
