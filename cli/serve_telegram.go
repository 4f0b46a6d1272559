package cli

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/telegram"
	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

// telegramHookPrefix begins the path of a Telegram account's webhook after
// /v1/hooks/: /v1/hooks/telegram/<account name>, one bot per account.
const telegramHookPrefix = "telegram/"

// telegramWebhooks are the webhooks of the telegram [[account]]s with webhook_secret_env
// or webhook_secret_cmd, by account name.
func telegramWebhooks(ctx context.Context, cfg *inbox.Config) (map[string]*telegram.Webhook, error) {
	out := map[string]*telegram.Webhook{}
	for i, t := range cfg.Account {
		a, err := adapters.NewAccount(i, t)
		if err != nil || inbox.NormalizeChannel(a.Channel) != telegram.Channel || !telegram.Webhooked(a) {
			continue // a broken account is sync's to report
		}
		w, err := telegram.NewWebhook(ctx, a)
		if err != nil {
			return nil, err
		}
		out[a.Name] = w
	}
	return out, nil
}

// telegramHook is one bot's webhook at /v1/hooks/telegram/<name>: a body the gate let
// through is an Update, decoded as polling decodes it.
func telegramHook(name string, w *telegram.Webhook, key []byte) webhook.Hook {
	return webhook.Hook{
		Name:            telegramHookPrefix + name,
		Secret:          key,
		SignatureHeader: telegram.WebhookSecretHeader,
		Decode: func(_ context.Context, body []byte) (webhook.Delivery, error) {
			msgs, skipped, err := w.Decode(body)
			return webhook.Delivery{Messages: msgs, Skipped: skipped}, err
		},
	}
}

// telegramGate stands before the handler for Telegram's webhooks, whose requests carry
// the secret token itself (X-Telegram-Bot-Api-Secret-Token) where the hooks expect a
// signature of the body. A POST to a bot's path whose token matches, compared in constant
// time, has its body read (up to maxBody; past it the handler answers 413) and signed
// with key in that header, so the handler checks it like any hook's; any other value of
// the header is replaced by one that matches nothing (401, counted as a failed
// signature), and a missing header stays missing (401). The token is never logged or
// answered.
func telegramGate(next http.Handler, hooks map[string]*telegram.Webhook, key []byte, maxBody int64) http.Handler {
	if len(hooks) == 0 {
		return next
	}
	if maxBody <= 0 {
		maxBody = webhook.DefaultMaxBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get(telegram.WebhookSecretHeader)
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		name, _ := strings.CutPrefix(r.URL.Path, webhook.HooksPrefix+telegramHookPrefix)
		hook := hooks[name]
		if r.ContentLength > maxBody { // refused by the handler before it reads a byte
			hook = nil
		}
		if r.Method != http.MethodPost || hook == nil || !hook.Authentic(token) {
			r.Header.Set(telegram.WebhookSecretHeader, "does-not-match")
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"could not read the body"}`+"\n")
			return
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(body)
		r.Header.Set(telegram.WebhookSecretHeader, "sha256="+hex.EncodeToString(mac.Sum(nil)))
		// Past maxBody the rest follows, and the handler refuses it as too large.
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		next.ServeHTTP(w, r)
	})
}
