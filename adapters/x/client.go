package x

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
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// problem is X's error body: a problem (RFC 7807: title, detail, type, status), with
// errors[] for a request's parameters; the OAuth endpoints' error and
// error_description too, should a proxy answer in that form.
type problem struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
	Status int    `json:"status"`
	Reason string `json:"reason"`
	Errors []struct {
		Message string `json:"message"`
		Title   string `json:"title"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

// call sends one request to the API: path under api_url ("/2/tweets"), endpoint naming
// its rate limit ("POST /2/tweets"), query q, JSON body in (nil for none); it decodes the
// response into out (nil to discard). A 401 refreshes the access token and tries once
// more; a second 401 says reconnect.
func (a *Adapter) call(ctx context.Context, method, endpoint, path string, q url.Values, in, out any) error {
	for try := 0; ; try++ {
		if err := a.limits.before(endpoint, a.now()); err != nil {
			return err
		}
		tok, err := a.auth.token(ctx)
		if err != nil {
			return err
		}
		err = a.do(httpx.WithSecrets(ctx, a.auth.Secrets(tok)...), method, endpoint, path, tok, q, in, out)
		var ae *adapters.Error
		unauthorized := errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
		if unauthorized && try == 0 {
			a.auth.Expire(tok)
			continue
		}
		if unauthorized {
			return &adapters.Error{Err: fmt.Errorf("reconnect: X refused a fresh access token (authorize triage again): %w", ae.Err), Permanent: true, Status: ae.Status}
		}
		return err
	}
}

func (a *Adapter) do(ctx context.Context, method, endpoint, path, tok string, q url.Values, in, out any) error {
	u := a.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return adapters.Permanent(fmt.Errorf("encode request: %w", err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return adapters.Permanent(fmt.Errorf("%s: %w", endpoint, err))
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", httpx.UserAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.HTTP.Do(req)
	if err != nil {
		return httpx.NetworkError(req, err)
	}
	a.limits.after(endpoint, resp.Header, a.now())
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return a.classify(req, resp, raw)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		resp.Body.Close()
		return nil
	}
	return httpx.DecodeJSON(resp, out)
}

// classify turns an error answer into an *adapters.Error wrapping an *httpx.APIError
// (Code: X's title, Message: its detail, redacted): 429 waits until x-rate-limit-reset;
// 5xx is temporary (and a post may exist, but 503); 402 and 403 are permanent and say
// what X said about the plan, the credits or the permission; the rest is permanent.
func (a *Adapter) classify(req *http.Request, resp *http.Response, raw []byte) error {
	secrets := a.auth.Secrets("")
	if auth := req.Header.Get("Authorization"); auth != "" {
		secrets = append(secrets, auth, strings.TrimPrefix(auth, "Bearer "))
	}
	he := &httpx.APIError{Method: req.Method, Where: req.URL.Host + req.URL.EscapedPath(), Status: resp.StatusCode}
	var p problem
	if json.Unmarshal(raw, &p) == nil {
		detail := p.Detail
		if len(p.Errors) > 0 {
			e := p.Errors[0]
			detail = strings.TrimSpace(strings.Join([]string{detail, e.Message, e.Detail}, " "))
		}
		if detail == p.Title {
			detail = "" // "Unauthorized: Unauthorized" says it once
		}
		he.Code, he.Message = adapters.ServerText(p.Title, secrets...), adapters.ServerText(detail, secrets...)
	}
	e := &adapters.Error{Err: he, Status: resp.StatusCode}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		e.RetryAfter = retryAfter429(resp.Header, a.now())
		if strings.Contains(p.Type, "usage-capped") {
			e.Err = fmt.Errorf("X's usage cap for the app is reached (see the developer portal): %w", he)
			e.RetryAfter = max(e.RetryAfter, time.Hour)
		}
	case s >= 500 || s == http.StatusRequestTimeout:
		e.RetryAfter = time.Minute
		e.MaybeSent = s >= 500 && s != http.StatusServiceUnavailable
	case s == http.StatusPaymentRequired:
		e.Permanent = true
		e.Err = fmt.Errorf("X says the app has no credits left for this (add credits in the developer portal): %w", he)
	case s == http.StatusForbidden:
		e.Permanent = true
		e.Err = fmt.Errorf("X does not allow this with the app's plan or the token's scopes: %w", he)
	default:
		e.Permanent = true
	}
	return e
}
