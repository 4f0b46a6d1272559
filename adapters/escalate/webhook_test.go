package escalate

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// receiver is a webhook endpoint as a team would write one: it checks the signature and
// the timestamp, dedups by Idempotency-Key, and answers with its case id.
type receiver struct {
	mu      sync.Mutex
	secret  string
	cases   map[string]WebhookPayload // by Idempotency-Key
	order   []string
	answer  func(w http.ResponseWriter, id string) // how it answers a new case
	fail    []int                                  // statuses answered first, in order
	badSigs int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	ts := r.Header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute ||
		!hmac.Equal([]byte(r.Header.Get(HeaderSignature)), []byte(Sign(rc.secret, ts, body))) ||
		r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		rc.badSigs++
		http.Error(w, `{"error": "bad signature"}`, http.StatusUnauthorized)
		return
	}
	if len(rc.fail) > 0 {
		status := rc.fail[0]
		rc.fail = rc.fail[1:]
		w.Header().Set("Retry-After", "30")
		http.Error(w, `{"error": "busy"}`, status)
		return
	}
	key := r.Header.Get(HeaderIdempotency)
	var p WebhookPayload
	if json.Unmarshal(body, &p) != nil || p.Key != key {
		http.Error(w, `{"error": "bad payload"}`, http.StatusUnprocessableEntity)
		return
	}
	if _, seen := rc.cases[key]; !seen {
		rc.cases[key] = p
		rc.order = append(rc.order, key)
	}
	rc.answer(w, "CS-"+strconv.Itoa(len(rc.order)))
}

func newTestWebhook(t *testing.T, answer func(w http.ResponseWriter, id string)) (*Webhook, *receiver) {
	t.Helper()
	rc := &receiver{secret: "hook-secret", cases: map[string]WebhookPayload{}, answer: answer}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	t.Setenv("TRIAGE_TEST_HOOK_SECRET", "hook-secret")
	d, err := New(context.Background(), inbox.EscalationConfig{Destination: "webhook", URL: srv.URL + "/triage",
		SecretEnv: "TRIAGE_TEST_HOOK_SECRET"})
	if err != nil {
		t.Fatal(err)
	}
	return d.(*Webhook), rc
}

func TestWebhookDeliversSigned(t *testing.T) {
	w, rc := newTestWebhook(t, func(w http.ResponseWriter, id string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id": "`+id+`", "status": "open"}`)
	})
	ctx := context.Background()
	ref, err := w.Deliver(ctx, sampleOut("triage-k1"))
	if err != nil || ref != "CS-1" {
		t.Fatalf("Deliver = %q, %v", ref, err)
	}
	p := rc.cases["triage-k1"]
	if p.Reason != "billing" || p.Priority != "urgent" || p.Note != "charged twice for order 1182" || p.Agent != "maria" ||
		p.Link != "triage://conversation/12" || p.EscalationID != 9 || p.ConversationID != 12 || !p.EscalatedAt.Equal(escalatedAt) ||
		p.Author == nil || p.Author.Handle != "@ana" || p.Conversation.ID != 12 || len(p.Conversation.Messages) != 2 {
		t.Errorf("payload = %+v", p)
	}
	// Sent again with the same key (a retry after a crash): one case, same reference.
	if ref, err := w.Deliver(ctx, sampleOut("triage-k1")); err != nil || ref != "CS-1" || len(rc.order) != 1 {
		t.Errorf("again = %q, %v with %d cases", ref, err, len(rc.order))
	}
	if !w.Idempotent() || rc.badSigs != 0 {
		t.Errorf("idempotent %v, bad signatures %d", w.Idempotent(), rc.badSigs)
	}
}

func TestWebhookReferences(t *testing.T) {
	for _, c := range []struct {
		name   string
		answer func(w http.ResponseWriter, id string)
		want   string
	}{
		{"numeric id", func(w http.ResponseWriter, _ string) { io.WriteString(w, `{"id": 4711}`) }, "4711"},
		{"no content", func(w http.ResponseWriter, _ string) { w.WriteHeader(http.StatusNoContent) }, "triage-k1"},
		{"not json", func(w http.ResponseWriter, _ string) { io.WriteString(w, "ok") }, "triage-k1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, _ := newTestWebhook(t, c.answer)
			if ref, err := w.Deliver(context.Background(), sampleOut("triage-k1")); err != nil || ref != c.want {
				t.Errorf("Deliver = %q, %v; want %q", ref, err, c.want)
			}
		})
	}
}

func TestWebhookErrors(t *testing.T) {
	ok := func(w http.ResponseWriter, id string) { io.WriteString(w, `{"id": "`+id+`"}`) }
	w, rc := newTestWebhook(t, ok)
	rc.fail = []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusUnprocessableEntity}
	for _, want := range []struct {
		class string
		wait  time.Duration
	}{{"temporary", 30 * time.Second}, {"temporary", 30 * time.Second}, {"permanent", 0}} {
		_, err := w.Deliver(context.Background(), sampleOut("triage-k1"))
		if cl, wait := class(err); cl != want.class || wait != want.wait {
			t.Errorf("error %v is %s (wait %s), want %s (wait %s)", err, cl, wait, want.class, want.wait)
		}
	}
	rc.secret = "rotated on the other side"
	_, err := w.Deliver(context.Background(), sampleOut("triage-k1"))
	if cl, _ := class(err); cl != "permanent" || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("bad signature: %v (%s), want a permanent 401", err, cl)
	}
	if strings.Contains(err.Error(), "hook-secret") {
		t.Errorf("the error shows the secret: %v", err)
	}
}
