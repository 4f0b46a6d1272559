package googleplay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
)

// serviceAccount is the JSON key Google Cloud gives for a service account, the fields
// the JWT bearer grant needs.
type serviceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

// auth gets access tokens for the service account: a JWT signed with its key (RS256,
// through golang.org/x/oauth2/jwt) traded at the token endpoint. The key file is read
// for every new token, so a key replaced on disk is used from the next token on.
type auth struct {
	file     string // service_account_file
	tokenURL string // token_url; "" = the key's token_uri, else DefaultTokenURL
	client   *http.Client

	mu   sync.Mutex
	tok  *oauth2.Token
	keys []string // what no error may hold: the private keys read, and their lines
	old  []string // access tokens no longer in use
}

func newAuth(file, tokenURL string, client *http.Client) *auth {
	return &auth{file: file, tokenURL: tokenURL, client: client}
}

// token returns a valid access token, getting a new one when there is none or it expires.
func (au *auth) token(ctx context.Context) (string, error) {
	au.mu.Lock()
	defer au.mu.Unlock()
	if au.tok.Valid() {
		return au.tok.AccessToken, nil
	}
	sa, err := au.read()
	if err != nil {
		return "", err
	}
	tokenURL := cmp(au.tokenURL, sa.TokenURI, DefaultTokenURL)
	if _, err := httpx.BaseURL(tokenURL); err != nil {
		return "", adapters.Permanent(fmt.Errorf("reconnect: the token_uri in %s: %v", au.file, err))
	}
	conf := &jwt.Config{Email: sa.ClientEmail, PrivateKey: []byte(sa.PrivateKey), PrivateKeyID: sa.PrivateKeyID,
		Scopes: []string{Scope}, TokenURL: tokenURL}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, au.client)
	nt, err := conf.TokenSource(ctx).Token()
	if err != nil {
		return "", au.tokenError(ctx, err)
	}
	if au.tok != nil {
		au.old = append(au.old[max(0, len(au.old)-3):], au.tok.AccessToken)
	}
	au.tok = nt
	return nt.AccessToken, nil
}

// read reads and checks the key file. Its errors name the file and never quote it.
func (au *auth) read() (serviceAccount, error) {
	var sa serviceAccount
	raw, err := os.ReadFile(au.file)
	if err != nil {
		return sa, adapters.Permanent(fmt.Errorf("reconnect: read service_account_file %s: %w", au.file, errors.Unwrap(err)))
	}
	if json.Unmarshal(raw, &sa) != nil {
		return sa, adapters.Permanent(fmt.Errorf("reconnect: service_account_file %s is not a service account's JSON key (download one in Google Cloud → IAM → Service accounts → Keys)", au.file))
	}
	au.remember(sa.PrivateKey)
	switch {
	case sa.Type != "" && sa.Type != "service_account":
		return sa, adapters.Permanent(fmt.Errorf("reconnect: service_account_file %s is a key of type %q, not a service account's", au.file, adapters.ServerText(sa.Type)))
	case sa.ClientEmail == "" || sa.PrivateKey == "":
		return sa, adapters.Permanent(fmt.Errorf("reconnect: service_account_file %s has no client_email or private_key", au.file))
	}
	return sa, nil
}

// remember keeps each line of a private key's PEM body among what errors leave out (a
// key quoted whole is then cut out line by line, and so is a part of it).
func (au *auth) remember(key string) {
	for _, s := range strings.Split(key, "\n") {
		if s = strings.TrimSpace(s); len(s) >= 16 && !strings.HasPrefix(s, "-----") && !slices.Contains(au.keys, s) {
			au.keys = append(au.keys, s)
			adapters.Remember(s)
		}
	}
}

// expire drops the access token tok after the API refused it (401), so the next call
// gets a new one; a token got meanwhile by another call is kept.
func (au *auth) expire(tok string) {
	au.mu.Lock()
	defer au.mu.Unlock()
	if au.tok != nil && au.tok.AccessToken == tok {
		au.old = append(au.old[max(0, len(au.old)-3):], tok)
		au.tok = nil
	}
}

// secrets lists what no error may hold: the private key, the access tokens, and tok.
func (au *auth) secrets(tok string) []string {
	au.mu.Lock()
	defer au.mu.Unlock()
	out := append(append([]string{tok}, au.keys...), au.old...)
	if au.tok != nil {
		out = append(out, au.tok.AccessToken)
	}
	return out
}

// signedJWT is a JWT (three base64url parts): the assertion a careless token endpoint
// might repeat. It is a credential for an hour, so it never reaches an error either.
var signedJWT = regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)

// clean is what a token endpoint said, fit for an error.
func (au *auth) clean(s string) string {
	return adapters.ServerText(signedJWT.ReplaceAllString(s, adapters.Redacted), au.keys...)
}

// tokenError classifies a failed token request: Google refusing the key or the account
// (invalid_grant: a deleted or revoked key, a disabled account; invalid_client,
// unauthorized_client) is permanent and says to make a new key; a 429, a 5xx or no
// answer is temporary. Only the endpoint's error code and description are kept.
func (au *auth) tokenError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("googleplay: get an access token: %w", ctx.Err())
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if strings.Contains(err.Error(), "private key") {
			// The key did not parse (x509's error names no byte of it).
			return adapters.Permanent(fmt.Errorf("reconnect: the private_key in %s is not an RSA key in PEM: %s", au.file, au.clean(err.Error())))
		}
		return &adapters.Error{Err: fmt.Errorf("googleplay: get an access token: %s", au.clean(err.Error())), RetryAfter: time.Minute}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(re.Body, &body)
	said := au.clean(cmp(body.Error, re.ErrorCode))
	if d := au.clean(cmp(body.Description, re.ErrorDescription)); d != "" {
		said += ": " + d
	}
	if said == "" {
		said = fmt.Sprintf("HTTP %d", status)
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500 || status == 0:
		wait := time.Minute
		if re.Response != nil {
			wait = max(wait, httpx.RetryAfter(re.Response.Header, time.Now()))
		}
		return &adapters.Error{Err: fmt.Errorf("googleplay: get an access token: %s", said), RetryAfter: wait, Status: status}
	default:
		return &adapters.Error{Err: fmt.Errorf("reconnect: Google refused the service account key in %s (%s); make a new key for the service account and save it there", au.file, said), Permanent: true, Status: status}
	}
}

// expandHome reads a leading "~/" as the home folder.
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
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
