package escalate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// Zendesk opens a ticket through the Zendesk Support API (or one shaped like it). The
// API has no idempotency header, so every delivery first lists tickets by external_id —
// the escalation's key — and creates one only when none has it. That makes a retry, even
// after a crash mid-request, open at most one ticket: Zendesk is idempotent.
type Zendesk struct {
	base   string // https://acme.zendesk.com
	email  string // the agent the token belongs to
	acct   adapters.Account
	client *httpx.Client
}

var _ Destination = (*Zendesk)(nil)

// subdomainRE is what a Zendesk subdomain may look like.
var subdomainRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func newZendesk(ctx context.Context, acct adapters.Account) (*Zendesk, error) {
	z := &Zendesk{acct: acct, client: httpx.NewClient(0)}
	sub, err := acct.String("subdomain", "")
	if err != nil {
		return nil, err
	}
	raw, err := acct.String("url", "")
	if err != nil {
		return nil, err
	}
	switch {
	case sub != "" && !subdomainRE.MatchString(sub):
		return nil, fmt.Errorf("subdomain: %q: want the first part of https://<subdomain>.zendesk.com", sub)
	case sub != "":
		z.base = "https://" + sub + ".zendesk.com"
	case raw != "":
		if z.base, err = httpx.BaseURL(raw); err != nil {
			return nil, fmt.Errorf("url: %w", err)
		}
	default:
		return nil, fmt.Errorf("subdomain or url is required for destination zendesk")
	}
	if z.email, err = acct.Required("email"); err != nil {
		return nil, err
	}
	if err := checkSecret(ctx, acct, "token"); err != nil {
		return nil, err
	}
	return z, nil
}

// String names the destination in sync states and logs.
func (z *Zendesk) String() string { return "zendesk" }

// Idempotent: Deliver looks the key up before it creates anything.
func (z *Zendesk) Idempotent() bool { return true }

// ZendeskTicket is the part of a Zendesk ticket that triage writes and reads.
type ZendeskTicket struct {
	ID         int64           `json:"id,omitempty"`
	Subject    string          `json:"subject,omitempty"`
	Comment    *ZendeskComment `json:"comment,omitempty"`
	Priority   string          `json:"priority,omitempty"` // low, normal, high, urgent
	Tags       []string        `json:"tags,omitempty"`
	ExternalID string          `json:"external_id,omitempty"`
}

// ZendeskComment is a ticket's first comment: its description.
type ZendeskComment struct {
	Body string `json:"body"`
}

// Deliver returns the id of the ticket whose external_id is the key, creating it if
// there is none yet.
func (z *Zendesk) Deliver(ctx context.Context, out inbox.EscalationOut) (string, error) {
	token, err := secret(ctx, z.acct, "token")
	if err != nil {
		return "", err
	}
	var found struct {
		Tickets []ZendeskTicket `json:"tickets"`
	}
	q := url.Values{"external_id": {out.Key}}
	if err := z.call(ctx, token, http.MethodGet, "/api/v2/tickets.json?"+q.Encode(), nil, &found); err != nil {
		return "", httpx.Wrap("look up ticket", err)
	}
	for _, t := range found.Tickets {
		if t.ExternalID == out.Key && t.ID != 0 {
			return strconv.FormatInt(t.ID, 10), nil
		}
	}
	ticket := ZendeskTicket{Subject: Subject(out), Comment: &ZendeskComment{Body: Summary(out)},
		Priority: out.Priority.String(), Tags: []string{tag(out.Reason)}, ExternalID: out.Key}
	var created struct {
		Ticket ZendeskTicket `json:"ticket"`
	}
	if err := z.call(ctx, token, http.MethodPost, "/api/v2/tickets.json", map[string]any{"ticket": ticket}, &created); err != nil {
		return "", httpx.Wrap("create ticket", err)
	}
	if created.Ticket.ID == 0 {
		// Created, but the answer is garbled: the lookup of the next try will find it.
		return "", adapters.Temporary(fmt.Errorf("create ticket: the response names no ticket id"), 0)
	}
	return strconv.FormatInt(created.Ticket.ID, 10), nil
}

// call sends one API request with basic auth "email/token:TOKEN" and decodes the answer.
func (z *Zendesk) call(ctx context.Context, token, method, path string, in, out any) error {
	var body *bytes.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return adapters.Permanent(err)
		}
		body = bytes.NewReader(data)
	} else {
		body = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, z.base+path, body)
	if err != nil {
		return adapters.Permanent(err)
	}
	req.SetBasicAuth(z.email+"/token", token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := z.client.Do(req)
	if err != nil {
		return err
	}
	return httpx.DecodeJSON(resp, out)
}

// tag makes a reason a Zendesk tag: lower case, no spaces.
func tag(reason string) string {
	return strings.Join(strings.Fields(strings.ToLower(reason)), "_")
}
