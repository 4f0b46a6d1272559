// Package appstore is the adapter for the customer reviews of one app on the App Store,
// over the App Store Connect API
// (https://developer.apple.com/documentation/appstoreconnectapi/customer-reviews) with a
// team API key: a JWT signed with the key's .p8 file (ES256) is the bearer token.
//
//	[[account]]
//	name             = "acme-ios"
//	channel          = "appstore"
//	app_id           = "1234567890"
//	issuer_id        = "57246542-96fe-1a63-e053-0824d011072a"
//	key_id           = "2X9R4HXF34"
//	private_key_file = "~/.config/triage/AuthKey_2X9R4HXF34.p8"
//	handle           = "Acme (iOS)"  # optional: else the app id
//	interval         = "10m"         # optional: the least time between two passes
//	max_pages        = 5             # optional: pages of 200 reviews a pass reads
//	lookback         = "336h"        # optional: a pass reads back this far (14 days)
//	api_url          = "https://api.appstoreconnect.apple.com"  # optional
//	timeout          = "30s"         # optional
//
// No OAuth token endpoint is involved (the key signs its own tokens), so there is no
// token_url. One conversation per review, kind review. Each pass reads the reviews
// newest first (sort=-createdDate, include=response, paged by links.next) back to
// lookback or max_pages. Apple gives a review no modified time, so its message id is its
// id and a short hash of its rating, title and body: a refetch of an unchanged review is
// the same message, an edited review a new one in the same conversation. Apple gives no
// app version or language: the territory (the storefront, "USA") ends the text.
//
// The developer's response is outbound: one made in App Store Connect counts as an
// answer, and one sent from triage comes back as the same message (its id is Apple's
// response id and a hash of its text). A response is an upsert (POST
// customerReviewResponses creates the review's one response or replaces it), so a retry
// never posts twice. Apple reviews a response before the App Store shows it: it is
// PENDING_PUBLISH, then PUBLISHED. The key file is read when a token is made, not at
// start; the key and the tokens never reach an error or a log.
package appstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Channel is the channel name in config and in inbox messages.
const Channel = "appstore"

// DefaultAPIURL is the default api_url.
const DefaultAPIURL = "https://api.appstoreconnect.apple.com"

// NativeAgent names the responses made outside triage (App Store Connect).
const NativeAgent = "(native app)"

// MaxResponse is Apple's limit on a response's length, in characters.
const MaxResponse = 5970

// Adapter is one app's reviews on the App Store. It satisfies adapters.Adapter and
// adapters.Checker.
type Adapter struct {
	base     string // "https://api.appstoreconnect.apple.com"
	appID    string
	name     string // the account as messages name it: handle, else the app id
	interval time.Duration
	maxPages int
	lookback time.Duration
	http     *httpx.Client
	sign     *signer
	now      func() time.Time

	mu       sync.Mutex
	nextPass time.Time // a pass starts no sooner (interval after the last one ended)
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]]. It asks nothing of the network and does
// not read the key file yet: the first call does.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	var req [4]string
	for i, k := range []string{"app_id", "issuer_id", "key_id", "private_key_file"} {
		v, err := acct.Required(k)
		if err != nil {
			return nil, err
		}
		req[i] = strings.TrimSpace(v)
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
	timeout, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return nil, err
	}
	interval, err := acct.Duration("interval", 10*time.Minute)
	if err != nil {
		return nil, err
	}
	lookback, err := acct.Duration("lookback", 14*24*time.Hour)
	if err != nil {
		return nil, err
	}
	maxPages, err := acct.Int("max_pages", 5, 1, 1000, "pages")
	if err != nil {
		return nil, err
	}
	a := &Adapter{
		base: base, appID: req[0], name: strings.TrimSpace(handle), interval: interval, maxPages: maxPages,
		lookback: lookback, http: httpx.NewClient(timeout), now: time.Now,
		sign: &signer{issuer: req[1], keyID: req[2], file: expandHome(req[3])},
	}
	if a.name == "" {
		a.name = a.appID
	}
	return a, nil
}

// Handle is the account as inbox messages name it: the configured handle, else the
// app's id.
func (a *Adapter) Handle() string { return a.name }

// Capabilities: replies, idempotent (a response replaces the review's one response).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Idempotent: true}
}

// apiErrors is App Store Connect's error body.
type apiErrors struct {
	Errors []struct {
		Status string `json:"status"`
		Code   string `json:"code"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	} `json:"errors"`
}

// call sends one request to pathQuery (a path under the base, with its query), the
// JSON body in (nil for none), the response decoded into out. A 401 makes a new token
// and tries once more; a second 401 is "reconnect".
func (a *Adapter) call(ctx context.Context, method, pathQuery string, in, out any) error {
	for try := 0; ; try++ {
		tok, err := a.sign.token(a.now())
		if err != nil {
			return err
		}
		err = a.do(httpx.WithSecrets(ctx, a.sign.secrets()...), method, pathQuery, tok, in, out)
		var ae *adapters.Error
		unauthorized := errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
		if unauthorized && try == 0 {
			a.sign.expire(tok)
			continue
		}
		if unauthorized {
			return &adapters.Error{Err: fmt.Errorf("reconnect: App Store Connect refused the API key %s (issuer %s, private_key_file %s); it may have been revoked: make a new key in App Store Connect → Users and Access → Integrations: %w",
				a.sign.keyID, a.sign.issuer, a.sign.file, ae.Err), Permanent: true, Status: ae.Status}
		}
		return err
	}
}

func (a *Adapter) do(ctx context.Context, method, pathQuery, tok string, in, out any) error {
	return a.http.BearerJSON(ctx, method, a.base+pathQuery, tok, in, out, a.classify)
}

// classify turns an error response into an *adapters.Error: httpx's classes by status,
// Apple's code and detail as the message; a 429 (RATE_LIMIT_EXCEEDED, a rolling hour per
// key) waits as Retry-After says, else five minutes; a 403 says which role the key needs;
// a 404 on the app's reviews that app_id is wrong.
func (a *Adapter) classify(resp *http.Response, raw []byte) error {
	err := httpx.CheckResponse(resp)
	var ae *adapters.Error
	var he *httpx.APIError
	if !errors.As(err, &ae) || !errors.As(err, &he) {
		return err
	}
	var body apiErrors
	if json.Unmarshal(raw, &body) == nil && len(body.Errors) > 0 {
		e := body.Errors[0]
		secrets := a.sign.secrets()
		he.Code = adapters.ServerText(e.Code, secrets...)
		he.Message = adapters.ServerText(cmp(e.Detail, e.Title), secrets...)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		ae.RetryAfter = max(ae.RetryAfter, 5*time.Minute)
		if h := resp.Header.Get("Retry-After"); h != "" {
			ae.RetryAfter = httpx.RetryAfter(resp.Header, time.Now())
		}
		ae.Err = fmt.Errorf("App Store Connect's hourly request limit for this key is reached: %w", he)
	case resp.StatusCode == http.StatusForbidden:
		ae.Err = fmt.Errorf("the API key %s may not do this: it needs the Customer Support role or higher, with access to app %s: %w", a.sign.keyID, a.appID, he)
	case resp.StatusCode == http.StatusNotFound && strings.Contains(resp.Request.URL.Path, "/v1/apps/"):
		ae.Err = fmt.Errorf("no app %s for this key: check app_id: %w", a.appID, he)
	}
	return ae
}

// cmp is the first of its arguments that is not empty.
func cmp(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
