package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/triage-inbox/triage/inbox"
)

// HooksPrefix is where providers' own webhooks are served: /v1/hooks/<Hook.Name>.
const HooksPrefix = "/v1/hooks/"

// maxSkippedLogged bounds how many skipped shapes one delivery logs.
const maxSkippedLogged = 20

// Hook is a provider's own webhook (Meta's, say), served at /v1/hooks/<Name> beside
// /v1/messages and sharing its body limits, streaming signature check, failed-signature
// limit, rate limit and writer. The provider signs the raw body with HMAC-SHA256 in
// SignatureHeader as "sha256=<hex>"; Decode turns a verified body into messages.
type Hook struct {
	Name            string // the path segment after /v1/hooks/
	Secret          []byte // the HMAC-SHA256 key; empty matches nothing
	SignatureHeader string // like "X-Hub-Signature-256"
	// Verify answers GET, the provider's subscription handshake: the body to send back
	// with 200, or ok false for 403. Nil: GET is 405.
	Verify func(query url.Values) (answer string, ok bool)
	// Decode turns a verified body into messages and updates, and names the shapes it
	// does not handle (they are logged and acknowledged, never refused, so the provider
	// does not retry them). It may ask the provider for what a delivery names by id alone
	// (ctx ends with the request). An error is a body that is not the provider's JSON at
	// all: 400; or, wrapping ErrTryLater, what could not be read now: 503, nothing
	// stored, so the provider delivers it again.
	Decode func(ctx context.Context, body []byte) (Delivery, error)
	// Apply applies a delivery's updates (news about messages delivered before) after its
	// messages are stored, so an edit delivered with its message finds it. Nil: updates
	// are logged as skipped.
	Apply func(ctx context.Context, us []inbox.Update) (inbox.UpdateCounts, error)
}

// ErrTryLater wraps a Decode error that a later delivery may get past (the provider could
// not be asked for what the delivery names).
var ErrTryLater = errors.New("try again later")

// Delivery is what a Hook's Decode makes of a body.
type Delivery struct {
	Messages []inbox.Message
	Updates  []inbox.Update
	Skipped  []string
}

// hookAccepted is the answer to a stored delivery.
type hookAccepted struct {
	Accepted int `json:"accepted"`
	New      int `json:"new"`
	Present  int `json:"present"`
	Updates  int `json:"updates,omitempty"` // updates of messages delivered before
	Applied  int `json:"applied,omitempty"` // of those, the ones that changed a message
	Kept     int `json:"kept,omitempty"`    // of those, the ones waiting for their message
	Skipped  int `json:"skipped"`
}

// hook serves /v1/hooks/<name>.
func (h *handler) hook(w http.ResponseWriter, r *http.Request, name string) {
	hk, ok := h.hooks[name]
	if !ok {
		writeError(w, http.StatusNotFound, "not found; no webhook is configured at this path")
		return
	}
	switch r.Method {
	case http.MethodPost:
		h.hookPost(w, r, hk)
	case http.MethodGet:
		if hk.Verify == nil {
			w.Header().Set("Allow", "POST")
			writeError(w, http.StatusMethodNotAllowed, "method GET not allowed; use POST")
			return
		}
		h.hookVerify(w, r, hk)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use GET or POST")
	}
}

// hookVerify answers the subscription handshake. Wrong tokens count as failed signatures.
func (h *handler) hookVerify(w http.ResponseWriter, r *http.Request, hk *Hook) {
	answer, ok := hk.Verify(r.URL.Query())
	if !ok {
		w.Header().Set("Connection", "close")
		if ok, wait := h.fails.allow(clientKey(r)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
			writeError(w, http.StatusTooManyRequests, "too many failed verifications; retry later")
			return
		}
		writeError(w, http.StatusForbidden, "verify token does not match")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(answer))
}

// hookPost reads, checks and stores one delivery. It is answered 200 once what it holds
// is committed; shapes Decode does not handle, and messages the inbox would refuse, are
// logged as skipped and acknowledged.
func (h *handler) hookPost(w http.ResponseWriter, r *http.Request, hk *Hook) {
	body, ok := h.signedBody(w, r, func() (signedSum, error) { return hookSum(hk, r.Header.Get(hk.SignatureHeader)) })
	if !ok {
		return
	}
	d, err := hk.Decode(r.Context(), body)
	if errors.Is(err, ErrTryLater) {
		h.opts.Log.Warn("delivery not read", "hook", hk.Name, "err", cut(err.Error()))
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, "part of the delivery could not be read from the provider; nothing was stored, deliver it again later")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, cut(err.Error()))
		return
	}
	skipped := d.Skipped
	valid := d.Messages[:0]
	for _, m := range d.Messages {
		c := m
		c.Normalize()
		if err := c.Validate(); err != nil {
			skipped = append(skipped, fmt.Sprintf("%s message %s: %v", m.Channel, m.ID, err))
			continue
		}
		valid = append(valid, m)
	}
	var updates []inbox.Update
	for _, u := range d.Updates {
		switch err := u.Validate(); {
		case err != nil:
			skipped = append(skipped, fmt.Sprintf("%s update of %s: %v", u.Channel, u.ID, err))
		case hk.Apply == nil:
			skipped = append(skipped, fmt.Sprintf("%s update of %s: not applied here", u.Channel, u.ID))
		default:
			updates = append(updates, u)
		}
	}
	for i, s := range skipped {
		if i == maxSkippedLogged {
			h.opts.Log.Info("skipped", "hook", hk.Name, "more", len(skipped)-i)
			break
		}
		h.opts.Log.Info("skipped", "hook", hk.Name, "shape", cut(s))
	}
	ans := hookAccepted{Accepted: len(valid), Updates: len(updates), Skipped: len(skipped)}
	if h.limit != nil && len(valid)+len(updates) > 0 {
		if ok, wait := h.limit.allowAll(hookAccounts(valid, updates)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
			writeError(w, http.StatusTooManyRequests, "too many requests for this account; retry later")
			return
		}
	}
	if len(valid) > 0 {
		counts, err := h.ing.IngestMessages(r.Context(), valid...)
		if err != nil {
			h.opts.Log.Error("store messages", "hook", hk.Name, "err", err)
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, "the inbox could not store the messages; nothing was stored, retry later")
			return
		}
		ans.New, ans.Present = counts.New, counts.Present
	}
	if len(updates) > 0 {
		// After the messages: the provider delivers again what was not answered 200, and
		// storing messages and applying updates are both idempotent.
		counts, err := hk.Apply(r.Context(), updates)
		if err != nil {
			h.opts.Log.Error("apply updates", "hook", hk.Name, "err", err)
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, "the inbox could not apply the updates; retry later")
			return
		}
		ans.Applied, ans.Kept = counts.Applied, counts.Kept
	}
	writeJSON(w, http.StatusOK, ans)
}

// hookAccounts are the accounts a delivery's messages and updates are for, for the rate
// limit.
func hookAccounts(msgs []inbox.Message, us []inbox.Update) []string {
	out := accounts(msgs)
	for _, u := range us {
		if k := u.Channel + "/" + u.Account; !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// hookSum reads a hook's "sha256=<hex>" signature header, before any of the body is read.
func hookSum(hk *Hook, header string) (signedSum, error) {
	if header == "" {
		return signedSum{}, errors.New("missing " + hk.SignatureHeader + " header")
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return signedSum{}, ErrBadSignature
	}
	want, err := hex.DecodeString(hexSig)
	if err != nil || len(hk.Secret) == 0 || len(want) != sha256.Size {
		return signedSum{}, ErrBadSignature
	}
	return signedSum{want: want, mac: hmac.New(sha256.New, hk.Secret)}, nil
}
