// Package httpx is what the HTTP channels (Mastodon, Bluesky, and later others) share: a
// small client with a timeout and triage's User-Agent, and one classification of HTTP
// failures into the adapters.Error the sync engine understands (Temporary with how long
// to wait, or Permanent).
//
// Errors never carry request headers, tokens or query strings: they name the method, host
// and path, the status, and the provider's own error message, cut short.
package httpx

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// UserAgent is sent with every request.
const UserAgent = "triage"

// DefaultTimeout bounds one request, from dial to the last byte of the body.
const DefaultTimeout = 30 * time.Second

// maxBody bounds how much of a response is read: a page of notifications is far smaller.
const maxBody = 16 << 20

// maxErrorBody bounds how much of an error response is read for its message.
const maxErrorBody = 64 << 10

// Client sends requests to a channel's API. The zero value is not usable; use NewClient.
type Client struct {
	HTTP *http.Client
}

// NewClient returns a client whose requests time out after timeout (DefaultTimeout when
// timeout is not positive).
func NewClient(timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{HTTP: &http.Client{Timeout: timeout}}
}

// Do sends req with the User-Agent set. A request that gets no response (refused or
// dropped connection, timeout, DNS failure) is Temporary; a response that is not 2xx is
// closed and classified by CheckResponse. On success the caller closes the body (or
// passes it to DecodeJSON, which does).
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("User-Agent", UserAgent)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, NetworkError(req, err)
	}
	if err := CheckResponse(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// DecodeJSON reads a successful response's JSON body into v and closes it. A body cut off
// or garbled on the way is Temporary: the next try may get it whole.
func DecodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(v); err != nil {
		return adapters.Temporary(fmt.Errorf("%s: read response: %w", where(resp.Request), err), 0)
	}
	return nil
}

// NetworkError classifies a failure to get any response. A cancelled or expired context
// is returned as is (the caller stopped; nothing to retry); anything else is Temporary,
// and MaybeSent unless the connection was never made (a failed dial or TLS handshake
// sends nothing).
// The URL's query is left out, in case it holds something private.
func NetworkError(req *http.Request, err error) error {
	if ctxErr := req.Context().Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", where(req), ctxErr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // *url.Error repeats the full URL; keep only its cause
	}
	return &adapters.Error{Err: fmt.Errorf("%s: %w", where(req), err), MaybeSent: !neverConnected(err)}
}

// neverConnected says whether err happened before a request could be written: DNS, a
// refused or timed-out dial, a TLS handshake.
func neverConnected(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var tlsErr *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	return errors.As(err, &tlsErr) || errors.As(err, &rec)
}

// APIError is a non-2xx response: its status and what the provider said about it. It is
// wrapped in an *adapters.Error; errors.As finds it, e.g. to read an XRPC error Code.
type APIError struct {
	Method, Where string // "GET", "mastodon.example/api/v1/notifications"
	Status        int
	Code          string // the JSON "error" field when a "message" explains it (XRPC: "ExpiredToken")
	Message       string // the provider's message, cut to adapters.MaxServerText characters
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.Where, e.Status, http.StatusText(e.Status))
	switch {
	case e.Code != "" && e.Message != "":
		s += ": " + e.Code + ": " + e.Message
	case e.Code != "" || e.Message != "":
		s += ": " + e.Code + e.Message
	}
	return s
}

// CheckResponse returns nil for a 2xx response, else an *adapters.Error wrapping an
// *APIError, with the body read (not closed). 408, 425, 429 and 5xx are Temporary, with
// RetryAfter from the response's headers (see RetryAfter); every other status (401, 403,
// 404, 422, …) is Permanent.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	ae := &APIError{Status: resp.StatusCode}
	if req := resp.Request; req != nil && req.URL != nil {
		ae.Method, ae.Where = req.Method, req.URL.Host+req.URL.EscapedPath()
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	ae.Code, ae.Message = providerMessage(body, requestSecrets(resp.Request))
	e := &adapters.Error{Err: ae, Status: resp.StatusCode}
	switch s := resp.StatusCode; {
	case s == http.StatusRequestTimeout, s == http.StatusTooEarly, s == http.StatusTooManyRequests, s >= 500:
		e.RetryAfter = RetryAfter(resp.Header, time.Now())
		// A server error may come after the work was done (a post stored, the answer lost).
		e.MaybeSent = s >= 500 && s != http.StatusServiceUnavailable
	default:
		e.Permanent = true
	}
	return e
}

// providerMessage finds the explanation in an error body: {"error": "…"} (Mastodon),
// {"error": "Code", "message": "…"} (XRPC), {"error": "code", "error_description": "…"}
// (OAuth), or {"message": "…"}. A body that is not JSON gives nothing: it is usually an
// HTML error page from a proxy. What is kept passes through adapters.ServerText after the
// JSON is decoded, so a secret JSON-escaped in the body is found in its decoded form too.
func providerMessage(body []byte, secrets []string) (code, msg string) {
	var b struct {
		Error       any    `json:"error"`
		Message     string `json:"message"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return "", ""
	}
	code, _ = b.Error.(string)
	msg = b.Message
	if msg == "" {
		msg = b.Description
	}
	if msg == "" {
		code, msg = "", code // a lone "error" is the message itself
	}
	return adapters.ServerText(code, secrets...), adapters.ServerText(msg, secrets...)
}

type secretsKey struct{}

// WithSecrets returns a context whose requests' errors never repeat the secrets, should
// a provider echo them in its error message: for a secret sent in a request's body (a
// login's password). Credentials in the Authorization header are left out without it.
func WithSecrets(ctx context.Context, secrets ...string) context.Context {
	prev, _ := ctx.Value(secretsKey{}).([]string)
	return context.WithValue(ctx, secretsKey{}, append(slices.Clip(prev), secrets...))
}

// requestSecrets lists the credentials of a request, for its error to leave out in every
// form (see adapters.Redact): the secrets of its context, its Authorization header and the
// parts of it, a basic-auth user and password, and its URL's userinfo password.
// Secrets this process fetched from the config are left out anyway.
func requestSecrets(req *http.Request) []string {
	if req == nil {
		return nil
	}
	secrets, _ := req.Context().Value(secretsKey{}).([]string)
	secrets = slices.Clone(secrets)
	if auth := req.Header.Get("Authorization"); auth != "" {
		secrets = append(secrets, auth)
		if _, cred, ok := strings.Cut(auth, " "); ok {
			secrets = append(secrets, cred)
		}
		if user, pw, ok := req.BasicAuth(); ok {
			secrets = append(secrets, user+":"+pw, pw)
		}
	}
	if req.URL != nil && req.URL.User != nil {
		if pw, ok := req.URL.User.Password(); ok {
			secrets = append(secrets, pw)
		}
	}
	// Query values are left to the configuration: a token there is remembered when the
	// account is read (webhook.NewOutgoing); "limit=40" is not a secret.
	return secrets
}

// where names a request in errors: method, host and path, never the query or headers.
func where(req *http.Request) string {
	if req == nil || req.URL == nil {
		return "request"
	}
	return req.Method + " " + req.URL.Host + req.URL.EscapedPath()
}

// Wrap says what was being done when err happened, keeping an *adapters.Error on top so
// the sync engine reads its class as it is: Wrap("fetch mentions", err).
func Wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var ae *adapters.Error
	if errors.As(err, &ae) {
		c := *ae
		c.Err = fmt.Errorf("%s: %w", what, ae.Err)
		return &c
	}
	return fmt.Errorf("%s: %w", what, err)
}

// BaseURL checks a configured server address and returns it without a trailing slash.
// It must be https, or http to this machine (a local test server): a token is never
// sent in the clear over the network.
func BaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return "", errors.New("server address: want one like https://mastodon.example")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("server address: give only scheme, host and path") // no user:password in errors
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return "", fmt.Errorf("server address %s: use https (http is allowed only to localhost)", u.Host)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AccountURL reads an account's base URL key (api_url, token_url…), def when absent, and
// checks it as BaseURL does; an error names the account and the key.
func AccountURL(acct adapters.Account, key, def string) (string, error) {
	raw, err := acct.String(key, def)
	if err != nil {
		return "", err
	}
	u, err := BaseURL(raw)
	if err != nil {
		return "", fmt.Errorf("account %q: %s: %w", acct.Name, key, err)
	}
	return u, nil
}
