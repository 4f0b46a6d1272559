package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/triage-inbox/triage/adapters"
	"golang.org/x/oauth2"
)

// OAuthClient is what an adapter that refreshes its access token through
// golang.org/x/oauth2 (the refresh_token grant) keeps between calls: the client, its
// refresh token, the access token of the moment, and the tokens it used before, which no
// error may show either. X and YouTube hold one each, with their own rules around it
// (X rotates the refresh token at every refresh and stores it). Lock it around any
// change of Refresh or Access.
type OAuthClient struct {
	Conf oauth2.Config
	HTTP *http.Client

	sync.Mutex
	Refresh string        // the refresh token
	Access  *oauth2.Token // the access token, nil until the first refresh
	old     []string      // tokens no longer in use, the last four
}

// Exchange trades the refresh token for a new access token (and, with some servers, a
// new refresh token). Hold the lock.
func (c *OAuthClient) Exchange(ctx context.Context) (*oauth2.Token, error) {
	hc := context.WithValue(ctx, oauth2.HTTPClient, c.HTTP)
	// A token with only the refresh token is not valid, so the source refreshes at once.
	return c.Conf.TokenSource(hc, &oauth2.Token{RefreshToken: c.Refresh}).Token()
}

// Retire keeps a token no longer in use out of errors still. Hold the lock.
func (c *OAuthClient) Retire(tok string) {
	c.old = append(c.old[max(0, len(c.old)-3):], tok)
}

// Use makes nt the access token of the moment, the one before it retired.
// Hold the lock.
func (c *OAuthClient) Use(nt *oauth2.Token) {
	if c.Access != nil {
		c.Retire(c.Access.AccessToken)
	}
	c.Access = nt
}

// Expire drops the access token tok after the API refused it (401), so the next call
// refreshes; a token refreshed meanwhile by another call is kept.
func (c *OAuthClient) Expire(tok string) {
	c.Lock()
	defer c.Unlock()
	if c.Access != nil && c.Access.AccessToken == tok {
		c.Retire(tok)
		c.Access = nil
	}
}

// Secrets lists what no error may hold: the client secret, the refresh tokens, the
// access tokens, and tok.
func (c *OAuthClient) Secrets(tok string) []string {
	c.Lock()
	defer c.Unlock()
	out := append(c.known(), tok)
	if c.Access != nil {
		out = append(out, c.Access.AccessToken, c.Access.RefreshToken)
	}
	return out
}

// known is the client secret, the refresh token and the tokens retired. Hold the lock.
func (c *OAuthClient) known() []string {
	return append([]string{c.Conf.ClientSecret, c.Refresh}, c.old...)
}

// RefreshFailure is what the token endpoint said of a failed Exchange, redacted of the
// client's secrets: its error code, that code and its description as text fit for an
// error ("HTTP 400" when it said neither), and the HTTP status. answered is false when
// no answer came; said is then the error's own text, redacted. Hold the lock.
func (c *OAuthClient) RefreshFailure(err error) (code, said string, status int, answered bool) {
	secrets := c.known()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return "", adapters.ServerText(err.Error(), secrets...), 0, false
	}
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	said = adapters.ServerText(re.ErrorCode, secrets...)
	if d := adapters.ServerText(re.ErrorDescription, secrets...); d != "" {
		said += ": " + d
	}
	if said == "" {
		said = fmt.Sprintf("HTTP %d", status)
	}
	return re.ErrorCode, said, status, true
}
