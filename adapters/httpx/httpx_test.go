package httpx_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		h    map[string]string
		want time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "120"}, 2 * time.Minute},
		{"HTTP date", map[string]string{"Retry-After": "Wed, 25 Nov 2026 12:01:30 GMT"}, 90 * time.Second},
		{"HTTP date past", map[string]string{"Retry-After": "Wed, 25 Nov 2026 11:00:00 GMT"}, 0},
		{"Retry-After wins over reset", map[string]string{"Retry-After": "5", "X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset": "2026-11-25T12:05:00.000Z"}, 5 * time.Second},
		{"Mastodon ISO reset", map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset": "2026-11-25T12:04:59.250Z"}, 5 * time.Minute},
		{"Mastodon reset with calls left", map[string]string{"X-RateLimit-Remaining": "12",
			"X-RateLimit-Reset": "2026-11-25T12:05:00.000Z"}, 0},
		{"Bluesky Unix reset, lower case", map[string]string{"ratelimit-limit": "3000", "ratelimit-remaining": "0",
			"ratelimit-reset": "1795608060", "ratelimit-policy": "3000;w=300"}, time.Minute},
		{"reset without remaining", map[string]string{"RateLimit-Reset": "1795608030"}, 30 * time.Second},
		{"draft delta seconds", map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": "42"}, 42 * time.Second},
		{"garbage", map[string]string{"Retry-After": "soon", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "later"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.h {
				h.Set(k, v)
			}
			if got := httpx.RetryAfter(h, now); got != tt.want {
				t.Errorf("RetryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckResponse(t *testing.T) {
	long := strings.Repeat("x", 500)
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		permanent bool
		retry     bool // RetryAfter > 0
		inErr     []string
		code      string
	}{
		{"401 Mastodon", 401, nil, `{"error":"The access token is invalid"}`, true, false,
			[]string{"HTTP 401", "The access token is invalid", "example.test/api/v1/notifications"}, ""},
		{"401 OAuth", 401, nil, `{"error":"invalid_token","error_description":"The access token expired"}`, true, false,
			[]string{"invalid_token: The access token expired"}, "invalid_token"},
		{"400 XRPC", 400, nil, `{"error":"ExpiredToken","message":"Token has expired"}`, true, false,
			[]string{"ExpiredToken: Token has expired"}, "ExpiredToken"},
		{"403", 403, nil, `{"message":"This action is not allowed"}`, true, false, []string{"This action is not allowed"}, ""},
		{"404 HTML", 404, nil, `<html><body>Not here</body></html>`, true, false, []string{"HTTP 404 Not Found"}, ""},
		{"410", 410, nil, ``, true, false, []string{"HTTP 410"}, ""},
		{"422 long", 422, nil, `{"error":"Validation failed: ` + long + `"}`, true, false, []string{"Validation failed: xxx", "…"}, ""},
		{"408", 408, nil, ``, false, false, nil, ""},
		{"425", 425, nil, ``, false, false, nil, ""},
		{"429 Retry-After", 429, map[string]string{"Retry-After": "30"}, `{"error":"Too many requests"}`, false, true,
			[]string{"Too many requests"}, ""},
		{"429 Mastodon headers", 429, map[string]string{"X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset": time.Now().Add(time.Minute).UTC().Format(time.RFC3339)}, ``, false, true, nil, ""},
		{"500 XRPC", 500, nil, `{"error":"InternalServerError","message":"Internal Server Error"}`, false, false, nil, "InternalServerError"},
		{"503 Retry-After", 503, map[string]string{"Retry-After": "10"}, ``, false, true, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/notifications?access_token=SECRET", nil)
			req.Header.Set("Authorization", "Bearer SECRET")
			resp, err := httpx.NewClient(0).HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			resp.Request.URL.Host = "example.test" // as a real host would read
			err = httpx.CheckResponse(resp)
			var ae *adapters.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *adapters.Error", err)
			}
			if ae.Permanent != tt.permanent || ae.Status != tt.status || (ae.RetryAfter > 0) != tt.retry {
				t.Errorf("got Permanent=%v Status=%d RetryAfter=%v", ae.Permanent, ae.Status, ae.RetryAfter)
			}
			msg := err.Error()
			for _, s := range tt.inErr {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			if strings.Contains(msg, "SECRET") || strings.Contains(msg, "access_token") {
				t.Errorf("error %q leaks the request's secret", msg)
			}
			if len([]rune(msg)) > 320 {
				t.Errorf("error is %d characters long", len([]rune(msg)))
			}
			var api *httpx.APIError
			if !errors.As(err, &api) || api.Code != tt.code {
				t.Errorf("APIError = %+v, want code %q", api, tt.code)
			}
		})
	}
}

func TestCheckResponseOK(t *testing.T) {
	for _, s := range []int{200, 201, 204} {
		if err := httpx.CheckResponse(&http.Response{StatusCode: s, Body: http.NoBody}); err != nil {
			t.Errorf("%d: %v", s, err)
		}
	}
}

func TestDoNetworkErrors(t *testing.T) {
	// A server that accepts and hangs up without answering.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	c := httpx.NewClient(2 * time.Second)
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/x?token=SECRET", nil)
	_, err = c.Do(req)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent {
		t.Fatalf("dropped connection: err = %#v, want Temporary", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %q leaks the query", err)
	}

	// A cancelled context is not a channel failure: it comes back unclassified.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+"/x", nil)
	_, err = c.Do(req)
	if !errors.Is(err, context.Canceled) || errors.As(err, &ae) {
		t.Errorf("cancelled: err = %v, want context.Canceled unclassified", err)
	}
}

func TestDoSetsUserAgentAndTimesOut(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-block
		}
		io.WriteString(w, r.UserAgent())
	}))
	defer srv.Close()
	defer close(block)
	c := httpx.NewClient(200 * time.Millisecond)
	req, _ := http.NewRequest("GET", srv.URL+"/ua", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ua string
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ua = string(b); ua != "triage" {
		t.Errorf("User-Agent = %q, want triage", ua)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/slow", nil)
	_, err = c.Do(req)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent {
		t.Errorf("timeout: err = %v, want Temporary", err)
	}
}

func TestDecodeJSONGarbled(t *testing.T) {
	resp := &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"id": "1`)),
		Request: &http.Request{Method: "GET", URL: mustURL(t, "https://example.test/api")}}
	var v map[string]any
	err := httpx.DecodeJSON(resp, &v)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent {
		t.Errorf("err = %v, want Temporary", err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestBaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://mastodon.example", "https://mastodon.example"},
		{" https://mastodon.example/ ", "https://mastodon.example"},
		{"https://pds.example/base/", "https://pds.example/base"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://localhost:3000/", "http://localhost:3000"},
		{"http://mastodon.example", ""},
		{"mastodon.example", ""},
		{"ftp://mastodon.example", ""},
		{"https://user:hunter2@mastodon.example", ""},
		{"https://mastodon.example/?token=x", ""},
	}
	for _, tt := range tests {
		got, err := httpx.BaseURL(tt.in)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("BaseURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("BaseURL error %q shows the password", err)
		}
	}
}

func TestWrapKeepsClass(t *testing.T) {
	err := httpx.Wrap("fetch mentions", adapters.Temporary(errors.New("HTTP 503"), time.Minute))
	ae, ok := err.(*adapters.Error)
	if !ok || ae.Permanent || ae.RetryAfter != time.Minute || err.Error() != "fetch mentions: HTTP 503" {
		t.Errorf("Wrap = %#v (%v)", err, err)
	}
	if httpx.Wrap("x", nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
}
