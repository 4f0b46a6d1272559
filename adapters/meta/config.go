package meta

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// DefaultVersion is the Graph API version asked for unless graph_version says otherwise.
const DefaultVersion = "v24.0"

// kind is what one channel's [[account]] needs: the key naming its Graph object, and the
// Graph host when graph_url is not set.
type kind struct {
	idKey, example, defaultURL string
}

var kinds = map[string]kind{
	// Instagram API with Instagram Login; with Facebook Login, graph_url is graph.facebook.com.
	"instagram": {"ig_user_id", "17841400000000001", "https://graph.instagram.com"},
	"facebook":  {"page_id", "100000000000002", "https://graph.facebook.com"},
	"whatsapp":  {"phone_number_id", "106540352242922", "https://graph.facebook.com"},
}

// Config is one Instagram, Facebook or WhatsApp [[account]]:
//
//	[[account]]
//	name          = "instagram"
//	channel       = "instagram"
//	ig_user_id    = "17841400000000001"          # facebook: page_id; whatsapp: phone_number_id
//	token_env     = "IG_TOKEN"                   # or token_cmd = "pass show acme/instagram"
//	graph_url     = "https://graph.instagram.com" # Instagram Login; graph.facebook.com for Facebook Login
//	graph_version = "v24.0"                       # optional
//	timeout       = "30s"                         # optional
type Config struct {
	Account  string // the account's name
	Channel  string // "instagram", "facebook" or "whatsapp"
	ID       string // the Instagram user, Page or WhatsApp phone number the account is
	IDKey    string // which key ID came from: ig_user_id, page_id, phone_number_id
	GraphURL string // without a trailing slash
	Version  string
	Timeout  time.Duration
	acct     adapters.Account
}

var (
	graphID      = regexp.MustCompile(`^[0-9]{1,32}$`)
	graphVersion = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)
)

// IsChannel says whether a channel name is one of the Graph kinds.
func IsChannel(channel string) bool { _, ok := kinds[channel]; return ok }

// ParseAccount reads an [[account]] of channel instagram, facebook or whatsapp. Errors name
// the account and the key that is missing or malformed. The token is not read here.
func ParseAccount(acct adapters.Account) (Config, error) {
	k, ok := kinds[acct.Channel]
	if !ok {
		return Config{}, fmt.Errorf("account %q: channel %q is not a Meta channel (instagram, facebook, whatsapp)", acct.Name, acct.Channel)
	}
	c := Config{Account: acct.Name, Channel: acct.Channel, IDKey: k.idKey, acct: acct}
	id, err := graphIDKey(acct, k)
	if err != nil {
		return Config{}, err
	}
	c.ID = id
	raw, err := acct.String("graph_url", k.defaultURL)
	if err != nil {
		return Config{}, err
	}
	if c.GraphURL, err = httpx.BaseURL(raw); err != nil {
		return Config{}, fmt.Errorf("account %q: graph_url: %w", acct.Name, err)
	}
	if c.Version, err = acct.String("graph_version", DefaultVersion); err != nil {
		return Config{}, err
	}
	if !graphVersion.MatchString(c.Version) {
		return Config{}, fmt.Errorf("account %q: graph_version: %q is not a Graph API version like %s", acct.Name, c.Version, DefaultVersion)
	}
	d, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return Config{}, err
	}
	c.Timeout = d
	if _, err := acct.String("token_env", ""); err != nil {
		return Config{}, err
	}
	if _, err := acct.String("token_cmd", ""); err != nil {
		return Config{}, err
	}
	return c, nil
}

// graphIDKey reads the kind's ID key: text of digits, or a TOML integer.
func graphIDKey(acct adapters.Account, k kind) (string, error) {
	var id string
	switch v := acct.Keys[k.idKey].(type) {
	case nil:
		return "", fmt.Errorf("account %q: %s is required for channel %s (like %s = %q)", acct.Name, k.idKey, acct.Channel, k.idKey, k.example)
	case string:
		id = v
	case int64:
		id = idText(v)
	default:
		return "", fmt.Errorf("account %q: %s: want the ID as text, like %s = %q", acct.Name, k.idKey, k.idKey, k.example)
	}
	if !graphID.MatchString(id) {
		return "", fmt.Errorf("account %q: %s: %q is not a Graph ID (digits, like %q)", acct.Name, k.idKey, id, k.example)
	}
	return id, nil
}

// Client returns the Graph client for the account. It reads the token now, from token_env
// or token_cmd (see adapters.Account.Secret), so a missing one is an error at start, and
// again when Graph refuses it as expired (see Client.Renew).
func (c Config) Client(ctx context.Context) (*Client, error) {
	t := &token{read: func(ctx context.Context) (string, error) { return c.acct.Secret(ctx, "token") }}
	if _, err := t.renew(ctx); err != nil {
		return nil, err
	}
	return &Client{
		BaseURL: c.GraphURL,
		Version: c.Version,
		Account: c.Account,
		Token:   t.get,
		Renew:   t.renew,
		HTTP:    &http.Client{Timeout: c.Timeout},
	}, nil
}

// token is the account's token as last read, shared by its requests.
type token struct {
	read func(context.Context) (string, error)
	mu   sync.Mutex
	tok  string
}

func (t *token) get(context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tok, nil
}

// renew reads the token again (token_cmd runs again) and keeps it.
func (t *token) renew(ctx context.Context) (string, error) {
	tok, err := t.read(ctx)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tok = tok
	return tok, nil
}
