package youtube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"golang.org/x/oauth2"
)

// auth holds the OAuth client and the refresh token, and the access token of the moment.
// A refresh goes through golang.org/x/oauth2 (Config.TokenSource, the refresh_token
// grant to token_url); a refresh token the server rotates is used from then on.
type auth struct {
	conf   oauth2.Config
	client *http.Client

	mu      sync.Mutex
	refresh string        // the refresh token (rotated when the server sends a new one)
	tok     *oauth2.Token // the access token, nil until the first call
	old     []string      // access tokens no longer in use, kept out of errors still
}

func newAuth(clientID, secret, refresh, tokenURL string, client *http.Client) *auth {
	return &auth{
		conf: oauth2.Config{ClientID: clientID, ClientSecret: secret,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}},
		client:  client,
		refresh: refresh,
	}
}

// token returns a valid access token, refreshing it when there is none or it expires.
func (au *auth) token(ctx context.Context) (string, error) {
	au.mu.Lock()
	defer au.mu.Unlock()
	if au.tok.Valid() {
		return au.tok.AccessToken, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, au.client)
	// A token with only the refresh token is not valid, so the source refreshes at once.
	nt, err := au.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: au.refresh}).Token()
	if err != nil {
		return "", au.refreshError(ctx, err)
	}
	if nt.RefreshToken != "" && nt.RefreshToken != au.refresh {
		adapters.Remember(nt.RefreshToken)
		au.refresh = nt.RefreshToken
	}
	if au.tok != nil {
		au.old = append(au.old[max(0, len(au.old)-3):], au.tok.AccessToken)
	}
	au.tok = nt
	return nt.AccessToken, nil
}

// expire drops the access token tok after the API refused it (401), so the next call
// refreshes; a token refreshed meanwhile by another call is kept.
func (au *auth) expire(tok string) {
	au.mu.Lock()
	defer au.mu.Unlock()
	if au.tok != nil && au.tok.AccessToken == tok {
		au.old = append(au.old[max(0, len(au.old)-3):], tok)
		au.tok = nil
	}
}

// secrets lists what no error may hold: the client secret, the refresh token, the access
// tokens, and tok.
func (au *auth) secrets(tok string) []string {
	au.mu.Lock()
	defer au.mu.Unlock()
	out := append([]string{au.conf.ClientSecret, au.refresh, tok}, au.old...)
	if au.tok != nil {
		out = append(out, au.tok.AccessToken, au.tok.RefreshToken)
	}
	return out
}

// refreshError classifies a failed refresh: invalid_grant (the refresh token expired or
// was revoked) and invalid_client (a wrong client id or secret) are permanent and say
// what to do; a 5xx, a 429 or no answer is temporary. Only the server's error code and
// description are kept, redacted: never the request or the body as a whole.
func (au *auth) refreshError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("youtube: refresh the access token: %w", ctx.Err())
	}
	secrets := []string{au.conf.ClientSecret, au.refresh}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		// No answer (the error names only the token URL and the cause).
		return &adapters.Error{Err: fmt.Errorf("youtube: refresh the access token: %s", adapters.ServerText(err.Error(), secrets...))}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	said := adapters.ServerText(re.ErrorCode, secrets...)
	if d := adapters.ServerText(re.ErrorDescription, secrets...); d != "" {
		said += ": " + d
	}
	if said == "" {
		said = fmt.Sprintf("HTTP %d", status)
	}
	switch {
	case re.ErrorCode == "invalid_grant":
		return &adapters.Error{Err: fmt.Errorf("reconnect: Google refused the refresh token (%s); authorize triage again and set a new refresh token", said), Permanent: true, Status: status}
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return &adapters.Error{Err: fmt.Errorf("reconnect: Google refused the OAuth client (%s); check client_id and client_secret", said), Permanent: true, Status: status}
	case status == http.StatusTooManyRequests || status >= 500 || status == 0:
		return &adapters.Error{Err: fmt.Errorf("youtube: refresh the access token: %s", said), RetryAfter: time.Minute, Status: status}
	default:
		return &adapters.Error{Err: fmt.Errorf("reconnect: refreshing the access token failed (%s)", said), Permanent: true, Status: status}
	}
}
