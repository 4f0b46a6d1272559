// Package mastodon is the adapter for one Mastodon account, over the server's REST API
// with an access token (scopes read:notifications read:statuses read:accounts
// write:statuses write:mutes write:blocks write:reports; read:accounts, or profile, is for
// verify_credentials: the handle when it is not configured, and the account's id, to look
// for a reply already posted).
//
//	[[account]]
//	name      = "acme-mastodon"
//	channel   = "mastodon"
//	server    = "https://mastodon.example"
//	handle    = "@acme@mastodon.example"  # optional: else asked of the server
//	token_env = "ACME_MASTODON_TOKEN"     # or token_cmd = "pass show acme/mastodon"
//	timeout   = "30s"                     # optional
//
// Mentions come from the notifications API; direct messages are mentions with visibility
// "direct", so they come the same way (GET /api/v1/conversations is not needed). Replies
// carry an Idempotency-Key, which Mastodon honours for an hour; after that, the adapter
// finds a reply already posted among the account's own statuses (adapters.Checker).
package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Channel is the channel name in config and in inbox messages.
const Channel = "mastodon"

// Adapter is one Mastodon account. It satisfies adapters.Adapter, adapters.Checker and
// adapters.Moderator.
type Adapter struct {
	base   string // "https://mastodon.example"
	host   string // "mastodon.example": the domain of local accounts, from handle or server
	handle string // "@acme@mastodon.example"
	name   string // the account as messages name it: see Handle
	token  string // never in errors or logs
	http   *httpx.Client

	mu sync.Mutex
	id string // the account's id on its server, once known: see accountID
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Moderator   = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]]. It reads the token, and asks the server for
// the account's handle (GET /api/v1/accounts/verify_credentials) only when config has none.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	server, err := acct.Required("server")
	if err != nil {
		return nil, err
	}
	base, err := httpx.BaseURL(server)
	if err != nil {
		return nil, fmt.Errorf("account %q: %w", acct.Name, err)
	}
	timeout, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return nil, err
	}
	handle, err := acct.String("handle", "")
	if err != nil {
		return nil, err
	}
	handle = strings.TrimSpace(handle)
	token, err := acct.Secret(ctx, "token")
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(base)
	a := &Adapter{base: base, host: u.Hostname(), name: handle, token: token, http: httpx.NewClient(timeout)}
	if handle == "" {
		var me account
		if _, err := a.call(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, nil, "", &me); err != nil {
			// Asked at every start: say how not to need the server then.
			return nil, httpx.Wrap(fmt.Sprintf(`account %q: find the account's handle (or set handle = "@name@server" in it, and triage will not ask at start)`, acct.Name), err)
		}
		handle, a.id = me.Acct, me.ID
	}
	if a.handle = a.qualify(handle); a.handle == "" {
		return nil, fmt.Errorf("account %q: the server named no handle; set handle", acct.Name)
	}
	if a.name == "" {
		a.name = a.handle
	}
	if _, domain, ok := strings.Cut(a.handle[1:], "@"); ok {
		a.host = domain // the accounts' domain, which may differ from the server's web address
	}
	return a, nil
}

// Handle is the account as inbox messages name it (inbox.Message.Account), which the sync
// engine also keys the account's cursor and replies by: the configured handle as written,
// else the full handle from the server's answer ("@acme@mastodon.example").
func (a *Adapter) Handle() string { return a.name }

// Capabilities: replies (in the open or direct), mute, block and report; Idempotent
// because replies carry an Idempotency-Key.
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, DM: true, MarkSpam: true, Mute: true, Block: true, Report: true, Idempotent: true}
}

// qualify writes an acct ("bob", "bob@other.example", "@bob") as a full handle,
// "@bob@mastodon.example", so a handle means the same person on every server.
func (a *Adapter) qualify(acct string) string {
	acct = strings.TrimPrefix(strings.TrimSpace(acct), "@")
	if acct == "" {
		return ""
	}
	if !strings.Contains(acct, "@") {
		acct += "@" + a.host
	}
	return "@" + acct
}

// account is the API's Account entity, the fields triage uses.
type account struct {
	ID          string `json:"id"`
	Acct        string `json:"acct"` // "bob" for local accounts, "bob@other.example" for remote ones
	DisplayName string `json:"display_name"`
}

// status is the API's Status entity, the fields triage uses.
type status struct {
	ID          string       `json:"id"`
	URI         string       `json:"uri"`
	URL         string       `json:"url"`
	CreatedAt   time.Time    `json:"created_at"`
	Account     account      `json:"account"`
	InReplyToID string       `json:"in_reply_to_id"` // null reads as ""
	Visibility  string       `json:"visibility"`     // public, unlisted, private, direct
	SpoilerText string       `json:"spoiler_text"`
	Content     string       `json:"content"` // HTML
	Media       []attachment `json:"media_attachments"`
	// Pleroma and Akkoma say which thread a status is in; Mastodon does not.
	Pleroma *struct {
		ConversationID json.RawMessage `json:"conversation_id"`
	} `json:"pleroma,omitempty"`
}

type attachment struct {
	Type        string `json:"type"` // image, video, gifv, audio, unknown
	URL         string `json:"url"`
	Description string `json:"description"`
}

// notification is the API's Notification entity, the fields triage uses.
type notification struct {
	ID     string  `json:"id"`
	Type   string  `json:"type"`
	Status *status `json:"status"` // null when the status was deleted
}

// call sends one API request with the token: query q, JSON body in (nil for none), an
// Idempotency-Key when key is set; it decodes the response into out (nil to discard) and
// returns the response's headers (for Link).
func (a *Adapter) call(ctx context.Context, method, path string, q url.Values, in any, key string, out any) (http.Header, error) {
	u := a.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, adapters.Permanent(fmt.Errorf("encode request: %w", err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, adapters.Permanent(fmt.Errorf("%s %s: %w", method, path, err))
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	if out == nil {
		resp.Body.Close()
		return resp.Header, nil
	}
	return resp.Header, httpx.DecodeJSON(resp, out)
}

// getStatus reads one status.
func (a *Adapter) getStatus(ctx context.Context, id string) (status, error) {
	var s status
	_, err := a.call(ctx, http.MethodGet, "/api/v1/statuses/"+url.PathEscape(id), nil, nil, "", &s)
	return s, err
}
