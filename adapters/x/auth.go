package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"golang.org/x/oauth2"
)

// auth holds the OAuth 2.0 client, the refresh token and the access token of the moment.
// A refresh goes through golang.org/x/oauth2 (the refresh_token grant to token_url; a
// public client sends only client_id in the form, a confidential one its id and secret
// as basic auth). X answers each refresh with a new refresh token and refuses the old
// one from then on: the new one is saved (tokenStore) before it is used.
type auth struct {
	httpx.OAuthClient
	store   *tokenStore
	unsaved bool // a rotated refresh token is not saved yet (under the lock)
}

func newAuth(clientID, secret, refresh, tokenURL string, client *http.Client, store *tokenStore) *auth {
	style := oauth2.AuthStyleInParams
	if secret != "" {
		style = oauth2.AuthStyleInHeader
	}
	return &auth{OAuthClient: httpx.OAuthClient{
		Conf: oauth2.Config{ClientID: clientID, ClientSecret: secret,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: style}},
		HTTP: client, Refresh: refresh,
	}, store: store}
}

// token returns a valid access token, refreshing it when there is none or it expires.
func (au *auth) token(ctx context.Context) (string, error) {
	au.Lock()
	defer au.Unlock()
	if au.unsaved {
		if err := au.save(ctx); err != nil {
			return "", err
		}
	}
	if au.Access.Valid() {
		return au.Access.AccessToken, nil
	}
	// Another process on the account may have rotated the token since: take the stored
	// one, and when X refuses ours anyway (the rotation raced this refresh), look again.
	au.reload(ctx)
	nt, err := au.Exchange(ctx)
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && (re.ErrorCode == "invalid_request" || re.ErrorCode == "invalid_grant") && au.reload(ctx) {
		nt, err = au.Exchange(ctx)
	}
	if err != nil {
		return "", au.refreshError(ctx, err)
	}
	au.Use(nt)
	if nt.RefreshToken != "" && nt.RefreshToken != au.Refresh {
		adapters.Remember(nt.RefreshToken)
		au.Retire(au.Refresh)
		au.Refresh, au.unsaved = nt.RefreshToken, true
		if err := au.save(ctx); err != nil {
			return "", err
		}
	}
	return nt.AccessToken, nil
}

// reload takes the store's refresh token when it is another than ours, and says so. A
// token of ours not saved yet is kept: the store's is older.
func (au *auth) reload(ctx context.Context) bool {
	if au.unsaved {
		return false
	}
	tok := au.store.load(ctx)
	if tok == "" || tok == au.Refresh {
		return false
	}
	au.Retire(au.Refresh)
	au.Refresh = tok
	return true
}

// save writes the rotated refresh token to its store. Until it is saved every call
// fails, saying where: the process could go on, but the next start would need a new
// authorization, since X no longer takes the old token.
func (au *auth) save(ctx context.Context) error {
	if err := au.store.save(ctx, au.Refresh); err != nil {
		return &adapters.Error{Err: fmt.Errorf("x: X rotated the refresh token and keeping the new one failed (%s): %s; fix that, or the next start must be authorized anew",
			au.store.where(), adapters.Redact(err.Error(), au.Refresh)), RetryAfter: time.Minute}
	}
	au.unsaved = false
	return nil
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
	code, said, status, answered := au.RefreshFailure(err)
	if !answered {
		return &adapters.Error{Err: fmt.Errorf("x: refresh the access token: %s", said)}
	}
	switch {
	case code == "invalid_grant" || code == "invalid_request":
		return &adapters.Error{Err: fmt.Errorf("reconnect: X refused the refresh token (%s); authorize triage again (scope offline.access) and set the new refresh token", said), Permanent: true, Status: status}
	case code == "invalid_client" || code == "unauthorized_client":
		return &adapters.Error{Err: fmt.Errorf("reconnect: X refused the OAuth client (%s); check client_id (and client_secret for a confidential client)", said), Permanent: true, Status: status}
	case status == http.StatusTooManyRequests || status >= 500 || status == 0:
		return &adapters.Error{Err: fmt.Errorf("x: refresh the access token: %s", said), RetryAfter: time.Minute, Status: status}
	default:
		return &adapters.Error{Err: fmt.Errorf("reconnect: refreshing the access token failed (%s)", said), Permanent: true, Status: status}
	}
}
