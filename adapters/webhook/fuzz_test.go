package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// recordingIngester passes messages to a real inbox and remembers what happened, so the
// fuzzer can tell whether anything was stored for a request.
type recordingIngester struct {
	svc    *inbox.Service
	stored int   // successful IngestMessages calls for the current request
	err    error // the last storage error
}

func (r *recordingIngester) IngestMessages(ctx context.Context, msgs ...inbox.Message) (inbox.IngestCounts, error) {
	c, err := r.svc.IngestMessages(ctx, msgs...)
	if err != nil {
		r.err = err
	} else {
		r.stored++
	}
	return c, err
}

// FuzzHandler posts fuzzed bodies, correctly signed, with an arbitrary extra header, to
// the handler over a real inbox. It never answers 5xx (a healthy temporary database has
// no storage failure to report), always answers JSON, never echoes input raw, and stores
// messages only when it answers 202.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{formMsg, waMsg1, "[" + waMsg1 + "," + waMsg2 + "]"} {
		f.Add([]byte(s), false, "X-Forwarded-For", "10.0.0.1")
		f.Add([]byte(s), true, "Content-Type", "text/html")
	}
	for _, s := range []string{
		"", " ", "[]", "null", "[null]", `"<script>alert(1)</script>"`,
		`{"channel":"<script>alert(1)</script>","id":"1","kind":"dm","author":{"id":"a"},"text":"x","created_at":"2026-11-20T10:00:00Z"}`,
		`{"channel":"webhook","id":"1","kind":"<script>","author":{"id":"a"},"text":"x","created_at":"2026-11-20T10:00:00Z"}`,
		`{"channel":"webhook","id":"1","kind":"dm","author":{"id":"a"},"text":"x","created_at":"<img src=x onerror=alert(1)>"}`,
		`[{"channel":"webhook","id":"1","kind":"dm","author":{"id":"a"},"text":"x","created_at":"2026-11-20T10:00:00Z"},{"id":"<b>"}]`,
		`{"id":{"<script>":1}}`,
		`[1,2,"<x>"]`,
		"{\"channel\":\"webhook\",\"id\":\"\xff\xfe\",\"kind\":\"dm\",\"author\":{\"id\":\"a\"},\"text\":\"\u2028\",\"created_at\":\"2026-11-20T10:00:00Z\"}",
		`{"channel":"webhook","id":"x","kind":"dm","author":{"id":"a"},"text":"` + strings.Repeat("<&>", 200) + `","created_at":"bad"}`,
	} {
		f.Add([]byte(s), false, webhook.SignatureHeader, "sha256=00")
		f.Add([]byte(s), true, "X-<script>", "<script>")
	}

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(f.TempDir(), "triage.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, nil)
	if err != nil {
		f.Fatal(err)
	}
	ing := &recordingIngester{svc: svc}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	h := webhook.Handler(ing, secret, webhook.HandlerOptions{
		MaxBody: 64 << 10,
		Rate:    1e9, // the fuzzer is one client sending very fast
		Now:     func() time.Time { return now },
	})

	f.Fuzz(func(t *testing.T, body []byte, withTimestamp bool, name, value string) {
		req := httptest.NewRequest(http.MethodPost, "/v1/messages", bytes.NewReader(body))
		ts := ""
		if withTimestamp {
			ts = strconv.FormatInt(now.Unix(), 10)
			req.Header.Set(webhook.TimestampHeader, ts)
		}
		req.Header.Set(webhook.SignatureHeader, webhook.Signature(secret, ts, body))
		if name != "" {
			req.Header.Set(name, value) // may replace the signature or the timestamp
		}
		ing.stored, ing.err = 0, nil
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		out := rec.Body.Bytes()
		if rec.Code >= 500 {
			t.Fatalf("status %d for body %q (storage error: %v); answer %s", rec.Code, body, ing.err, out)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type = %q", ct)
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("answer is not valid JSON: %q", out)
		}
		// encoding/json escapes <, > and &, and every control character: none may
		// reach the client raw, whatever the body or headers held.
		if i := bytes.IndexFunc(bytes.TrimSuffix(out, []byte("\n")), func(r rune) bool {
			return r == '<' || r == '>' || r == '&' || r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029'
		}); i >= 0 {
			t.Fatalf("answer holds raw input at %d: %q", i, out)
		}
		if rec.Code == http.StatusAccepted {
			if ing.stored != 1 {
				t.Fatalf("202 after %d successful stores", ing.stored)
			}
			var a struct{ Accepted, New, Present int }
			if err := json.Unmarshal(out, &a); err != nil || a.New+a.Present > a.Accepted {
				t.Fatalf("202 answer %s (err %v)", out, err)
			}
		} else if ing.stored != 0 {
			t.Fatalf("status %d but messages were stored; answer %s", rec.Code, out)
		}
	})
}
