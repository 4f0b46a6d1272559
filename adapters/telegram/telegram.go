// Package telegram is the adapter for one Telegram bot, over the Bot API
// (https://core.telegram.org/bots/api): private chats with the bot, the groups and forum
// topics it is in, and the chats of a Telegram Business account connected to it.
//
//	[[account]]
//	name      = "acme-telegram"
//	channel   = "telegram"
//	token_env = "ACME_TELEGRAM_TOKEN"       # the bot token from @BotFather; or token_cmd
//	handle    = "@acme_support_bot"         # optional: else asked of Telegram (getMe)
//	api_url   = "https://api.telegram.org"  # optional: a local Bot API server, a test fake
//	timeout   = "30s"                       # optional
//	webhook_secret_env = "ACME_TELEGRAM_HOOK" # optional: updates by webhook, not polled
//
// Updates come by polling getUpdates, its offset the cursor the sync engine stores with
// the messages; or, for an account with webhook_secret_env (or webhook_secret_cmd), by
// Telegram's webhook through triage serve (see Webhook), and then the account is not
// polled, since Telegram refuses getUpdates while a webhook is set. Business chats need
// no key of their own: their messages carry the business connection's id
// (business_connection_id), which triage keeps in the conversation and answers through.
//
// The token sits in every Bot API URL (https://api.telegram.org/bot<token>/METHOD), so no
// error, log line or text this package returns holds a URL: requests are named by their
// method ("telegram getUpdates"), and what Telegram says back is redacted of the token.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Channel is the channel name in config and in inbox messages.
const Channel = "telegram"

// DefaultAPIURL is Telegram's Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Adapter is one Telegram bot. It satisfies adapters.Adapter and adapters.Moderator; it
// is not a Checker, because the Bot API can neither look a sent message up nor take an
// idempotency key.
type Adapter struct {
	base     string // "https://api.telegram.org"
	token    string // never in errors or logs
	handle   string // "@acme_support_bot": the account as messages name it
	username string // "acme_support_bot", lower case, for mentions
	http     *httpx.Client
	webhook  bool // updates come by webhook through triage serve: Fetch does not poll
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Moderator   = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]]. It reads the token, and asks Telegram for
// the bot's username (getMe) only when config names no handle.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	base, err := httpx.AccountURL(acct, "api_url", DefaultAPIURL)
	if err != nil {
		return nil, err
	}
	timeout, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return nil, err
	}
	handle, err := acct.String("handle", "")
	if err != nil {
		return nil, err
	}
	token, err := acct.Secret(ctx, "token")
	if err != nil {
		return nil, err
	}
	a := &Adapter{base: base, token: token, http: httpx.NewClient(timeout), webhook: Webhooked(acct)}
	if handle = strings.TrimPrefix(strings.TrimSpace(handle), "@"); handle == "" {
		var me user
		if err := a.call(ctx, "getMe", nil, &me); err != nil {
			// Asked at every start: say how not to need Telegram then.
			return nil, httpx.Wrap(fmt.Sprintf(`account %q: ask Telegram for the bot's username (or set handle = "@your_bot" in it, and triage will not ask at start)`, acct.Name), err)
		}
		if handle = me.Username; handle == "" {
			return nil, fmt.Errorf("account %q: Telegram named no username for the bot; set handle", acct.Name)
		}
	}
	a.handle, a.username = "@"+handle, strings.ToLower(handle)
	return a, nil
}

// Handle is the account as inbox messages name it: "@" and the bot's username.
func (a *Adapter) Handle() string { return a.handle }

// Capabilities: replies, deleting a message, and banning its author from a group
// (block). Not Idempotent: the Bot API takes no idempotency key, so a send whose answer
// was lost is left for a person to check (see adapters.Error.MaybeSent).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Delete: true, Block: true}
}

// response is the Bot API's envelope: {"ok":true,"result":…} or {"ok":false,
// "error_code":429,"description":"…","parameters":{"retry_after":5}}.
type response struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// maxBody bounds how much of an answer is read: 100 updates are far smaller.
const maxBody = 16 << 20

// call sends one Bot API request (POST, a JSON body; in nil for none) and decodes its
// result into out (nil to discard). Errors name the method, never the URL.
func (a *Adapter) call(ctx context.Context, method string, in, out any) error {
	what := "telegram " + method
	body := []byte("{}")
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return adapters.Permanent(fmt.Errorf("%s: encode request: %w", what, err))
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/bot"+a.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return adapters.Permanent(fmt.Errorf("%s: %s", what, a.redact(err.Error())))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", httpx.UserAgent)
	resp, err := a.http.HTTP.Do(req)
	if err != nil {
		return a.networkError(req, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	var r response
	if err == nil {
		err = json.Unmarshal(raw, &r)
	}
	if err != nil || (!r.OK && r.ErrorCode == 0 && resp.StatusCode < 300) {
		if resp.StatusCode >= 300 { // a proxy's page, not the Bot API's answer
			return a.apiError(method, resp, response{ErrorCode: resp.StatusCode, Description: http.StatusText(resp.StatusCode)})
		}
		// Cut off or garbled on the way: the next try may get it whole. For a send the
		// request was carried out, or may have been.
		return &adapters.Error{Err: fmt.Errorf("%s: read the answer: %s", what, a.redact(fmt.Sprint(err))), MaybeSent: true}
	}
	if !r.OK || resp.StatusCode >= 300 {
		if r.ErrorCode == 0 {
			r.ErrorCode = resp.StatusCode
		}
		return a.apiError(method, resp, r)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return &adapters.Error{Err: fmt.Errorf("%s: read the result: %s", what, a.redact(err.Error())), MaybeSent: true}
	}
	return nil
}

// networkError classifies a request that got no answer as httpx does (Temporary, and
// MaybeSent unless no connection was made), named without the URL that holds the token.
func (a *Adapter) networkError(req *http.Request, err error) error {
	safe := req.Clone(req.Context())
	// The path without its /bot<token> segment: "POST api.telegram.org/sendMessage".
	safe.URL = &url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path[strings.LastIndexByte(req.URL.Path, '/'):]}
	return adapters.RedactError(httpx.NetworkError(safe, err), a.token)
}

// redact removes the token from a text in every form it may travel in.
func (a *Adapter) redact(s string) string { return adapters.Redact(s, a.token) }
