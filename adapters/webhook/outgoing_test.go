package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

var reply = inbox.Outgoing{
	OutboxID: 7, Key: "triage-7-abc", Channel: "webhook", Account: "shop-form", Conversation: "dm:ana@example.test",
	Kind: inbox.KindDM, Text: "Hi Ana, it ships today!", InReplyTo: "f-1",
	To: &inbox.Author{ID: "ana@example.test", Handle: "ana", Name: "Ana <b>Ruiz</b>"},
}

// newOutgoing builds the adapter for an account posting to url.
func newOutgoing(t *testing.T, url string) adapters.Adapter {
	t.Helper()
	t.Setenv("TRIAGE_TEST_RELAY_SECRET", string(secret))
	a, err := webhook.NewOutgoing(context.Background(), adapters.Account{Name: "shop-form", Channel: "webhook",
		Keys: map[string]any{"url": url, "secret_env": "TRIAGE_TEST_RELAY_SECRET"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSendSignsAndReturnsRemoteID(t *testing.T) {
	var got webhook.Payload
	var sigErr error
	var headers http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		headers = r.Header.Clone()
		ts := r.Header.Get(webhook.TimestampHeader)
		if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Minute {
			sigErr = errors.New("timestamp " + ts + " is not now")
		} else if r.Header.Get(webhook.SignatureHeader) != webhook.Signature(secret, ts, body) {
			sigErr = errors.New("signature does not cover <ts>.<body>")
		}
		if err := json.Unmarshal(body, &got); err != nil {
			sigErr = err
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"relay-991","ok":true}`)
	}))
	defer srv.Close()
	a := newOutgoing(t, srv.URL+"/replies?token=x")
	if c := a.Capabilities(); !c.Reply || !c.Idempotent || c.DM {
		t.Errorf("capabilities = %+v", c)
	}
	id, err := a.Send(context.Background(), reply)
	if err != nil || id != "relay-991" {
		t.Fatalf("Send = %q, %v; want relay-991", id, err)
	}
	if sigErr != nil {
		t.Error(sigErr)
	}
	if headers.Get("Idempotency-Key") != reply.Key || !strings.HasPrefix(headers.Get("Content-Type"), "application/json") {
		t.Errorf("headers = %v", headers)
	}
	want := webhook.Payload{Key: reply.Key, Channel: "webhook", Account: "shop-form", Conversation: reply.Conversation,
		InReplyTo: "f-1", Kind: "dm", Text: reply.Text, To: webhook.Recipient{ID: "ana@example.test", Handle: "ana", Name: "Ana <b>Ruiz</b>"}}
	if got != want {
		t.Errorf("payload = %+v\nwant      %+v", got, want)
	}
}

func TestSendWithoutIDReturnsKey(t *testing.T) {
	for _, body := range []string{"", "ok", `{"id":""}`, `{"id":42}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
		want := reply.Key
		if body == `{"id":42}` {
			want = "42"
		}
		id, err := newOutgoing(t, srv.URL).Send(context.Background(), reply)
		srv.Close()
		if err != nil || id != want {
			t.Errorf("answer %q: Send = %q, %v; want %q", body, id, err, want)
		}
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		permanent  bool
		wait       time.Duration
	}{
		{500, "", false, 0},
		{503, "30", false, 30 * time.Second},
		{429, "120", false, 2 * time.Minute},
		{401, "", true, 0},
		{403, "", true, 0},
		{404, "", true, 0},
		{422, "", true, 0},
		{302, "", true, 0}, // a redirect is not followed
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.retryAfter != "" {
				w.Header().Set("Retry-After", tt.retryAfter)
			}
			if tt.status == 302 {
				w.Header().Set("Location", "/elsewhere")
			}
			w.WriteHeader(tt.status)
			io.WriteString(w, `{"error":"nope"}`)
		}))
		_, err := newOutgoing(t, srv.URL+"/hook?token=hush").Send(context.Background(), reply)
		srv.Close()
		var ae *adapters.Error
		if !errors.As(err, &ae) {
			t.Errorf("%d: error %v is not an adapters.Error", tt.status, err)
			continue
		}
		if ae.Permanent != tt.permanent || ae.RetryAfter != tt.wait || ae.Status != tt.status {
			t.Errorf("%d: Permanent %v RetryAfter %v Status %d; want %v %v", tt.status, ae.Permanent, ae.RetryAfter, ae.Status, tt.permanent, tt.wait)
		}
		if strings.Contains(err.Error(), "hush") {
			t.Errorf("%d: error shows the URL's query: %v", tt.status, err)
		}
	}
}

func TestSendNetworkErrorIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	_, err := newOutgoing(t, url).Send(context.Background(), reply)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent {
		t.Errorf("error %v: want a temporary adapters.Error", err)
	}
}

func TestFetchBringsNothing(t *testing.T) {
	b, err := newOutgoing(t, "https://relay.example/replies").Fetch(context.Background(), "cur-1")
	if err != nil || len(b.Messages) != 0 || b.Cursor != "cur-1" || b.More {
		t.Errorf("Fetch = %+v, %v", b, err)
	}
}

func TestNewOutgoingChecksConfig(t *testing.T) {
	t.Setenv("TRIAGE_TEST_RELAY_SECRET", "x")
	tests := []struct {
		name string
		keys map[string]any
		want string
	}{
		{"no url", map[string]any{"secret_env": "TRIAGE_TEST_RELAY_SECRET"}, "url is required"},
		{"plain http", map[string]any{"url": "http://relay.example/r", "secret_env": "TRIAGE_TEST_RELAY_SECRET"}, "use https"},
		{"user in url", map[string]any{"url": "https://u:p@relay.example/r", "secret_env": "TRIAGE_TEST_RELAY_SECRET"}, "no user:password"},
		{"no secret", map[string]any{"url": "https://relay.example/r"}, "set secret_env or secret_cmd"},
		{"unset secret", map[string]any{"url": "https://relay.example/r", "secret_env": "TRIAGE_TEST_UNSET_SECRET"}, "is not set"},
	}
	for _, tt := range tests {
		_, err := webhook.NewOutgoing(context.Background(), adapters.Account{Name: "relay", Channel: "webhook", Keys: tt.keys})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want it to mention %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("%s: error shows the password: %v", tt.name, err)
		}
	}
}
