package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

// A flood of bad signatures from one address (everyone, behind a TLS proxy) is limited
// on its own and never throttles a correctly signed sender at the same address.
func TestBadSignatureFloodNeverThrottlesSignedSender(t *testing.T) {
	svc := newInbox(t)
	h := webhook.Handler(svc, secret, webhook.HandlerOptions{FailRate: 1, FailBurst: 5})
	limited := 0
	for range 200 {
		rec := post(h, formMsg, "sha256="+strings.Repeat("00", 32), "")
		switch rec.Code {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			limited++
			if rec.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		default:
			t.Fatalf("bad signature: status %d, want 401 or 429", rec.Code)
		}
	}
	if limited < 190 {
		t.Errorf("%d of 200 bad signatures limited, want all past the burst of 5", limited)
	}
	for i := range 20 {
		body := fmt.Sprintf(`{"channel":"webhook","account":"relay","id":"ok-%d","kind":"dm","author":{"id":"a"},"text":"hi","created_at":"2026-11-20T10:00:00Z"}`, i)
		if rec := signed(h, body); rec.Code != http.StatusAccepted {
			t.Fatalf("signed request %d during the flood: status %d, want 202: %s", i, rec.Code, rec.Body)
		}
	}
}

// A request without a signature is refused before its body is read.
func TestUnsignedBodyIsNotRead(t *testing.T) {
	h := webhook.Handler(newInbox(t), secret, webhook.HandlerOptions{})
	body := &countingReader{r: strings.NewReader(strings.Repeat("x", 1<<20))}
	req := httptest.NewRequest(http.MethodPost, "/v1/messages", body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || body.n.Load() != 0 {
		t.Errorf("status %d after reading %d bytes, want 401 and none read", rec.Code, body.n.Load())
	}
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// slowBody sends a first part at once and then nothing until released: a slow upload.
type slowBody struct {
	first   *strings.Reader
	release chan struct{}
	n       atomic.Int64
}

func (s *slowBody) Read(p []byte) (int, error) {
	if s.first.Len() > 0 {
		n, _ := s.first.Read(p)
		s.n.Add(int64(n))
		return n, nil
	}
	<-s.release
	return 0, io.ErrUnexpectedEOF
}

// Many slow large uploads with bad signatures: only MaxInflight of them are read past
// SmallBody (the memory they can hold is MaxInflight×MaxBody), the others get 503 with
// Retry-After, and small signed posts are accepted all along.
func TestSlowLargeUploadsAreBoundedByMaxInflight(t *testing.T) {
	const inflight, uploads = 3, 40
	svc := newInbox(t)
	h := webhook.Handler(svc, secret, webhook.HandlerOptions{MaxInflight: inflight, SlotWait: 300 * time.Millisecond})
	release := make(chan struct{})
	bodies := make([]*slowBody, uploads)
	codes := make(chan *httptest.ResponseRecorder, uploads)
	var wg sync.WaitGroup
	for i := range bodies {
		bodies[i] = &slowBody{first: strings.NewReader(strings.Repeat("x", 3*webhook.SmallBody)), release: release}
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodPost, "/v1/messages", bodies[i])
			req.ContentLength = 1 << 20
			req.Header.Set(webhook.SignatureHeader, "sha256="+strings.Repeat("ab", 32))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			codes <- rec
		})
	}
	// The uploads that found no slot give up; meanwhile signed posts go through.
	busy := 0
	for busy < uploads-inflight {
		rec := <-codes
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("upload without a slot: status %d Retry-After %q, want 503 with it", rec.Code, rec.Header().Get("Retry-After"))
		}
		busy++
		body := fmt.Sprintf(`{"channel":"webhook","account":"relay","id":"during-%d","kind":"dm","author":{"id":"a"},"text":"hi","created_at":"2026-11-20T10:00:00Z"}`, busy)
		if rec := signed(h, body); rec.Code != http.StatusAccepted {
			t.Fatalf("signed post during slow uploads: status %d, want 202", rec.Code)
		}
	}
	pastSmall := 0
	for _, b := range bodies {
		if b.n.Load() > webhook.SmallBody+1 {
			pastSmall++
		}
	}
	if pastSmall != inflight {
		t.Errorf("%d uploads read past SmallBody, want MaxInflight = %d", pastSmall, inflight)
	}
	close(release)
	wg.Wait()
	close(codes)
	for rec := range codes {
		if rec.Code == http.StatusAccepted {
			t.Errorf("a slow upload with a bad signature was accepted")
		}
	}
}

// countingBatcher counts transactions.
type countingBatcher struct {
	*inbox.Service
	txs atomic.Int64
}

func (c *countingBatcher) Ingest(ctx context.Context, dry bool, fn func(*inbox.Batch) error) (inbox.IngestCounts, error) {
	c.txs.Add(1)
	return c.Service.Ingest(ctx, dry, fn)
}

// postSigned posts a signed body to srv's messages endpoint and returns the answer of a
// 202, or an error saying what came instead.
func postSigned(srv *httptest.Server, body string) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(body))
	req.Header.Set(webhook.SignatureHeader, webhook.Signature(secret, "", []byte(body)))
	resp, err := srv.Client().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusAccepted {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(got), err
}

// Concurrent requests share commits; each is answered with its own counts, every message
// is stored once, and a message sent again is counted present.
func TestGroupCommitSharesCommitsAndLosesNothing(t *testing.T) {
	svc := newInbox(t)
	b := &countingBatcher{Service: svc}
	g := webhook.NewGroupCommit(b, webhook.GroupCommitOptions{})
	defer g.Close()
	srv := httptest.NewServer(webhook.Handler(g, secret, webhook.HandlerOptions{}))
	defer srv.Close()
	const clients, each = 20, 25
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("m-%d-%d", c, i)
				body := fmt.Sprintf(`{"channel":"webhook","account":"relay","id":%q,"kind":"dm","author":{"id":"a"},"text":"hi","created_at":"2026-11-20T10:00:00Z"}`, id)
				if got, err := postSigned(srv, body); err != nil || !strings.Contains(got, `"new":1`) {
					errs <- fmt.Sprintf("%s: %v %s", id, err, got)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	ids := stored(t, svc)
	if len(ids) != clients*each {
		t.Errorf("stored %d messages, want %d", len(ids), clients*each)
	}
	if n := b.txs.Load(); n >= clients*each {
		t.Errorf("%d transactions for %d requests: commits were not shared", n, clients*each)
	}
	// The same message again is present, not new.
	rec := signed(webhook.Handler(g, secret, webhook.HandlerOptions{}), `{"channel":"webhook","account":"relay","id":"m-0-0","kind":"dm","author":{"id":"a"},"text":"hi","created_at":"2026-11-20T10:00:00Z"}`)
	wantCounts(t, rec, 1, 0, 1)
}
