// Package x is the adapter for one X (Twitter) account over the X API v2
// (https://docs.x.com/x-api): its mentions, optionally its direct messages, replies,
// DM replies, and moderation (hide a reply, mute, and block where the plan allows it),
// with an OAuth 2.0 user token (authorization code with PKCE) kept fresh by its refresh
// token, which X rotates on every refresh.
//
//	[[account]]
//	name              = "acme-x"
//	channel           = "x"
//	user_id           = "1580000000000000001"   # the account's numeric id: its posts are the brand's
//	handle            = "@acme"                 # optional: else the user_id
//	client_id_env     = "ACME_X_CLIENT_ID"      # or client_id_cmd, or client_id = "…"
//	refresh_token_env = "ACME_X_REFRESH_TOKEN"  # or refresh_token_file, or refresh_token_cmd
//	max_reads_per_day = 1000                    # posts and DM events read a UTC day; 0: no cap
//	dms               = true                    # optional: also direct messages (dm.read dm.write)
//	api_url           = "https://api.x.com"     # optional
//	token_url         = "https://api.x.com/2/oauth2/token"  # optional
//
// One conversation per X conversation (conversation_id: the post that started the
// thread), kind mention; one per DM conversation (dm_conversation_id), kind dm. The
// account's own posts and DMs that come back are outbound: answers made in the X app
// count, and a reply posted by triage comes back as the same message (the id X gave).
//
// X bills reads and posts. Every post and DM event read is counted per UTC day, and
// once max_reads_per_day is reached fetching waits until 00:00 UTC, saying so (see
// reads.go). X sends no Retry-After: a 429 waits until x-rate-limit-reset, and a limit
// whose x-rate-limit-remaining reached 0 is not called again before then (ratelimit.go).
//
// X rotates the refresh token: each refresh answers a new one and the old one stops
// working. The new one is written where the old came from (refresh_token_file, or
// refresh_token_store_cmd), else to the state folder, 0600 (see tokenstore.go); never to
// the database. The refresh token and the access tokens stay out of errors and logs.
package x

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Channel is the channel name in config and in inbox messages.
const Channel = "x"

// Defaults for api_url and token_url.
const (
	DefaultAPIURL   = "https://api.x.com"
	DefaultTokenURL = "https://api.x.com/2/oauth2/token"
)

// DefaultMaxReads is max_reads_per_day when the account does not set it: enough for a
// brand with a few hundred mentions a day, and a bound on a bill when something loops.
const DefaultMaxReads = 1000

// NativeAgent names the replies the account made outside triage (the X app, the web).
const NativeAgent = "(native app)"

// Adapter is one X account. It satisfies adapters.Adapter, adapters.Checker and
// adapters.Moderator.
type Adapter struct {
	base   string // "https://api.x.com"
	userID string // whose posts and DMs are outbound
	name   string // the account as messages name it: handle, else user_id
	dms    bool   // fetch direct messages too
	block  bool   // the plan allows POST /2/users/:id/blocking (Enterprise)
	http   *httpx.Client
	auth   *auth
	reads  *reads
	limits *rateLimits
	now    func() time.Time
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Moderator   = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]]. It reads the client id and the refresh
// token (the one saved in the state folder after a rotation wins over refresh_token_env
// or refresh_token_cmd, which the rotation used up) and asks nothing of the network: the
// first access token is fetched with the first call.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	userID, err := acct.Required("user_id")
	if err != nil {
		return nil, err
	}
	handle, err := acct.String("handle", "")
	if err != nil {
		return nil, err
	}
	base, err := httpx.AccountURL(acct, "api_url", DefaultAPIURL)
	if err != nil {
		return nil, err
	}
	tokenURL, err := httpx.AccountURL(acct, "token_url", DefaultTokenURL)
	if err != nil {
		return nil, err
	}
	timeout, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return nil, err
	}
	maxReads, err := acct.Int("max_reads_per_day", DefaultMaxReads, 0, 100_000_000, "posts and DM events")
	if err != nil {
		return nil, err
	}
	dms, err := acct.Bool("dms", false)
	if err != nil {
		return nil, err
	}
	block, err := acct.Bool("block", false)
	if err != nil {
		return nil, err
	}
	clientID, err := acct.String("client_id", "")
	if err == nil && clientID == "" {
		clientID, err = acct.Secret(ctx, "client_id")
	}
	if err != nil {
		return nil, err
	}
	// A confidential client (the app's type in the developer portal) also has a secret;
	// a public client, the usual for a tool like triage, has none.
	secret, err := acct.Secret(ctx, "client_secret")
	if err != nil && !errors.Is(err, adapters.ErrNoSecret) {
		return nil, err
	}
	store, refresh, err := openTokenStore(ctx, acct)
	if err != nil {
		return nil, err
	}
	a := &Adapter{
		base: base, userID: strings.TrimSpace(userID), name: strings.TrimSpace(handle), dms: dms, block: block,
		http: httpx.NewClient(timeout), now: time.Now,
	}
	if a.name == "" {
		a.name = a.userID
	}
	a.auth = newAuth(clientID, secret, refresh, tokenURL, a.http.HTTP, store)
	a.reads = newReads(maxReads)
	a.limits = newRateLimits()
	return a, nil
}

// Handle is the account as inbox messages name it: the configured handle, else the
// user id.
func (a *Adapter) Handle() string { return a.name }

// Capabilities: replies in the thread (a post, or a DM in a DM conversation), DMs, hide
// (a reply under one of the account's posts), unhide, mute; block only when the account
// says block = true, since X gives POST /2/users/:id/blocking to Enterprise plans alone.
// Not Idempotent: POST /2/tweets takes no key, but Sent finds a reply already posted.
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, DM: a.dms, Hide: true, Unhide: true, Mute: true, Block: a.block}
}
