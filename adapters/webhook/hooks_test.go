package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

var hookSecret = []byte("provider-secret-for-tests")

// hookBody stands for a provider's delivery; hookDecode reads it as one message and an
// edit of that message, in the same delivery.
const hookBody = `{"edit":"Where is my parcel?"}`

func hookDecode(_ context.Context, body []byte) (webhook.Delivery, error) {
	text := "Where is my parcel?"
	return webhook.Delivery{
		Messages: []inbox.Message{{Channel: "instagram", Account: "1784", ID: "c1", Conversation: "media:1", Kind: inbox.KindComment,
			Author: &inbox.Author{ID: "900"}, Text: "Where is my order?", CreatedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}},
		Updates: []inbox.Update{{Channel: "instagram", Account: "1784", ID: "c1", At: time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC), Text: &text}},
	}, nil
}

func hookPost(h http.Handler, body string) *httptest.ResponseRecorder {
	mac := hmac.New(sha256.New, hookSecret)
	mac.Write([]byte(body))
	req := httptest.NewRequest(http.MethodPost, "/v1/hooks/test", strings.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func testHook(apply func(context.Context, []inbox.Update) (inbox.UpdateCounts, error)) webhook.Hook {
	return webhook.Hook{Name: "test", Secret: hookSecret, SignatureHeader: "X-Hub-Signature-256", Decode: hookDecode, Apply: apply}
}

// A delivery's updates are applied after its messages, so an edit delivered with its
// message finds it; the answer says what each did.
func TestHookAppliesUpdatesAfterMessages(t *testing.T) {
	svc := newInbox(t)
	h := webhook.Handler(svc, secret, webhook.HandlerOptions{Hooks: []webhook.Hook{testHook(svc.ApplyUpdates)}})
	if rec := hookPost(h, hookBody); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"new":1,"present":0,"updates":1,"applied":1`) {
		t.Fatalf("first delivery = %d %s, want the message new and the edit applied", rec.Code, rec.Body)
	}
	if rec := hookPost(h, hookBody); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"present":1,"updates":1,"skipped"`) {
		t.Errorf("repeated delivery = %d %s, want the message present and nothing applied", rec.Code, rec.Body)
	}
	id, err := svc.ConversationID(context.Background(), "instagram", "1784", "media:1")
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.Thread(context.Background(), id, 10)
	if err != nil || len(th.Messages) != 1 || th.Messages[0].Text != "Where is my parcel?" || th.Messages[0].Original != "Where is my order?" {
		t.Errorf("thread = %+v, %v; want the edited text and the original kept", th.Messages, err)
	}
}

// An inbox that cannot apply the updates is answered 503 with Retry-After, so the
// provider delivers again; a hook with no Apply logs the updates as skipped.
func TestHookUpdatesFailOrAreSkipped(t *testing.T) {
	svc := newInbox(t)
	broken := func(context.Context, []inbox.Update) (inbox.UpdateCounts, error) {
		return inbox.UpdateCounts{}, errors.New("database is locked")
	}
	h := webhook.Handler(svc, secret, webhook.HandlerOptions{Hooks: []webhook.Hook{testHook(broken)}})
	if rec := hookPost(h, hookBody); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		strings.Contains(rec.Body.String(), "locked") {
		t.Errorf("apply failing = %d %s (Retry-After %q), want 503 with Retry-After and no internals", rec.Code, rec.Body, rec.Header().Get("Retry-After"))
	}
	h = webhook.Handler(svc, secret, webhook.HandlerOptions{Hooks: []webhook.Hook{testHook(nil)}})
	if rec := hookPost(h, hookBody); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"skipped":1`) {
		t.Errorf("no Apply = %d %s, want 200 with the update skipped", rec.Code, rec.Body)
	}
}

// A delivery whose parts could not be read from the provider now (ErrTryLater) is
// answered 503 with Retry-After and stores nothing, so the provider delivers it again.
func TestHookTryLater(t *testing.T) {
	svc := newInbox(t)
	hk := testHook(nil)
	hk.Decode = func(ctx context.Context, body []byte) (webhook.Delivery, error) {
		d, _ := hookDecode(ctx, body)
		return d, fmt.Errorf("read the mention: Graph is down: %w", webhook.ErrTryLater)
	}
	rec := hookPost(webhook.Handler(svc, secret, webhook.HandlerOptions{Hooks: []webhook.Hook{hk}}), hookBody)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("answer %d %q, want 503 with Retry-After", rec.Code, rec.Body.String())
	}
	if n := len(stored(t, svc)); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}
