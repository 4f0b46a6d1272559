package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// maxReply bounds how much of a receiver's answer is read for its id.
const maxReply = 64 << 10

// Outgoing sends the replies of one webhook account to its URL. It satisfies
// adapters.Adapter; messages come in through `triage serve`, so Fetch brings nothing.
type Outgoing struct {
	url    string // its query may hold a token: errors name only host and path
	where  string // host and path, for errors
	handle string
	secret []byte
	http   *httpx.Client
	now    func() time.Time
}

var _ adapters.Adapter = (*Outgoing)(nil)

// NewOutgoing builds the adapter for an [[account]] with channel "webhook": url (https,
// or http to this machine), the secret from secret_env or secret_cmd, handle (default the
// account's name) and an optional timeout.
func NewOutgoing(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	raw, err := acct.Required("url")
	if err != nil {
		return nil, err
	}
	u, err := checkURL(raw)
	if err != nil {
		return nil, fmt.Errorf("account %q: %w", acct.Name, err)
	}
	handle, err := acct.String("handle", acct.Name)
	if err != nil {
		return nil, err
	}
	timeout, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return nil, err
	}
	secret, err := acct.Secret(ctx, "secret")
	if err != nil {
		return nil, err
	}
	// A token in the URL's query is a secret too: whatever a receiver echoes of it is
	// removed from errors and logs, in every encoding (see adapters.Redact).
	adapters.Remember(adapters.URLSecrets(u)...)
	c := httpx.NewClient(timeout)
	// A redirected POST becomes a GET, or resends the reply elsewhere: neither is what
	// the configured URL asked for, so a redirect is an error naming the status.
	c.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Outgoing{url: u.String(), where: u.Host + u.EscapedPath(), handle: handle, secret: []byte(secret), http: c, now: time.Now}, nil
}

// checkURL accepts https anywhere and http only to this machine: replies are customers'
// conversations and are not sent in the clear over a network.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, errors.New("url: want one like https://relay.example/replies")
	case u.User != nil:
		return nil, errors.New("url: no user:password in the URL; the signature authenticates")
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return nil, fmt.Errorf("url %s: use https (http is allowed only to localhost)", u.Host)
	}
	return u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Capabilities: replies only. Idempotent because every request carries Idempotency-Key
// (the outbox key); a receiver is expected to drop a key it has seen.
func (o *Outgoing) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Idempotent: true}
}

// Fetch brings nothing and leaves the cursor as it is: messages arrive by `triage serve`.
func (o *Outgoing) Fetch(_ context.Context, cursor string) (adapters.Batch, error) {
	return adapters.Batch{Cursor: cursor}, nil
}

// Payload is the JSON body of an outgoing reply.
type Payload struct {
	Key          string    `json:"key"`
	Channel      string    `json:"channel"`
	Account      string    `json:"account"`
	Conversation string    `json:"conversation"`
	InReplyTo    string    `json:"in_reply_to"`
	Kind         string    `json:"kind"`
	To           Recipient `json:"to"`
	Text         string    `json:"text"`
}

// Recipient is who a reply answers.
type Recipient struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
	Name   string `json:"name"`
}

// Send POSTs the reply as JSON, signed over "<timestamp>.<body>", with the outbox key as
// Idempotency-Key. The receiver's {"id": "..."} is the remote id; without one, the key.
// 401, 403, 404, 422 and other refusals are Permanent; 429, 5xx and network failures
// are Temporary, with the receiver's Retry-After.
func (o *Outgoing) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	what := fmt.Sprintf("webhook %s: send reply %s", o.handle, out.Key)
	p := Payload{Key: out.Key, Channel: out.Channel, Account: out.Account, Conversation: out.Conversation,
		InReplyTo: out.InReplyTo, Kind: string(out.Kind), Text: out.Text}
	if p.Account == "" {
		p.Account = o.handle
	}
	if out.To != nil {
		p.To = Recipient{ID: out.To.ID, Handle: out.To.Handle, Name: out.To.Name}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return "", adapters.Permanent(fmt.Errorf("%s: %w", what, err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url, bytes.NewReader(body))
	if err != nil {
		return "", adapters.Permanent(fmt.Errorf("%s: %s: bad URL", what, o.where))
	}
	ts := strconv.FormatInt(o.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Signature(o.secret, ts, body))
	if out.Key != "" {
		req.Header.Set("Idempotency-Key", out.Key)
	}
	resp, err := o.http.Do(req)
	if err != nil {
		return "", httpx.Wrap(what, err)
	}
	defer resp.Body.Close()
	if id := remoteID(resp.Body); id != "" {
		return id, nil
	}
	return out.Key, nil
}

// remoteID reads {"id": "..."} (or a numeric id) from a receiver's answer; anything else,
// an empty body included, gives "".
func remoteID(r io.Reader) string {
	var b struct {
		ID json.RawMessage `json:"id"`
	}
	data, _ := io.ReadAll(io.LimitReader(r, maxReply))
	if json.Unmarshal(data, &b) != nil || len(b.ID) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(b.ID, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(b.ID, &n) == nil {
		return n.String()
	}
	return ""
}
