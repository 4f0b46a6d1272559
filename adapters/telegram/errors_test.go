package telegram_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/telegram"
	"github.com/triage-inbox/triage/inbox"
)

// Bot API errors as Telegram sends them become errors the engine reads: 429 waits
// parameters.retry_after (the body, not a header); 401 is permanent and says reconnect;
// 409 with a webhook set says how to get polling back; 409 from another poller and 5xx
// are temporary.
func TestFetchErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		status    int
		body      string
		permanent bool
		retry     time.Duration
		is        error
		says      string
	}{
		{"rate limited", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 17","parameters":{"retry_after":17}}`,
			false, 17 * time.Second, nil, "Too Many Requests"},
		{"token revoked", 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, true, 0, telegram.ErrTokenRevoked, "reconnect"},
		{"webhook set", 409, `{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}`,
			true, 0, telegram.ErrWebhookSet, "deleteWebhook"},
		{"another poller", 409, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`,
			false, time.Minute, nil, "another program is polling this bot"},
		{"server error", 502, `<html><body>502 Bad Gateway</body></html>`, false, 0, nil, "502"},
		{"kicked", 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the supergroup chat"}`, true, 0, nil, "no longer in that chat"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			a := newAdapter(t, f, nil)
			f.fail(failure{method: "getUpdates", status: c.status, body: c.body})
			_, err := a.Fetch(context.Background(), "800000001")
			var ae *adapters.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err %v, want an *adapters.Error", err)
			}
			if ae.Permanent != c.permanent || ae.RetryAfter != c.retry || (c.is != nil && !errors.Is(err, c.is)) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("err %q %+v; want permanent %v, retry after %s, saying %q", err, ae, c.permanent, c.retry, c.says)
			}
		})
	}
}

// A webhook set on the fake itself: the same error, from Telegram's own answer.
func TestFetchWebhookSet(t *testing.T) {
	f := newFake(t)
	f.webhook = true
	_, err := newAdapter(t, f, nil).Fetch(context.Background(), "")
	if !errors.Is(err, telegram.ErrWebhookSet) || !strings.Contains(err.Error(), "delete the webhook with deleteWebhook") {
		t.Errorf("err %v", err)
	}
}

// The token sits in every URL: no error holds it, in any form, whether Telegram echoes
// the URL in a 401, the token has the wrong shape (404), the server is gone, a proxy
// answers with a page, or an answer is lost mid-send.
func TestTokenNeverInErrors(t *testing.T) {
	forms := []string{token, "AAH-SECRET_tokenPart0123456789abcdef", url.PathEscape(token), url.QueryEscape(token)}
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, s := range forms {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: the token is in %q", what, err)
			}
		}
		// Unwrapped all the way down, nothing holds it either.
		for e := err; e != nil; e = errors.Unwrap(e) {
			for _, s := range forms {
				if strings.Contains(e.Error(), s) {
					t.Errorf("%s: the token is in a wrapped error %q", what, e)
				}
			}
		}
	}
	ctx := context.Background()
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.say("message", privateChat(alice), alice, "hello", nil)

	f.fail(failure{method: "getUpdates", status: 401, body: `{"ok":false,"error_code":401,"description":"Unauthorized: no bot at {url}"}`})
	_, err := a.Fetch(ctx, "")
	check(t, "401 echoing the URL", err)
	if !strings.Contains(err.Error(), "Unauthorized: no bot at") || !strings.Contains(err.Error(), adapters.Redacted) {
		t.Errorf("401: %q, want Telegram's words with the token redacted", err)
	}

	f.fail(failure{method: "sendMessage", status: 400, body: `{"ok":false,"error_code":400,"description":"Bad Request: {url}"}`})
	_, err = a.Send(ctx, inbox.Outgoing{Conversation: "dm:111", InReplyTo: "111:1", Text: "hi"})
	check(t, "400 echoing the URL", err)

	f.fail(failure{method: "getUpdates", status: 502, body: `<html>bad gateway for {url}</html>`})
	_, err = a.Fetch(ctx, "")
	check(t, "a proxy's page", err)

	f.drop = 1
	_, err = a.Send(ctx, inbox.Outgoing{Conversation: "dm:111", InReplyTo: "111:1", Text: "hi"})
	check(t, "an answer lost", err)

	t.Setenv("TEST_TELEGRAM_TOKEN_BAD", "not-a-token-at-all")
	bad := newAdapter(t, f, map[string]any{"token_env": "TEST_TELEGRAM_TOKEN_BAD"})
	_, err = bad.Fetch(ctx, "")
	if !strings.Contains(fmtErr(err), "reconnect") || strings.Contains(fmtErr(err), "not-a-token-at-all") {
		t.Errorf("a malformed token: %v", err)
	}

	url := f.srv.URL
	f.srv.Close()
	gone := newAdapter(t, &fake{srv: f.srv}, map[string]any{"api_url": url})
	_, err = gone.Fetch(ctx, "")
	check(t, "server gone", err)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent || ae.MaybeSent {
		t.Errorf("server gone: %v %+v, want temporary, never connected", err, ae)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
