package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// WebhookSecretHeader is the header in which Telegram sends, with every update it pushes,
// the secret_token the webhook was set with (setWebhook).
const WebhookSecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Webhook takes one bot's updates as Telegram pushes them to a webhook (setWebhook)
// instead of being polled: the account's webhook_secret_env or webhook_secret_cmd names
// the secret_token Telegram sends them with. It turns an update into the message Fetch
// would make of it, with the same id, so a message that comes both ways is stored once.
// It needs no bot token when the account names its handle.
type Webhook struct {
	a      *Adapter          // the handle and username; no token when handle is set
	secret [sha256.Size]byte // the secret_token's SHA-256, compared in constant time
}

// Webhooked says whether an [[account]] of channel telegram takes its updates by webhook:
// webhook_secret_env or webhook_secret_cmd is set. Such an account is not polled.
func Webhooked(acct adapters.Account) bool {
	env, _ := acct.String("webhook_secret_env", "")
	cmd, _ := acct.String("webhook_secret_cmd", "")
	return env != "" || cmd != ""
}

// secretTokenRE is what Telegram accepts as secret_token: 1 to 256 letters, digits, _ and -.
var secretTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// webhookNameRE is what an account name may hold to be the last segment of its webhook's
// path, as it is written in a URL.
var webhookNameRE = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// NewWebhook builds the webhook of one telegram [[account]]: it reads the secret token
// and the handle; only without a handle does it read the bot token and ask Telegram
// (getMe), as New does.
func NewWebhook(ctx context.Context, acct adapters.Account) (*Webhook, error) {
	if !webhookNameRE.MatchString(acct.Name) {
		return nil, fmt.Errorf("account %q: the name ends the webhook's path (/v1/hooks/telegram/<name>), so it may hold only letters, digits, '-', '_', '.' and '~'", acct.Name)
	}
	secret, err := acct.Secret(ctx, "webhook_secret")
	if err != nil {
		return nil, err
	}
	if !secretTokenRE.MatchString(secret) {
		// The secret is not quoted: it is a secret.
		return nil, fmt.Errorf("account %q: webhook_secret: Telegram takes as secret_token 1 to 256 letters, digits, '_' and '-', nothing else (like the output of `openssl rand -hex 32`)", acct.Name)
	}
	handle, err := acct.String("handle", "")
	if err != nil {
		return nil, err
	}
	a := &Adapter{}
	if handle = strings.TrimPrefix(strings.TrimSpace(handle), "@"); handle != "" {
		a.handle, a.username = "@"+handle, strings.ToLower(handle)
	} else {
		ad, err := New(ctx, acct)
		if err != nil {
			return nil, err
		}
		a = ad.(*Adapter)
	}
	return &Webhook{a: a, secret: sha256.Sum256([]byte(secret))}, nil
}

// Handle is the account as its messages name it: "@" and the bot's username.
func (w *Webhook) Handle() string { return w.a.handle }

// Authentic says whether token, the WebhookSecretHeader of a request, is the secret. The
// comparison takes the same time whatever token is, its length included.
func (w *Webhook) Authentic(token string) bool {
	got := sha256.Sum256([]byte(token))
	return token != "" && subtle.ConstantTimeCompare(got[:], w.secret[:]) == 1
}

// ErrNotUpdate is a webhook body that is not a Bot API Update.
var ErrNotUpdate = errors.New("not a Telegram Bot API Update")

// Decode reads one Update as Telegram pushes it. An update with a message or a business
// message gives that message, as Fetch would (a service message, with nothing to read,
// gives nothing); an update of another kind (an edit, a callback query, a member's
// status) is skipped and named, so it is acknowledged and not delivered again. A body
// that is not a JSON object with a positive update_id is an error wrapping ErrNotUpdate.
func (w *Webhook) Decode(body []byte) (msgs []inbox.Message, skipped []string, err error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, nil, fmt.Errorf("telegram: %w: the body is not a JSON object", ErrNotUpdate)
	}
	var u update
	if err := json.Unmarshal(body, &u); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, nil, fmt.Errorf("telegram: %w: field %q is not a %s", ErrNotUpdate, te.Field, te.Type)
		}
		return nil, nil, fmt.Errorf("telegram: %w: %v", ErrNotUpdate, err)
	}
	if u.UpdateID <= 0 {
		return nil, nil, fmt.Errorf("telegram: %w: update_id is missing or not a positive number", ErrNotUpdate)
	}
	m := u.Message
	if m == nil {
		m = u.BusinessMessage
	}
	if m == nil {
		var kinds []string
		for k := range fields {
			if k != "update_id" {
				kinds = append(kinds, k)
			}
		}
		slices.Sort(kinds)
		return nil, []string{fmt.Sprintf("telegram update %d: %s (triage takes message and business_message)", u.UpdateID, strings.Join(kinds, ", "))}, nil
	}
	if msg, ok := w.a.message(m); ok {
		msgs = append(msgs, msg)
	}
	return msgs, nil, nil
}
