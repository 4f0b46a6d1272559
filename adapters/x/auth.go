package x

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

// auth holds the OAuth 2.0 client, the refresh token and the access token of the moment.
// A refresh goes through golang.org/x/oauth2 (the refresh_token grant to token_url; a
// public client sends only client_id in the form, a confidential one its id and secret
// as basic auth). X answers each refresh with a new refresh token and refuses the old
// one from then on: the new one is saved (tokenStore) before it is used.
type auth struct {
	conf   oauth2.Config
	client *http.Client
	store  *tokenStore

	mu      sync.Mutex
	refresh string        // the refresh token (rotated on every refresh)
	tok     *oauth2.Token // the access token, nil until the first call
	old     []string      // tokens no longer in use, kept out of errors still
	unsaved bool          // a rotated refresh token is not saved yet
}

func newAuth(clientID, secret, refresh, tokenURL string, client *http.Client, store *tokenStore) *auth {
	style := oauth2.AuthStyleInParams
	if secret != "" {
		style = oauth2.AuthStyleInHeader
	}
	return &auth{
		conf: oauth2.Config{ClientID: clientID, ClientSecret: secret,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: style}},
		client: client, store: store, refresh: refresh,
	}
}

// token returns a valid access token, refreshing it when there is none or it expires.
func (au *auth) token(ctx context.Context) (string, error) {
	au.mu.Lock()
	defer au.mu.Unlock()
	if au.unsaved {
		if err := au.save(ctx); err != nil {
			return "", err
		}
	}
	if au.tok.Valid() {
		return au.tok.AccessToken, nil
	}
	// Another process on the account may have rotated the token since: take the stored
	// one, and when X refuses ours anyway (the rotation raced this refresh), look again.
	au.reload(ctx)
	nt, err := au.refreshWith(ctx)
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && (re.ErrorCode == "invalid_request" || re.ErrorCode == "invalid_grant") && au.reload(ctx) {
		nt, err = au.refreshWith(ctx)
	}
	if err != nil {
		return "", au.refreshError(ctx, err)
	}
	if au.tok != nil {
		au.old = append(au.old[max(0, len(au.old)-3):], au.tok.AccessToken)
	}
	au.tok = nt
	if nt.RefreshToken != "" && nt.RefreshToken != au.refresh {
		adapters.Remember(nt.RefreshToken)
		au.old = append(au.old[max(0, len(au.old)-3):], au.refresh)
		au.refresh, au.unsaved = nt.RefreshToken, true
		if err := au.save(ctx); err != nil {
			return "", err
		}
	}
	return nt.AccessToken, nil
}

// refreshWith trades the refresh token for a new access token (and refresh token).
func (au *auth) refreshWith(ctx context.Context) (*oauth2.Token, error) {
	hc := context.WithValue(ctx, oauth2.HTTPClient, au.client)
	// A token with only the refresh token is not valid, so the source refreshes at once.
	return au.conf.TokenSource(hc, &oauth2.Token{RefreshToken: au.refresh}).Token()
}

// reload takes the store's refresh token when it is another than ours, and says so. A
// token of ours not saved yet is kept: the store's is older.
func (au *auth) reload(ctx context.Context) bool {
	if au.unsaved {
		return false
	}
	tok := au.store.load(ctx)
	if tok == "" || tok == au.refresh {
		return false
	}
	au.old = append(au.old[max(0, len(au.old)-3):], au.refresh)
	au.refresh = tok
	return true
}

// save writes the rotated refresh token to its store. Until it is saved every call
// fails, saying where: the process could go on, but the next start would need a new
// authorization, since X no longer takes the old token.
func (au *auth) save(ctx context.Context) error {
	if err := au.store.save(ctx, au.refresh); err != nil {
		return &adapters.Error{Err: fmt.Errorf("x: X rotated the refresh token and keeping the new one failed (%s): %s; fix that, or the next start must be authorized anew",
			au.store.where(), adapters.Redact(err.Error(), au.refresh)), RetryAfter: time.Minute}
	}
	au.unsaved = false
	return nil
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

// secrets lists what no error may hold: the client secret, the refresh tokens, the
// access tokens, and tok.
func (au *auth) secrets(tok string) []string {
	au.mu.Lock()
	defer au.mu.Unlock()
	out := append([]string{au.conf.ClientSecret, au.refresh, tok}, au.old...)
	if au.tok != nil {
		out = append(out, au.tok.AccessToken, au.tok.RefreshToken)
	}
	return out
}

// refreshError classifies a failed refresh. X answers a refresh token that was used
// already, revoked or expired with 400 invalid_request ("Value passed for the token was
// invalid.") where RFC 6749 says invalid_grant: both mean authorize again. A wrong client
// id is invalid_client or unauthorized_client. A 5xx, a 429 or no answer is temporary.
// Only the server's error code and description are kept, redacted.
func (au *auth) refreshError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("x: refresh the access token: %w", ctx.Err())
	}
	secrets := append([]string{au.conf.ClientSecret, au.refresh}, au.old...)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return &adapters.Error{Err: fmt.Errorf("x: refresh the access token: %s", adapters.ServerText(err.Error(), secrets...))}
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
	case re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_request":
		return &adapters.Error{Err: fmt.Errorf("reconnect: X refused the refresh token (%s); authorize triage again (scope offline.access) and set the new refresh token", said), Permanent: true, Status: status}
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return &adapters.Error{Err: fmt.Errorf("reconnect: X refused the OAuth client (%s); check client_id (and client_secret for a confidential client)", said), Permanent: true, Status: status}
	case status == http.StatusTooManyRequests || status >= 500 || status == 0:
		return &adapters.Error{Err: fmt.Errorf("x: refresh the access token: %s", said), RetryAfter: time.Minute, Status: status}
	default:
		return &adapters.Error{Err: fmt.Errorf("reconnect: refreshing the access token failed (%s)", said), Permanent: true, Status: status}
	}
}
