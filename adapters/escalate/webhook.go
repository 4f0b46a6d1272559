package escalate

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// Webhook headers. The signature is "sha256=" and the hex HMAC-SHA256, keyed with the
// configured secret, of the timestamp, a dot and the raw body ("<ts>.<body>"); the
// timestamp is Unix seconds, so a receiver can refuse old replays.
const (
	HeaderSignature   = "X-Triage-Signature"
	HeaderTimestamp   = "X-Triage-Timestamp"
	HeaderIdempotency = "Idempotency-Key"
)

// WebhookPayload is the JSON body a webhook receives.
type WebhookPayload struct {
	Key            string                `json:"key"` // also in Idempotency-Key: the same escalation always carries the same key
	EscalationID   int64                 `json:"escalation_id"`
	ConversationID int64                 `json:"conversation_id"`
	Reason         string                `json:"reason"`
	Priority       string                `json:"priority"` // low, normal, high, urgent
	Note           string                `json:"note"`
	Agent          string                `json:"agent"`
	EscalatedAt    time.Time             `json:"escalated_at"`
	Link           string                `json:"link"`
	Author         *inbox.Author         `json:"author,omitempty"`
	Conversation   inbox.ConversationDoc `json:"conversation"`
}

// Webhook POSTs each escalation, signed, to a URL. Its receiver is asked to dedup by
// Idempotency-Key, so the webhook counts as idempotent: a delivery cut off is retried
// with the same key.
type Webhook struct {
	url    string
	acct   adapters.Account
	client *httpx.Client
	now    func() time.Time
}

var _ Destination = (*Webhook)(nil)

func newWebhook(ctx context.Context, acct adapters.Account) (*Webhook, error) {
	raw, err := acct.Required("url")
	if err != nil {
		return nil, err
	}
	u, err := httpx.BaseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	if err := checkSecret(ctx, acct, "secret"); err != nil {
		return nil, err
	}
	return &Webhook{url: u, acct: acct, client: httpx.NewClient(0), now: time.Now}, nil
}

// String names the destination in sync states and logs.
func (w *Webhook) String() string { return "webhook" }

// Idempotent: the receiver dedups by Idempotency-Key (see WebhookPayload).
func (w *Webhook) Idempotent() bool { return true }

// Sign computes the X-Triage-Signature of a body sent at timestamp ts (Unix seconds).
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Deliver POSTs the escalation. The reference is the "id" of a JSON response (text or
// number), or the key when the receiver sends none.
func (w *Webhook) Deliver(ctx context.Context, out inbox.EscalationOut) (string, error) {
	secret, err := secret(ctx, w.acct, "secret")
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(WebhookPayload{Key: out.Key, EscalationID: out.EscalationID, ConversationID: out.ConversationID,
		Reason: out.Reason, Priority: out.Priority.String(), Note: out.Note, Agent: out.Agent, EscalatedAt: out.EscalatedAt,
		Link: out.Link, Author: out.Doc.Author, Conversation: out.Doc})
	if err != nil {
		return "", adapters.Permanent(fmt.Errorf("encode escalation %d: %w", out.EscalationID, err))
	}
	ts := strconv.FormatInt(w.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return "", adapters.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	req.Header.Set(HeaderIdempotency, out.Key)
	resp, err := w.client.Do(req)
	if err != nil {
		return "", httpx.Wrap("deliver escalation to webhook", err)
	}
	defer resp.Body.Close()
	// The case has arrived: an unreadable answer must not make it be sent again.
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var r struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(data, &r) == nil {
		if ref := rawID(r.ID); ref != "" {
			return ref, nil
		}
	}
	return out.Key, nil
}

// rawID reads a JSON id that is a string or a number.
func rawID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return plain(s, false)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
