// Package escalate delivers escalations to customer service: a signed webhook, an email
// to the support address, or a ticket in a Zendesk-shaped ticket API. A destination knows
// its wire format and nothing of the queue; the sync engine takes deliveries from the
// outbox, retries them and records the ticket's id.
//
// The [escalation] table of config.toml chooses and configures it:
//
//	[escalation]
//	reasons = ["billing", "bug", "refund", "legal", "safety"]
//	destination = "zendesk"            # or "webhook" or "email"; absent: escalations stay in triage
//
//	# webhook
//	url = "https://hooks.acme.test/triage"
//	secret_env = "TRIAGE_WEBHOOK_SECRET"   # or secret_cmd: signs every request
//
//	# email
//	to = "support@acme.test"
//	from = "triage@acme.test"
//	smtp = "smtp.acme.test:465"
//	security = "tls"                   # tls (default) | starttls | none (localhost only with a password)
//	username = "triage@acme.test"      # default: from
//	password_env = "TRIAGE_SMTP_PASSWORD"  # or password_cmd; none: no login
//
//	# zendesk
//	subdomain = "acme"                 # https://acme.zendesk.com; or url = "https://help.acme.test"
//	email = "agent@acme.test"          # the agent the API token belongs to
//	token_env = "ZENDESK_TOKEN"        # or token_cmd
package escalate

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// Destination is where escalations go. It is declared here, beside the destinations
// that implement it, as adapters.Adapter is beside the channels.
type Destination interface {
	// Deliver opens the case at customer service and returns its reference there (the
	// ticket's id). Errors are classified as adapters.Temporary or adapters.Permanent.
	Deliver(ctx context.Context, out inbox.EscalationOut) (ref string, err error)
	// Idempotent reports whether delivering the same Key again never opens a second
	// case, so a delivery cut off by a crash can simply be tried again.
	Idempotent() bool
}

// New builds the destination that cfg names; nil (and no error) when it names none. It
// checks the keys, and that a secret named by *_env is set, but does not connect.
func New(ctx context.Context, cfg inbox.EscalationConfig) (Destination, error) {
	acct := adapters.Account{Name: "[escalation]", Channel: cfg.Destination, Keys: cfg.Keys()}
	var d Destination
	var err error
	switch cfg.Destination {
	case "":
		return nil, nil
	case inbox.DestinationWebhook:
		d, err = newWebhook(ctx, acct)
	case inbox.DestinationEmail:
		d, err = newEmail(ctx, acct)
	case inbox.DestinationZendesk:
		d, err = newZendesk(ctx, acct)
	default:
		err = fmt.Errorf("destination %q: want webhook, email or zendesk", cfg.Destination)
	}
	if err != nil {
		return nil, fmt.Errorf("escalation: %w", err)
	}
	return d, nil
}

// checkSecret makes sure a secret named by key_env is there now, so a missing variable is
// a config error at start; a key_cmd runs only when a delivery needs it (it may prompt).
func checkSecret(ctx context.Context, acct adapters.Account, key string) error {
	if env, _ := acct.String(key+"_env", ""); env != "" {
		_, err := acct.Secret(ctx, key)
		return err
	}
	return nil
}

// secret fetches a secret for one delivery. A command that fails now may work later (an
// agent unlocked, a network back), so the failure is Temporary.
func secret(ctx context.Context, acct adapters.Account, key string) (string, error) {
	s, err := acct.Secret(ctx, key)
	if err != nil {
		return "", adapters.Temporary(err, time.Minute)
	}
	return s, nil
}

// maxSummaryMessages is how many of the newest messages a plain-text summary quotes.
const maxSummaryMessages = 20

// maxSummaryText bounds each quoted message.
const maxSummaryText = 4000

// Subject is a one-line title for the case: "Billing: Ana Ruiz (@ana) on Instagram".
func Subject(out inbox.EscalationOut) string {
	reason := []rune(out.Reason)
	if len(reason) > 0 {
		reason[0] = unicode.ToUpper(reason[0])
	}
	who := authorLabel(out.Doc.Author)
	if who == "" {
		who = out.Doc.Conversation
	}
	return plain(fmt.Sprintf("%s: %s on %s", string(reason), who, inbox.ChannelLabel(out.Doc.Channel)), false)
}

// Summary is the case as plain text, for an email or a ticket's first comment: who
// escalated why, the customer, the way back into triage and the newest messages.
func Summary(out inbox.EscalationOut) string {
	var b strings.Builder
	d := out.Doc
	fmt.Fprintf(&b, "Escalated from triage by %s on %s.\n", plain(out.Agent, false), stamp(out.EscalatedAt))
	fmt.Fprintf(&b, "Reason: %s · Priority: %s\n", plain(out.Reason, false), out.Priority)
	if out.Note != "" {
		fmt.Fprintf(&b, "Note: %s\n", plain(out.Note, true))
	}
	b.WriteString("\n")
	if who := authorLabel(d.Author); who != "" {
		fmt.Fprintf(&b, "Customer: %s\n", who)
	}
	fmt.Fprintf(&b, "Conversation: %s %s on %s (%s)\n", inbox.ChannelLabel(d.Channel), d.Kind, plain(d.Account, false),
		plain(d.Conversation, false))
	if len(d.Tags) > 0 {
		fmt.Fprintf(&b, "Tags: %s\n", plain(strings.Join(d.Tags, ", "), false))
	}
	fmt.Fprintf(&b, "Open in triage: %s\n", out.Link)
	msgs := d.Messages
	if len(msgs) > maxSummaryMessages {
		msgs = msgs[len(msgs)-maxSummaryMessages:]
	}
	if len(msgs) > 0 {
		fmt.Fprintf(&b, "\nLatest messages (%d of %d), oldest first:\n", len(msgs), len(d.Messages))
	}
	for _, m := range msgs {
		who := authorLabel(m.Author)
		if m.Direction == inbox.Out {
			who = plain(m.Agent, false) + " (our reply)"
		}
		text := plain(m.Text, true)
		if r := []rune(text); len(r) > maxSummaryText {
			text = string(r[:maxSummaryText]) + " […]"
		}
		fmt.Fprintf(&b, "\n[%s] %s:\n%s\n", stamp(m.CreatedAt), who, text)
	}
	return b.String()
}

func authorLabel(a *inbox.Author) string {
	if a == nil {
		return ""
	}
	name, handle := plain(a.Name, false), plain(a.Handle, false)
	switch {
	case name != "" && handle != "":
		return name + " (" + handle + ")"
	case name != "":
		return name
	case handle != "":
		return handle
	}
	return plain(a.ID, false)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// plain keeps text from outside printable: no control characters (line breaks only where
// multiline allows them) and no bidi overrides that would make a ticket read backwards.
func plain(s string, multiline bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && multiline:
			return r
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s))
}
