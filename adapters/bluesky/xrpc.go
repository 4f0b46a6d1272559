package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// session is a logged-in session: the tokens are never in errors or logs.
type session struct {
	access, refresh string
	did             string
}

// sessionResponse is com.atproto.server.createSession's and refreshSession's output.
type sessionResponse struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	DID        string `json:"did"`
	Handle     string `json:"handle"`
}

// query calls an XRPC query (GET /xrpc/nsid?params) and decodes its output into out.
func (a *Adapter) query(ctx context.Context, nsid string, params url.Values, out any) error {
	return a.call(ctx, http.MethodGet, nsid, params, nil, out)
}

// procedure calls an XRPC procedure (POST /xrpc/nsid with a JSON body).
func (a *Adapter) procedure(ctx context.Context, nsid string, in, out any) error {
	return a.call(ctx, http.MethodPost, nsid, nil, in, out)
}

// call sends one authenticated XRPC request, logging in first if need be. When the access
// token has expired (ExpiredToken, with status 400 or 401), it renews the session and
// sends the request once more.
func (a *Adapter) call(ctx context.Context, method, nsid string, params url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return adapters.Permanent(fmt.Errorf("%s: encode input: %w", nsid, err))
		}
	}
	s, err := a.session(ctx)
	if err != nil {
		return err
	}
	err = a.send(ctx, method, nsid, params, body, s.access, out)
	if !expired(err) {
		return err
	}
	if s, err = a.renew(ctx, s); err != nil {
		return err
	}
	return a.send(ctx, method, nsid, params, body, s.access, out)
}

// send is one XRPC request with a bearer token ("" for none).
func (a *Adapter) send(ctx context.Context, method, nsid string, params url.Values, body []byte, token string, out any) error {
	u := a.base + "/xrpc/" + nsid
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return adapters.Permanent(fmt.Errorf("%s: %w", nsid, err))
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	if out == nil {
		resp.Body.Close()
		return nil
	}
	return httpx.DecodeJSON(resp, out)
}

// expired reports whether err says the access token has expired.
func expired(err error) bool {
	var ae *httpx.APIError
	return errors.As(err, &ae) && ae.Code == "ExpiredToken" &&
		(ae.Status == http.StatusBadRequest || ae.Status == http.StatusUnauthorized)
}

// session returns the current session, logging in when there is none.
func (a *Adapter) session(ctx context.Context) (*session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sess != nil {
		return a.sess, nil
	}
	return a.login(ctx)
}

// renew replaces an expired session: with com.atproto.server.refreshSession, or, when the
// refresh token is no longer good either, by logging in again. A session another call has
// already renewed is used as it is.
func (a *Adapter) renew(ctx context.Context, old *session) (*session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sess != old && a.sess != nil {
		return a.sess, nil
	}
	var res sessionResponse
	err := a.send(ctx, http.MethodPost, "com.atproto.server.refreshSession", nil, nil, old.refresh, &res)
	var ae *httpx.APIError
	switch {
	case err == nil && res.AccessJwt != "":
		a.sess = &session{access: res.AccessJwt, refresh: res.RefreshJwt, did: old.did}
		if res.DID != "" {
			a.sess.did = res.DID
		}
		return a.sess, nil
	case err == nil, errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusUnauthorized):
		a.sess = nil
		return a.login(ctx) // the refresh token expired or was revoked
	default:
		return nil, httpx.Wrap("bluesky @"+a.handle+": renew the session", err)
	}
}

// login opens a session with com.atproto.server.createSession. The caller holds a.mu.
func (a *Adapter) login(ctx context.Context) (*session, error) {
	in := map[string]string{"identifier": a.handle, "password": a.password}
	body, _ := json.Marshal(in)
	var res sessionResponse
	// The password is in the body: should the server echo it, the error leaves it out.
	if err := a.send(httpx.WithSecrets(ctx, a.password), http.MethodPost, "com.atproto.server.createSession", nil, body, "", &res); err != nil {
		return nil, httpx.Wrap("bluesky @"+a.handle+": log in", err)
	}
	if res.AccessJwt == "" || res.DID == "" {
		return nil, adapters.Temporary(fmt.Errorf("bluesky @%s: log in: the server returned no session", a.handle), 0)
	}
	a.sess = &session{access: res.AccessJwt, refresh: res.RefreshJwt, did: res.DID}
	return a.sess, nil
}
