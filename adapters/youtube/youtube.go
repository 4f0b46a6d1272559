// Package youtube is the adapter for the comments on one YouTube channel, over the
// YouTube Data API v3 (https://developers.google.com/youtube/v3/docs) with an OAuth
// client and a refresh token of the channel's owner (scope youtube.force-ssl).
//
//	[[account]]
//	name              = "acme-youtube"
//	channel           = "youtube"
//	channel_id        = "UCacme0000000000000000"
//	handle            = "@acme"                 # optional: else the channel_id
//	client_id_env     = "ACME_YT_CLIENT_ID"     # or client_id_cmd, or client_id = "…"
//	client_secret_env = "ACME_YT_CLIENT_SECRET" # or client_secret_cmd
//	refresh_token_env = "ACME_YT_REFRESH_TOKEN" # or refresh_token_cmd
//	quota             = 10000                   # optional: units a Pacific day
//	quota_reserve     = 1000                    # optional: units lists leave for replies
//	api_url           = "https://www.googleapis.com/youtube/v3"  # optional
//	token_url         = "https://oauth2.googleapis.com/token"    # optional
//	timeout           = "30s"                   # optional
//
// One conversation per comment thread (the top-level comment and its replies), kind
// comment. Fetch lists the channel's threads newest activity first (commentThreads.list
// with allThreadsRelatedToChannelId and order=time) down to a watermark kept in the
// cursor, reads the replies a thread holds beyond those embedded (comments.list with
// parentId), and also lists the comments held for review and those YouTube thinks are
// likely spam, marked so a person sees them in a view and can approve them ("unhide").
// The channel's own comments are outbound: answers made in YouTube Studio count, and a
// reply posted by triage comes back as the same message (the id comments.insert gave).
//
// The API's daily quota is counted here, per Pacific day (see quota.go): lists leave
// room for replies and moderation, polling spreads out as the day's units run low, and
// once the quota is spent every call waits until midnight Pacific, saying so.
//
// The client secret, the refresh token and every access token stay out of errors and
// logs: requests carry them in a header or a form body only, and what a server says
// back is redacted of them.
package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Channel is the channel name in config and in inbox messages.
const Channel = "youtube"

// Defaults for api_url and token_url.
const (
	DefaultAPIURL   = "https://www.googleapis.com/youtube/v3"
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
)

// NativeAgent names the replies the channel made outside triage (YouTube Studio, the app).
const NativeAgent = "(native app)"

// Adapter is one YouTube channel. It satisfies adapters.Adapter, adapters.Checker and
// adapters.Moderator.
type Adapter struct {
	base      string // "https://www.googleapis.com/youtube/v3"
	channelID string // "UC…": whose comments are outbound
	name      string // the account as messages name it: handle, else channel_id
	http      *httpx.Client
	auth      *auth
	quota     *quota
	now       func() time.Time
	show      *time.Location // where "quota until 09:00" is told (time.Local)

	mu        sync.Mutex
	nextFetch time.Time // polling spaced out to last the day's units (see space)
	passSpent int       // units spent by the pass under way
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Moderator   = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]]. It reads the secrets and asks nothing of
// the network: the first access token is fetched with the first call.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	channelID, err := acct.Required("channel_id")
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
	budget, err := acct.Int("quota", DefaultQuota, 100, 100_000_000, "units")
	if err != nil {
		return nil, err
	}
	reserve, err := acct.Int("quota_reserve", budget/10, 0, budget-1, "units")
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
	secret, err := acct.Secret(ctx, "client_secret")
	if err != nil {
		return nil, err
	}
	refresh, err := acct.Secret(ctx, "refresh_token")
	if err != nil {
		return nil, err
	}
	a := &Adapter{
		base: base, channelID: strings.TrimSpace(channelID), name: strings.TrimSpace(handle),
		http: httpx.NewClient(timeout), now: time.Now, show: time.Local,
	}
	if a.name == "" {
		a.name = a.channelID
	}
	a.auth = newAuth(clientID, secret, refresh, tokenURL, a.http.HTTP)
	a.quota = newQuota(budget, reserve)
	return a, nil
}

// Handle is the account as inbox messages name it: the configured handle, else the
// channel's id.
func (a *Adapter) Handle() string { return a.name }

// Capabilities: replies in the thread; hide (hold for review), unhide (publish: approve a
// held comment), delete (reject) and block (reject and ban the author). Not Idempotent:
// comments.insert takes no key, but Sent finds a reply already posted.
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Hide: true, Unhide: true, Delete: true, Block: true}
}

// apiError is the API's error body.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"error"`
}

// call sends one API request costing c of the quota: query q, JSON body in (nil for
// none); it decodes the response into out (nil to discard). A 401 refreshes the access
// token and tries once more (the first try's cost is counted too).
func (a *Adapter) call(ctx context.Context, method, path string, c cost, q url.Values, in, out any) error {
	for try := 0; ; try++ {
		if err := a.quota.take(a.now(), c, a.show); err != nil {
			return err
		}
		tok, err := a.auth.token(ctx)
		if err != nil {
			return err
		}
		err = a.do(httpx.WithSecrets(ctx, a.auth.Secrets(tok)...), method, path, tok, q, in, out)
		var ae *adapters.Error
		unauthorized := errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
		if unauthorized && try == 0 {
			a.auth.Expire(tok)
			continue
		}
		if unauthorized {
			return &adapters.Error{Err: fmt.Errorf("reconnect: YouTube refused a fresh access token: %w", ae.Err), Permanent: true, Status: ae.Status}
		}
		return err
	}
}

func (a *Adapter) do(ctx context.Context, method, path, tok string, q url.Values, in, out any) error {
	u := a.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return a.http.BearerJSON(ctx, method, u, tok, in, out, a.classify)
}

// classify turns an error response into an *adapters.Error: httpx's classes by status,
// then what the reason says: quotaExceeded waits for midnight Pacific, the rate limits
// are temporary, commentsDisabled and forbidden say what is wrong.
func (a *Adapter) classify(resp *http.Response, raw []byte) error {
	err := httpx.CheckResponse(resp)
	var ae *adapters.Error
	var he *httpx.APIError
	if !errors.As(err, &ae) || !errors.As(err, &he) {
		return err
	}
	var body apiError
	if json.Unmarshal(raw, &body) != nil {
		return err
	}
	secrets := a.auth.Secrets("")
	reason := ""
	if len(body.Error.Errors) > 0 {
		reason = body.Error.Errors[0].Reason
	}
	he.Code, he.Message = adapters.ServerText(reason, secrets...), adapters.ServerText(body.Error.Message, secrets...)
	switch reason {
	case "quotaExceeded", "dailyLimitExceeded":
		return a.quota.exhausted(a.now(), a.show, he)
	case "rateLimitExceeded", "userRateLimitExceeded", "rateLimitExceededUnreg":
		ae.Permanent, ae.RetryAfter = false, max(ae.RetryAfter, time.Minute)
	case "commentsDisabled":
		ae.Err = fmt.Errorf("comments are turned off on this video: %w", he)
	case "forbidden", "insufficientPermissions", "ineligibleAccount":
		ae.Err = fmt.Errorf("reconnect with the channel's owner account (scope youtube.force-ssl): %w", he)
	}
	return ae
}
