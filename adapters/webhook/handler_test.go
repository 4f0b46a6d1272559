package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

var secret = []byte("s3cret-for-tests-only")

const (
	formMsg = `{"channel":"webhook","account":"shop-form","id":"f-1","kind":"dm","author":{"id":"ana@example.test","name":"Ana"},"text":"Where is my order?","created_at":"2026-11-20T10:00:00Z"}`
	waMsg1  = `{"channel":"whatsapp","account":"+4930123","id":"wamid.1","kind":"dm","author":{"id":"4915700"},"text":"hi","created_at":"2026-11-20T11:00:00Z"}`
	waMsg2  = `{"channel":"whatsapp","account":"+4930123","id":"wamid.2","kind":"dm","author":{"id":"4915700"},"text":"anyone?","created_at":"2026-11-20T11:05:00Z"}`
)

// newInbox opens a real inbox over a temporary database.
func newInbox(t testing.TB) *inbox.Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "triage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func stored(t *testing.T, svc *inbox.Service) []string {
	t.Helper()
	var ids []string
	err := svc.Export(context.Background(), inbox.ExportRequest{}, func(r inbox.ExportRecord) error {
		ids = append(ids, r.Channel+"/"+r.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// post sends body to the handler with the given headers ("" leaves one out).
func post(h http.Handler, body, sig, ts string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(webhook.SignatureHeader, sig)
	}
	if ts != "" {
		req.Header.Set(webhook.TimestampHeader, ts)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func signed(h http.Handler, body string) *httptest.ResponseRecorder {
	return post(h, body, webhook.Signature(secret, "", []byte(body)), "")
}

// answer decodes a response, failing on anything but JSON.
func answer(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("response is not JSON: %v: %q", err, rec.Body.String())
	}
	return m
}

func wantCounts(t *testing.T, rec *httptest.ResponseRecorder, accepted, new, present int) {
	t.Helper()
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d, want 202: %s", rec.Code, rec.Body)
	}
	m := answer(t, rec)
	want := map[string]any{"accepted": float64(accepted), "new": float64(new), "present": float64(present)}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v (answer %v)", k, m[k], v, m)
		}
	}
}

func TestStoresObjectAndArrayIdempotently(t *testing.T) {
	svc := newInbox(t)
	h := webhook.Handler(svc, secret, webhook.HandlerOptions{})

	wantCounts(t, signed(h, formMsg), 1, 1, 0)
	array := "[" + waMsg1 + ",\n" + waMsg2 + "]"
	wantCounts(t, signed(h, array), 2, 2, 0)
	wantCounts(t, signed(h, array), 2, 0, 2)
	wantCounts(t, signed(h, formMsg), 1, 0, 1)
	if got := stored(t, svc); len(got) != 3 {
		t.Errorf("stored %v, want 3 messages", got)
	}
}

func TestInvalidBodiesStoreNothing(t *testing.T) {
	badKind := strings.Replace(waMsg2, `"kind":"dm"`, `"kind":"<script>alert(1)</script>"`, 1)
	tests := []struct {
		name, body string
		index      float64 // -1: none
		field      string
	}{
		{"bad JSON", `{"channel":`, 0, ""},
		{"bad JSON array", `[` + waMsg1 + `,`, -1, ""},
		{"not an object", `"hello"`, -1, ""},
		{"empty", ``, -1, ""},
		{"missing text", strings.Replace(formMsg, `"text":"Where is my order?",`, ``, 1), 0, "text"},
		{"bad time in second", "[" + waMsg1 + "," + strings.Replace(waMsg2, "2026-11-20T11:05:00Z", "yesterday", 1) + "]", 1, "created_at"},
		{"script in kind", "[" + waMsg1 + "," + badKind + "]", 1, "kind"},
		{"array of numbers", `[1]`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newInbox(t)
			rec := signed(webhook.Handler(svc, secret, webhook.HandlerOptions{}), tt.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", rec.Code, rec.Body)
			}
			m := answer(t, rec)
			if e, _ := m["error"].(string); e == "" {
				t.Errorf("no error message: %v", m)
			}
			if idx, ok := m["index"]; tt.index >= 0 && idx != tt.index || tt.index < 0 && ok {
				t.Errorf("index = %v, want %v", idx, tt.index)
			}
			if f, _ := m["field"].(string); f != tt.field {
				t.Errorf("field = %q, want %q", f, tt.field)
			}
			if want := fmt.Sprintf("message %v: ", tt.index); tt.field != "" && !strings.HasPrefix(m["error"].(string), want) {
				t.Errorf("error %q does not start with %q", m["error"], want)
			}
			if strings.Contains(rec.Body.String(), "<script>") {
				t.Errorf("answer echoes markup raw: %s", rec.Body)
			}
			if got := stored(t, svc); len(got) != 0 {
				t.Errorf("stored %v after a 400", got)
			}
		})
	}
}

func TestSignatures(t *testing.T) {
	body := []byte(formMsg)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	stale := strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10)
	future := strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10)
	tests := []struct {
		name, sig, ts string
		require       bool
		want          int
	}{
		{"body only", webhook.Signature(secret, "", body), "", false, 202},
		{"with timestamp", webhook.Signature(secret, ts, body), ts, false, 202},
		{"required timestamp given", webhook.Signature(secret, ts, body), ts, true, 202},
		{"missing", "", "", false, 401},
		{"wrong secret", webhook.Signature([]byte("guess"), "", body), "", false, 401},
		{"not sha256=", strings.TrimPrefix(webhook.Signature(secret, "", body), "sha256="), "", false, 401},
		{"not hex", "sha256=zz", "", false, 401},
		{"body-only signature with a timestamp", webhook.Signature(secret, "", body), ts, false, 401},
		{"timestamp signature without the header", webhook.Signature(secret, ts, body), "", false, 401},
		{"stale", webhook.Signature(secret, stale, body), stale, false, 401},
		{"future", webhook.Signature(secret, future, body), future, false, 401},
		{"bad timestamp", webhook.Signature(secret, "soon", body), "soon", false, 401},
		{"required timestamp missing", webhook.Signature(secret, "", body), "", true, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newInbox(t)
			h := webhook.Handler(svc, secret, webhook.HandlerOptions{RequireTimestamp: tt.require})
			rec := post(h, formMsg, tt.sig, tt.ts)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			answer(t, rec)
			if n := len(stored(t, svc)); (n == 1) != (tt.want == 202) {
				t.Errorf("%d messages stored with status %d", n, rec.Code)
			}
		})
	}
}

// Without a secret (serve for providers' hooks alone) /v1/messages does not exist, and
// a body signed with the empty key stores nothing.
func TestEmptySecretAcceptsNothing(t *testing.T) {
	svc := newInbox(t)
	rec := post(webhook.Handler(svc, nil, webhook.HandlerOptions{}), formMsg, webhook.Signature(nil, "", []byte(formMsg)), "")
	if rec.Code != http.StatusNotFound {
		t.Errorf("status %d with an empty secret, want 404", rec.Code)
	}
	if n := len(stored(t, svc)); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

func TestOversizedBody(t *testing.T) {
	svc := newInbox(t)
	h := webhook.Handler(svc, secret, webhook.HandlerOptions{MaxBody: 100})
	body := "[" + formMsg + "]"
	if rec := signed(h, body); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413: %s", rec.Code, rec.Body)
	}
	// Without a Content-Length the limit still holds while reading.
	req := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
	req.ContentLength = -1
	req.Header.Set(webhook.SignatureHeader, webhook.Signature(secret, "", []byte(body)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d, want 413", rec.Code)
	}
	answer(t, rec)
	if got := stored(t, svc); len(got) != 0 {
		t.Errorf("stored %v", got)
	}
}

func TestRateLimitPerAccount(t *testing.T) {
	svc := newInbox(t)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h := webhook.Handler(svc, secret, webhook.HandlerOptions{Rate: 0.5, Burst: 2, Now: clock})
	sig := webhook.Signature(secret, "", []byte(formMsg))
	for i, want := range []int{202, 202, 429} {
		if rec := post(h, formMsg, sig, ""); rec.Code != want {
			t.Fatalf("request %d: status %d, want %d", i, rec.Code, want)
		}
	}
	rec := post(h, formMsg, sig, "")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("status %d Retry-After %q, want 429 and 2", rec.Code, rec.Header().Get("Retry-After"))
	}
	answer(t, rec)
	// Another account has its own bucket, from the same client.
	if rec := signed(h, waMsg1); rec.Code != http.StatusAccepted {
		t.Errorf("another account: status %d, want 202", rec.Code)
	}
	now = now.Add(2 * time.Second) // one token back
	if rec := post(h, formMsg, sig, ""); rec.Code != http.StatusAccepted {
		t.Errorf("after waiting: status %d, want 202", rec.Code)
	}
}

func TestSignedRequestsAreNotRateLimitedByDefault(t *testing.T) {
	h := webhook.Handler(newInbox(t), secret, webhook.HandlerOptions{})
	for i := range 200 {
		if rec := signed(h, formMsg); rec.Code != http.StatusAccepted {
			t.Fatalf("request %d: status %d, want 202: %s", i, rec.Code, rec.Body)
		}
	}
}

func TestRoutes(t *testing.T) {
	h := webhook.Handler(newInbox(t), secret, webhook.HandlerOptions{})
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"GET", "/healthz", 200, ""},
		{"HEAD", "/healthz", 200, ""},
		{"POST", "/healthz", 405, "GET, HEAD"},
		{"GET", "/v1/messages", 405, "POST"},
		{"PUT", "/v1/messages", 405, "POST"},
		{"POST", "/v1/messages/", 404, ""},
		{"GET", "/", 404, ""},
		{"GET", "/<script>", 404, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.want || rec.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s: status %d Allow %q, want %d %q", tt.method, tt.path, rec.Code, rec.Header().Get("Allow"), tt.want, tt.allow)
		}
		if tt.method != "HEAD" {
			answer(t, rec)
		}
	}
}
