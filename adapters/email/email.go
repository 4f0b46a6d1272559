// Package email is the email channel: it reads a mailbox over IMAP (or a local Maildir
// that mbsync or offlineimap keeps in sync) and sends replies over SMTP.
//
// One [[account]] table configures it:
//
//	[[account]]
//	name = "support"
//	channel = "email"
//	address = "support@acme.test"
//	imap = "imap.acme.test:993"       # host:port; not needed when maildir is set
//	smtp = "smtp.acme.test:465"
//	username = "support@acme.test"    # default: address
//	password_env = "SUPPORT_MAIL_PASSWORD"   # or password_cmd = "pass show acme/support"
//	security = "tls"                  # none | starttls | tls (the default)
//	mailbox = "INBOX"                 # optional
//	maildir = "~/Mail/support/INBOX"  # optional: read this Maildir instead of IMAP
//	from_name = "Acme Support"        # optional
//	poll = "2m"                       # optional
//
// The adapter never changes the mailbox: IMAP mailboxes are opened read-only (EXAMINE)
// and bodies are fetched with BODY.PEEK, so nothing is marked \Seen; Maildir files are
// only read.
package email

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/mailx"
	"github.com/triage-inbox/triage/inbox"
)

// Channel is the channel name this package serves in config and in inbox.Message.
const Channel = "email"

// DefaultPoll is how often to look for new mail when the account sets no poll.
const DefaultPoll = 2 * time.Minute

// batchSize bounds one Fetch, so a first sync of a large mailbox arrives in pages that
// the engine stores one transaction at a time.
const batchSize = 200

// Security is how a connection is protected.
const (
	SecurityNone     = mailx.SecurityNone
	SecuritySTARTTLS = mailx.SecuritySTARTTLS
	SecurityTLS      = mailx.SecurityTLS
)

// Adapter is one configured email account. It is safe for concurrent use: every Fetch
// and Send opens its own connection.
type Adapter struct {
	acct      adapters.Account
	name      string // account name, for errors
	address   string // our address, lowercased for comparisons
	imapAddr  string
	smtpAddr  string
	username  string
	security  string
	mailbox   string
	maildir   string
	fromName  string
	poll      time.Duration
	hasSecret bool // password_env or password_cmd is configured
	batchSize int
	now       func() time.Time
	rootCAs   *x509.CertPool // nil: the system's roots; tests set their own

	also []string // more addresses whose mail is ours: an import may name several (ReadMaildir)
}

// checker is an IMAP-backed Adapter, which can also search the server for a reply that
// may already have gone out. A Maildir-backed Adapter has no server to ask, so it does
// not claim adapters.Checker.
type checker struct{ *Adapter }

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Constructor = New
	_ adapters.Checker     = checker{}
)

// New builds the adapter for one [[account]] with channel = "email". It checks the keys
// but does not connect: a server that is down at start is a Temporary error of the first
// Fetch, not a reason to refuse the config.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	a := &Adapter{acct: acct, name: acct.Name, batchSize: batchSize, now: time.Now}
	var err error
	str := func(key, def string) string {
		var s string
		if err == nil {
			s, err = acct.String(key, def)
		}
		return strings.TrimSpace(s)
	}
	address := str("address", "")
	a.imapAddr = str("imap", "")
	a.smtpAddr = str("smtp", "")
	a.username = str("username", address)
	a.security = strings.ToLower(str("security", SecurityTLS))
	a.mailbox = str("mailbox", "INBOX")
	a.maildir = str("maildir", "")
	a.fromName = str("from_name", "")
	if err != nil {
		return nil, err
	}
	if a.poll, err = acct.Duration("poll", DefaultPoll); err != nil {
		return nil, err
	}
	if address == "" {
		return nil, a.configErr("address", "is required (the mailbox's own address, like support@acme.test)")
	}
	parsed, perr := mail.ParseAddress(address)
	if perr != nil || parsed.Name != "" || !strings.Contains(parsed.Address, "@") {
		return nil, a.configErr("address", fmt.Sprintf("%q is not a plain address like support@acme.test", address))
	}
	a.address = strings.ToLower(parsed.Address)
	switch a.security {
	case SecurityNone, SecuritySTARTTLS, SecurityTLS:
	default:
		return nil, a.configErr("security", fmt.Sprintf("%q: want none, starttls or tls", a.security))
	}
	if a.smtpAddr == "" {
		return nil, a.configErr("smtp", "is required (host:port of the server that sends replies)")
	}
	if err := checkHostPort(a.smtpAddr); err != nil {
		return nil, a.configErr("smtp", err.Error())
	}
	if a.maildir != "" {
		if a.maildir, err = expandHome(a.maildir); err != nil {
			return nil, a.configErr("maildir", err.Error())
		}
		if fi, err := os.Stat(filepath.Join(a.maildir, "cur")); err != nil || !fi.IsDir() {
			return nil, a.configErr("maildir", fmt.Sprintf("%s is not a Maildir (no cur/ folder in it)", a.maildir))
		}
	} else {
		if a.imapAddr == "" {
			return nil, a.configErr("imap", "is required (host:port), unless maildir is set")
		}
		if err := checkHostPort(a.imapAddr); err != nil {
			return nil, a.configErr("imap", err.Error())
		}
	}
	env, _ := acct.String("password_env", "")
	cmd, _ := acct.String("password_cmd", "")
	a.hasSecret = env != "" || cmd != ""
	switch {
	case !a.hasSecret && a.maildir == "":
		return nil, a.configErr("password_env", "or password_cmd is required to log in to IMAP")
	case env != "":
		// Only an environment variable is cheap to check now; a password_cmd may prompt
		// (a gpg agent), so it runs when a connection needs it. The value is dropped.
		if _, err := acct.Secret(ctx, "password"); err != nil {
			return nil, err
		}
	}
	if a.maildir == "" {
		return checker{a}, nil
	}
	return a, nil
}

// Capabilities: email answers in the thread; there is no private channel besides it, and
// SMTP has no idempotency key (Sent searches the mailbox, which narrows but cannot close
// the window for a duplicate).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true}
}

// Poll is how often the account asks to be fetched (config key poll).
func (a *Adapter) Poll() time.Duration { return a.poll }

// Fetch returns up to one batch of messages that arrived after cursor. The cursor is
// "UIDVALIDITY:UID" for IMAP and "maildir:NAME" for a Maildir; a cursor the source does
// not recognise starts over, which is harmless because ingest dedups by Message-ID.
func (a *Adapter) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	if a.maildir != "" {
		return a.fetchMaildir(ctx, cursor)
	}
	return a.fetchIMAP(ctx, cursor)
}

// Sent reports whether a reply with out's Message-ID is already in the Sent mailbox or
// the configured mailbox on the IMAP server.
func (c checker) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	return c.sentIMAP(ctx, out)
}

// password fetches the secret for one connection. It is not kept: a password_cmd sees
// rotations, and the secret lives no longer than the connection that needs it.
func (a *Adapter) password(ctx context.Context) (string, error) {
	if !a.hasSecret {
		return "", nil
	}
	pw, err := a.acct.Secret(ctx, "password")
	if err != nil {
		if errors.Is(err, adapters.ErrNoSecret) {
			return "", adapters.Permanent(err)
		}
		// A password_cmd can fail for a while (a locked agent) and then work.
		return "", adapters.Temporary(err, time.Minute)
	}
	return pw, nil
}

func (a *Adapter) configErr(key, msg string) error {
	return fmt.Errorf("account %q: %s %s", a.name, key, msg)
}

// wrap prefixes err with the account and what was being done, and removes the password
// from its text should a server or library have echoed it. The classification
// (adapters.Error) survives.
func (a *Adapter) wrap(err error, pw, doing string) error {
	if err == nil {
		return nil
	}
	var ae *adapters.Error
	if errors.As(err, &ae) {
		out := *ae
		out.Err = a.wrap(ae.Err, pw, doing)
		return &out
	}
	// The password in any form it travels in (IMAP-quoted, SASL base64, …) is removed,
	// and then the chain is dropped too: unwrapping would lead back to the secret.
	return adapters.RedactError(fmt.Errorf("account %q: %s: %w", a.name, doing, err), pw)
}

func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("%q: want host:port, like mail.acme.test:993", s)
	}
	return nil
}

func expandHome(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		p = filepath.Join(home, p[1:])
	}
	return p, nil
}
