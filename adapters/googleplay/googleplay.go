// Package googleplay is the adapter for the reviews of one app on Google Play, over the
// Google Play Developer API's Reply to Reviews calls
// (https://developers.google.com/android-publisher/reply-to-reviews), signed in as a
// service account (a JSON key; the JWT bearer grant, scope androidpublisher).
//
//	[[account]]
//	name                 = "acme-play"
//	channel              = "googleplay"
//	package_name         = "com.acme.app"
//	service_account_file = "~/.config/triage/acme-play-service-account.json"
//	handle               = "Acme (Play)"   # optional: else the package name
//	interval             = "10m"           # optional: the least time between two passes
//	max_pages            = 10              # optional: pages of 100 reviews a pass reads
//	translation_language = "en"            # optional: Play translates the reviews
//	api_url              = "https://androidpublisher.googleapis.com"  # optional
//	token_url            = "https://oauth2.googleapis.com/token"      # optional: else the key's token_uri
//	timeout              = "30s"           # optional
//
// One conversation per review, kind review. Play lists only the reviews created or
// modified in the last seven days, so each pass reads that whole window (reviews.list,
// paged by token) and the store keeps what it has already: a review's message id is its
// id and the time the author last changed it, so a refetch of an unchanged review is the
// same message and an edited review is a new one in the same conversation, which
// reopens it. The developer's reply Play shows is outbound: a reply made in the Play
// Console counts as an answer, and a reply sent from triage comes back as the same
// message (its id is the review's id and a hash of the reply's text).
//
// A reply is an upsert (reviews.reply creates the review's one reply or replaces it), so
// a retry never posts twice. The key file is read when a token is needed, not at start:
// a replaced key is picked up at the next token, and a missing one is an error that
// names the file. The private key and the access tokens never reach an error or a log.
package googleplay

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
const Channel = "googleplay"

// Defaults for api_url and token_url (the latter when the key names no token_uri).
const (
	DefaultAPIURL   = "https://androidpublisher.googleapis.com"
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
)

// Scope is the OAuth scope the service account asks for.
const Scope = "https://www.googleapis.com/auth/androidpublisher"

// NativeAgent names the replies made outside triage (the Play Console).
const NativeAgent = "(native app)"

// MaxReply is Play's limit on a reply, in characters ("approximately 350").
const MaxReply = 350

// Adapter is one app's reviews on Google Play. It satisfies adapters.Adapter and
// adapters.Checker.
type Adapter struct {
	base        string // "https://androidpublisher.googleapis.com"
	pkg         string // "com.acme.app"
	name        string // the account as messages name it: handle, else the package name
	translation string // translationLanguage, "" for none
	interval    time.Duration
	maxPages    int
	http        *httpx.Client
	auth        *auth
	now         func() time.Time

	mu       sync.Mutex
	nextPass time.Time // a pass starts no sooner (interval after the last one ended)
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]]. It asks nothing of the network and does
// not read the key file yet: the first call does (see the package comment).
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	pkg, err := acct.Required("package_name")
	if err != nil {
		return nil, err
	}
	file, err := acct.Required("service_account_file")
	if err != nil {
		return nil, err
	}
	handle, err := acct.String("handle", "")
	if err != nil {
		return nil, err
	}
	base, err := acct.String("api_url", DefaultAPIURL)
	if err == nil {
		base, err = httpx.BaseURL(base)
	}
	if err != nil {
		return nil, fmt.Errorf("account %q: api_url: %w", acct.Name, err)
	}
	tokenURL, err := acct.String("token_url", "")
	if err == nil && tokenURL != "" {
		tokenURL, err = httpx.BaseURL(tokenURL)
	}
	if err != nil {
		return nil, fmt.Errorf("account %q: token_url: %w", acct.Name, err)
	}
	translation, err := acct.String("translation_language", "")
	if err != nil {
		return nil, err
	}
	timeout, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return nil, err
	}
	interval, err := acct.Duration("interval", 10*time.Minute)
	if err != nil {
		return nil, err
	}
	maxPages, err := acct.Int("max_pages", 10, 1, 1000, "pages")
	if err != nil {
		return nil, err
	}
	a := &Adapter{
		base: base, pkg: strings.TrimSpace(pkg), name: strings.TrimSpace(handle),
		translation: strings.TrimSpace(translation), interval: interval, maxPages: maxPages,
		http: httpx.NewClient(timeout), now: time.Now,
	}
	if a.name == "" {
		a.name = a.pkg
	}
	a.auth = newAuth(expandHome(strings.TrimSpace(file)), tokenURL, a.http.HTTP)
	return a, nil
}

// Handle is the account as inbox messages name it: the configured handle, else the
// package name.
func (a *Adapter) Handle() string { return a.name }

// Capabilities: replies, idempotent (a reply replaces the review's one reply, so trying
// again never posts a second).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Idempotent: true}
}

// apiError is Google's error body.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Reason string `json:"reason"`
		} `json:"errors"`
	} `json:"error"`
}

// call sends one API request: query q, JSON body in (nil for none), the response decoded
// into out. A 401 gets a new access token and tries once more.
func (a *Adapter) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	for try := 0; ; try++ {
		tok, err := a.auth.token(ctx)
		if err != nil {
			return err
		}
		err = a.do(httpx.WithSecrets(ctx, a.auth.secrets(tok)...), method, path, tok, q, in, out)
		var ae *adapters.Error
		unauthorized := errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
		if unauthorized && try == 0 {
			a.auth.expire(tok)
			continue
		}
		if unauthorized {
			return &adapters.Error{Err: fmt.Errorf("reconnect: Google Play refused a fresh access token for the key in %s: %w", a.auth.file, ae.Err), Permanent: true, Status: ae.Status}
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

// classify turns an error response into an *adapters.Error: httpx's classes by status
// (429 and 5xx temporary, with Retry-After), then what Google says: the per-app quotas of
// the Reply to Reviews API (200 reads an hour, 2,000 replies a day) wait an hour unless
// told otherwise; a 403 on the app says the service account lacks its permission; a 404
// that the package is not in the developer account.
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
	secrets := a.auth.secrets("")
	reason := body.Error.Status
	if len(body.Error.Errors) > 0 && body.Error.Errors[0].Reason != "" {
		reason = body.Error.Errors[0].Reason
	}
	he.Code, he.Message = adapters.ServerText(reason, secrets...), adapters.ServerText(body.Error.Message, secrets...)
	switch {
	case reason == "rateLimitExceeded" || reason == "userRateLimitExceeded":
		ae.Permanent, ae.RetryAfter = false, max(ae.RetryAfter, time.Minute)
	case reason == "quotaExceeded" || reason == "dailyLimitExceeded" || resp.StatusCode == http.StatusTooManyRequests:
		if ae.RetryAfter == 0 {
			ae.RetryAfter = time.Hour
		}
		ae.Permanent = false
		ae.Err = fmt.Errorf("the quota of Play's review calls is spent (200 reads an hour, 2,000 replies a day per app): %w", he)
	case resp.StatusCode == http.StatusForbidden:
		ae.Err = fmt.Errorf("the service account may not read or answer the reviews of %s: in Play Console → Users and permissions, give it the app with \"Reply to reviews\": %w", a.pkg, he)
	case resp.StatusCode == http.StatusNotFound && strings.HasSuffix(resp.Request.URL.Path, "/reviews"):
		ae.Err = fmt.Errorf("no app %s in this developer account: check package_name: %w", a.pkg, he)
	}
	return ae
}
