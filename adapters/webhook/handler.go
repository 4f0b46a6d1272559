package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// Ingester stores messages in one transaction, all or none, counting what was new.
// *inbox.Service satisfies it.
type Ingester interface {
	IngestMessages(ctx context.Context, msgs ...inbox.Message) (inbox.IngestCounts, error)
}

var _ Ingester = (*inbox.Service)(nil)

// Defaults of HandlerOptions.
const (
	DefaultMaxBody     = 1 << 20 // 1 MiB
	DefaultMaxInflight = 16      // bodies past SmallBody being read at once
	DefaultFailRate    = 1       // failed signatures per second per client IP, after FailBurst
	DefaultFailBurst   = 20
	DefaultSlotWait    = 5 * time.Second
)

// SmallBody is how much of a body a request may read without one of the MaxInflight
// slots: a signed message, or an array of a hundred, fits, so the slots only ever hold
// back large bodies, and slow large uploads cannot starve ordinary senders.
const SmallBody = 64 << 10

// maxErrorText bounds an error message sent back: a field's message may quote its value.
const maxErrorText = 300

// HandlerOptions tune Handler. The zero value gives the defaults.
type HandlerOptions struct {
	MaxBody          int64 // largest accepted body in bytes; DefaultMaxBody when not positive
	MaxInflight      int   // bodies larger than SmallBody read at once; DefaultMaxInflight when not positive
	RequireTimestamp bool  // refuse requests without X-Triage-Timestamp
	// Rate and Burst limit correctly signed requests per account (the messages'
	// "account"): Rate requests a second, Burst at once (twice Rate when not positive).
	// Not positive: no limit, the default.
	Rate  float64
	Burst int
	// FailRate and FailBurst limit failed signatures per client IP; past them a failure
	// is answered 429 instead of 401. They never count correctly signed requests.
	FailRate  float64
	FailBurst int
	SlotWait  time.Duration // how long a large body waits for a slot before 503; DefaultSlotWait
	Log       *slog.Logger
	Now       func() time.Time // the clock, for timestamps and the rate limits; time.Now when nil
	// Hooks are providers' own webhooks, each at /v1/hooks/<Name> (see Hook).
	Hooks []Hook
}

// Handler serves the webhook's inbound side:
//
//   - POST /v1/messages: a signed body of one message or an array of messages in the
//     import format, stored in one transaction; 202 {"accepted", "new", "present"} once
//     committed. 400 names the index and field of the first invalid message, 401 is a bad
//     or missing signature, 413 a body over MaxBody, 429 a client over its rate (with
//     Retry-After), 503 (with Retry-After) an inbox too busy to store it in time; nothing
//     is stored unless the answer is 202.
//   - GET /healthz: 200.
//   - /v1/hooks/<name>: each of opts.Hooks, a provider's own webhook (see Hook): GET its
//     subscription handshake, POST its signed deliveries, answered 200 once stored.
//
// The signature is checked while the body streams in; a request without one is refused
// before its body is read. Anything else is 404 or 405. Every answer is JSON; errors are
// {"error": "..."}. Each request is logged with method, path, status and duration — never
// its body or headers. An empty secret matches no signature, so such a handler accepts
// nothing. ing may be a *GroupCommit, to share commits between concurrent requests.
func Handler(ing Ingester, secret []byte, opts HandlerOptions) http.Handler {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxInflight <= 0 {
		opts.MaxInflight = DefaultMaxInflight
	}
	if opts.Rate > 0 && opts.Burst <= 0 {
		opts.Burst = max(1, int(2*opts.Rate))
	}
	if opts.FailRate <= 0 {
		opts.FailRate = DefaultFailRate
	}
	if opts.FailBurst <= 0 {
		opts.FailBurst = DefaultFailBurst
	}
	if opts.SlotWait <= 0 {
		opts.SlotWait = DefaultSlotWait
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	h := &handler{ing: ing, secret: bytes.Clone(secret), opts: opts,
		fails: newLimiter(opts.FailRate, opts.FailBurst, opts.Now),
		slots: make(chan struct{}, opts.MaxInflight), hooks: map[string]*Hook{}}
	for i := range opts.Hooks {
		hk := opts.Hooks[i]
		hk.Secret = bytes.Clone(hk.Secret)
		h.hooks[hk.Name] = &hk
	}
	if opts.Rate > 0 {
		h.limit = newLimiter(opts.Rate, opts.Burst, opts.Now)
	}
	return h
}

type handler struct {
	ing    Ingester
	secret []byte
	opts   HandlerOptions
	limit  *limiter      // signed requests per account; nil: no limit
	fails  *limiter      // failed signatures per client IP
	slots  chan struct{} // one per large body being read
	hooks  map[string]*Hook
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w}
	h.route(rec, r)
	h.opts.Log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
		"duration", time.Since(start).Round(time.Microsecond), "client", clientKey(r))
}

func (h *handler) route(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use GET")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "/v1/messages":
		if len(h.secret) == 0 {
			// Serve runs for providers' hooks alone: no key, no route.
			writeError(w, http.StatusNotFound, "not found; /v1/messages needs [serve] secret_env in triage's config")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use POST")
			return
		}
		h.messages(w, r)
	default:
		if name, ok := strings.CutPrefix(r.URL.Path, HooksPrefix); ok {
			h.hook(w, r, name)
			return
		}
		writeError(w, http.StatusNotFound, "not found; POST messages to /v1/messages")
	}
}

// signedBody reads a POST's body while checking the signature that check prepares, and
// answers the refusal itself (413, 401 counted as a failed signature, 503 with
// Retry-After) when it cannot give the body: ok is false then. Every signed route, ours
// and the providers' hooks, goes through it.
func (h *handler) signedBody(w http.ResponseWriter, r *http.Request, check func() (signedSum, error)) (body []byte, ok bool) {
	if r.ContentLength > h.opts.MaxBody {
		h.refuse(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", h.opts.MaxBody))
		return nil, false
	}
	sum, err := check()
	if err != nil {
		h.failed(w, r, err)
		return nil, false
	}
	body, status, msg := h.read(w, r, sum)
	if status != 0 {
		if status == http.StatusUnauthorized {
			h.failed(w, r, ErrBadSignature)
			return nil, false
		}
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(h.opts.SlotWait)))
		}
		h.refuse(w, status, msg)
		return nil, false
	}
	return body, true
}

// messages reads, checks and stores one POST /v1/messages.
func (h *handler) messages(w http.ResponseWriter, r *http.Request) {
	body, ok := h.signedBody(w, r, func() (signedSum, error) {
		return h.check(r.Header.Get(SignatureHeader), r.Header.Get(TimestampHeader))
	})
	if !ok {
		return
	}
	msgs, derr := decode(body)
	if derr != nil {
		writeJSON(w, http.StatusBadRequest, derr)
		return
	}
	if h.limit != nil {
		if ok, wait := h.limit.allowAll(accounts(msgs)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
			writeError(w, http.StatusTooManyRequests, "too many requests for this account; retry later")
			return
		}
	}
	counts, err := h.ing.IngestMessages(r.Context(), msgs...)
	if err != nil {
		h.opts.Log.Error("store messages", "err", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "the inbox could not store the messages; nothing was stored, retry later")
		return
	}
	writeJSON(w, http.StatusAccepted, accepted{Accepted: len(msgs), New: counts.New, Present: counts.Present})
}

// failed answers a failed signature: 401, or 429 once the client has failed too often.
// The connection is closed, so a flood costs a handshake per try.
func (h *handler) failed(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Connection", "close")
	if ok, wait := h.fails.allow(clientKey(r)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
		writeError(w, http.StatusTooManyRequests, "too many failed signatures; retry later")
		return
	}
	writeError(w, http.StatusUnauthorized, err.Error())
}

// refuse answers an error after which the rest of the body is not read: the connection
// is closed.
func (h *handler) refuse(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Connection", "close")
	writeError(w, status, msg)
}

// accepted is the answer to a stored POST.
type accepted struct {
	Accepted int `json:"accepted"`
	New      int `json:"new"`
	Present  int `json:"present"`
}

// decodeError is the answer to an invalid body: which message, which field, and why.
type decodeError struct {
	Error string `json:"error"`
	Index *int   `json:"index,omitempty"` // the message's place in the array; 0 for a lone object
	Field string `json:"field,omitempty"`
}

// decode reads a body of one message object or an array of them, each checked by
// inbox.DecodeMessage; it stops at the first invalid one.
func decode(body []byte) ([]inbox.Message, *decodeError) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	var raws []json.RawMessage
	switch {
	case len(trimmed) == 0:
		return nil, &decodeError{Error: "empty body: want a JSON message object or an array of them"}
	case trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, &decodeError{Error: cut("bad JSON: " + err.Error())}
		}
	case trimmed[0] == '{':
		raws = []json.RawMessage{trimmed}
	default:
		return nil, &decodeError{Error: "bad JSON: want a message object or an array of them"}
	}
	msgs := make([]inbox.Message, 0, len(raws))
	for i, raw := range raws {
		m, err := inbox.DecodeMessage(raw)
		if err != nil {
			de := &decodeError{Error: cut(fmt.Sprintf("message %d: %v", i, err)), Index: &i}
			var fe *inbox.FieldError
			if errors.As(err, &fe) {
				de.Field = fe.Field
			}
			return nil, de
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// cut bounds an error message to maxErrorText bytes on a character boundary.
func cut(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	i := maxErrorText
	for i > 0 && s[i]&0xc0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON answers with v as JSON. encoding/json escapes <, > and &, and every string,
// so text from the request never reaches the client raw.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// underlying is the server's own writer, which http.MaxBytesReader needs to close the
// connection after an oversized body instead of reading the rest of it.
func underlying(w http.ResponseWriter) http.ResponseWriter {
	if s, ok := w.(*statusWriter); ok {
		return s.ResponseWriter
	}
	return w
}
