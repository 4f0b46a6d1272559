// Package meta is the Graph API client that the Instagram, Facebook and WhatsApp channels
// share: one small struct that sends GET and POST requests to
// https://graph.{facebook,instagram}.com/{version}/…, the token in an Authorization header
// (never in a URL that could be logged), Graph's error body read into a *GraphError and
// classified for the sync engine (Temporary with how long to wait, or Permanent), and the
// cursor paging of Graph lists (see List).
//
// The three account kinds' config is read by ParseAccount; metatest is a local Graph
// server for tests, built from Meta's documented payloads.
package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// Client sends Graph API requests for one account.
type Client struct {
	BaseURL string // "https://graph.facebook.com" or "https://graph.instagram.com", no trailing slash
	Version string // "v24.0"
	Account string // the [[account]] name, for errors ("reconnect: the token for account …")
	// Token returns the access token for a request (read once, at start, by Config.Client).
	Token func(ctx context.Context) (string, error)
	// Renew, when set, reads the token afresh (token_env, or token_cmd run again) after
	// Graph refused the one sent as expired or invalid; a different one is tried once, so
	// a token renewed outside triage is picked up without a restart.
	Renew func(ctx context.Context) (string, error)
	HTTP  *http.Client
	Now   func() time.Time // for Retry-After dates and usage pauses; nil: time.Now

	mu     sync.Mutex
	paused pause // set when an answer's usage headers neared a limit
}

// Get reads path (like "/17841400000000001/media") with query q into out.
func (c *Client) Get(ctx context.Context, path string, q url.Values, out any) error {
	return c.do(ctx, http.MethodGet, path, q, nil, "", out)
}

// PostForm posts form-encoded parameters (the way Graph documents most writes, like
// POST /{comment-id}/replies message=…) and decodes the answer into out (nil to discard).
func (c *Client) PostForm(ctx context.Context, path string, form url.Values, out any) error {
	return c.do(ctx, http.MethodPost, path, nil, []byte(form.Encode()), "application/x-www-form-urlencoded", out)
}

// PostJSON posts in as a JSON body (WhatsApp's POST /{phone-number-id}/messages, the
// Send API's POST /me/messages) and decodes the answer into out (nil to discard).
func (c *Client) PostJSON(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return adapters.Permanent(fmt.Errorf("encode request for %s: %w", path, err))
	}
	return c.do(ctx, http.MethodPost, path, nil, b, "application/json", out)
}

// Delete sends DELETE path (Graph's DELETE /{comment-id}); Graph answers {"success":true}.
func (c *Client) Delete(ctx context.Context, path string) error {
	return c.do(ctx, http.MethodDelete, path, nil, nil, "", nil)
}

// URL is the address of path under the client's base and version, with query q.
func (c *Client) URL(path string, q url.Values) string {
	u := c.BaseURL + "/" + c.Version + "/" + strings.TrimPrefix(path, "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c *Client) do(ctx context.Context, method, path string, q url.Values, body []byte, contentType string, out any) error {
	if q.Has("access_token") {
		// A token in the query would travel into proxies' and servers' logs.
		return adapters.Permanent(fmt.Errorf("%s %s: the token goes in the Authorization header, not the query", method, path))
	}
	if err := c.waitUsage(method, path); err != nil {
		return err
	}
	token, err := c.Token(ctx)
	if err != nil {
		return err
	}
	err = c.send(ctx, method, path, q, body, contentType, token, out)
	if c.Renew == nil || !tokenError(err) {
		return err
	}
	// Graph refused the token before doing anything, so trying again cannot do it twice.
	fresh, rerr := c.Renew(ctx)
	if rerr != nil || fresh == "" || fresh == token {
		return err
	}
	return c.send(ctx, method, path, q, body, contentType, fresh, out)
}

// tokenError says whether err is Graph refusing the token (codes 190, 102).
func tokenError(err error) bool {
	var ge *GraphError
	return errors.As(err, &ge) && tokenCode(ge.Code)
}

// send makes one request with token.
func (c *Client) send(ctx context.Context, method, path string, q url.Values, body []byte, contentType, token string, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL(path, q), r)
	if err != nil {
		return adapters.Permanent(fmt.Errorf("%s %s: %s", method, path, adapters.Redact(err.Error(), token)))
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", httpx.UserAgent)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: httpx.DefaultTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return adapters.RedactError(httpx.NetworkError(req, err), token)
	}
	c.noticeUsage(resp.Header)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return c.classify(resp, token)
	}
	if out == nil {
		resp.Body.Close()
		return nil
	}
	return httpx.DecodeJSON(resp, out)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
