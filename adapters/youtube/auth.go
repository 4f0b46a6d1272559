package youtube

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"golang.org/x/oauth2"
)

// auth holds the OAuth client and the refresh token, and the access token of the moment.
// A refresh goes through golang.org/x/oauth2 (Config.TokenSource, the refresh_token
// grant to token_url); a refresh token the server rotates is used from then on.
type auth struct {
	httpx.OAuthClient
}

func newAuth(clientID, secret, refresh, tokenURL string, client *http.Client) *auth {
	return &auth{httpx.OAuthClient{
		Conf: oauth2.Config{ClientID: clientID, ClientSecret: secret,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}},
		HTTP:    client,
		Refresh: refresh,
	}}
}

// token returns a valid access token, refreshing it when there is none or it expires.
func (au *auth) token(ctx context.Context) (string, error) {
	au.Lock()
	defer au.Unlock()
	if au.Access.Valid() {
		return au.Access.AccessToken, nil
	}
	nt, err := au.Exchange(ctx)
	if err != nil {
		return "", au.refreshError(ctx, err)
	}
	if nt.RefreshToken != "" && nt.RefreshToken != au.Refresh {
		adapters.Remember(nt.RefreshToken)
		au.Refresh = nt.RefreshToken
	}
	au.Use(nt)
	return nt.AccessToken, nil
}

// refreshError classifies a failed refresh: invalid_grant (the refresh token expired or
// was revoked) and invalid_client (a wrong client id or secret) are permanent and say
// what to do; a 5xx, a 429 or no answer is temporary. Only the server's error code and
// description are kept, redacted: never the request or the body as a whole.
func (au *auth) refreshError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("youtube: refresh the access token: %w", ctx.Err())
	}
	code, said, status, answered := au.RefreshFailure(err)
	if !answered {
		// No answer (the error names only the token URL and the cause).
		return &adapters.Error{Err: fmt.Errorf("youtube: refresh the access token: %s", said)}
	}
	switch {
	case code == "invalid_grant":
		return &adapters.Error{Err: fmt.Errorf("reconnect: Google refused the refresh token (%s); authorize triage again and set a new refresh token", said), Permanent: true, Status: status}
	case code == "invalid_client" || code == "unauthorized_client":
		return &adapters.Error{Err: fmt.Errorf("reconnect: Google refused the OAuth client (%s); check client_id and client_secret", said), Permanent: true, Status: status}
	case status == http.StatusTooManyRequests || status >= 500 || status == 0:
		return &adapters.Error{Err: fmt.Errorf("youtube: refresh the access token: %s", said), RetryAfter: time.Minute, Status: status}
	default:
		return &adapters.Error{Err: fmt.Errorf("reconnect: refreshing the access token failed (%s)", said), Permanent: true, Status: status}
	}
}
