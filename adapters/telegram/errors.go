package telegram

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Errors a person should read in plain words, each wrapped in an *adapters.Error that
// says whether to retry; errors.Is finds them.
var (
	// ErrTokenRevoked: 401 Unauthorized, the token was revoked or never right.
	ErrTokenRevoked = errors.New("reconnect: the bot token was revoked or is wrong; get the current one from @BotFather (/token) and set it where token_env or token_cmd reads it")
	// ErrBlocked: 403 "bot was blocked by the user".
	ErrBlocked = errors.New("the person blocked the bot: Telegram delivers nothing to them until they unblock it")
	// ErrWebhookSet: 409 "can't use getUpdates method while webhook is active".
	ErrWebhookSet = errors.New("a webhook is set for this bot, so Telegram refuses getUpdates; triage polls: delete the webhook with deleteWebhook, or take the updates through triage serve (set webhook_secret_env on the account)")
	// ErrReplyGone: 400 "message to reply not found".
	ErrReplyGone = errors.New("the message answered is gone from Telegram (deleted); the reply was not sent: write to the person anew or mark the conversation done")
)

// APIError is an answer of the Bot API with ok false: its error_code and description.
type APIError struct {
	Method      string // "sendMessage"
	Code        int    // error_code: 400, 401, 403, 409, 429, …
	Description string // what Telegram said, without the token, cut short
	RetryAfter  int    // parameters.retry_after, in seconds
	MigrateTo   int64  // parameters.migrate_to_chat_id: the group became this supergroup
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram %s: %d", e.Method, e.Code)
	if e.Description != "" {
		s += " " + e.Description
	} else if t := http.StatusText(e.Code); t != "" {
		s += " " + t
	}
	return s
}

// apiError classifies a Bot API error. Telegram gives its rate limit in the body
// (parameters.retry_after), not in a header; Retry-After is read too, should a proxy
// in front of a local Bot API server send one. 429 and 5xx are Temporary; a 5xx
// MaybeSent (the message may have been sent before the failure); 409 "terminated by
// other getUpdates request" is Temporary (another poller of the same bot); every other
// code is Permanent, the ones people meet explained.
func (a *Adapter) apiError(method string, resp *http.Response, r response) error {
	ae := &APIError{Method: method, Code: r.ErrorCode, Description: adapters.ServerText(r.Description, a.token)}
	if r.Parameters != nil {
		ae.RetryAfter, ae.MigrateTo = r.Parameters.RetryAfter, r.Parameters.MigrateToChatID
	}
	e := &adapters.Error{Err: ae, Status: resp.StatusCode}
	desc := strings.ToLower(r.Description)
	switch c := r.ErrorCode; {
	case c == http.StatusTooManyRequests:
		e.RetryAfter = time.Duration(ae.RetryAfter) * time.Second
		if e.RetryAfter <= 0 {
			e.RetryAfter = httpx.RetryAfter(resp.Header, time.Now())
		}
	case c >= 500:
		e.RetryAfter = httpx.RetryAfter(resp.Header, time.Now())
		e.MaybeSent = c != http.StatusServiceUnavailable
	case c == http.StatusConflict && strings.Contains(desc, "webhook"):
		e.Permanent, e.Err = true, fmt.Errorf("%w (%v)", ErrWebhookSet, ae)
	case c == http.StatusConflict:
		// Another program polls the same bot ("terminated by other getUpdates request"):
		// Telegram serves one poller at a time.
		e.RetryAfter = time.Minute
		e.Err = fmt.Errorf("another program is polling this bot; Telegram serves one at a time, so stop the other or give it its own bot (%w)", ae)
	case c == http.StatusUnauthorized:
		e.Permanent, e.Err = true, fmt.Errorf("%w (%v)", ErrTokenRevoked, ae)
	case c == http.StatusNotFound:
		e.Permanent, e.Err = true, fmt.Errorf("reconnect: Telegram does not know this bot token (malformed, or api_url is not a Bot API server) (%w)", ae)
	case c == http.StatusForbidden && strings.Contains(desc, "blocked by the user"):
		e.Permanent, e.Err = true, fmt.Errorf("%w (%v)", ErrBlocked, ae)
	case c == http.StatusForbidden && (strings.Contains(desc, "kicked") || strings.Contains(desc, "not a member")):
		e.Permanent, e.Err = true, fmt.Errorf("the bot is no longer in that chat: add it back to answer there (%w)", ae)
	case c == http.StatusBadRequest && strings.Contains(desc, "message to reply not found"):
		e.Permanent, e.Err = true, fmt.Errorf("%w (%v)", ErrReplyGone, ae)
	case ae.MigrateTo != 0:
		e.Permanent, e.Err = true, fmt.Errorf("the group became a supergroup (chat %d): new messages arrive from there, answer those (%w)", ae.MigrateTo, ae)
	default:
		e.Permanent = true
	}
	return e
}
