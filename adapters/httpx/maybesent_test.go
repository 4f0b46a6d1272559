package httpx_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// post sends a POST to url and classifies what went wrong as the adapters do.
func post(t *testing.T, url string) error {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader("message=hi"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return httpx.NetworkError(req, err)
	}
	defer resp.Body.Close()
	return httpx.CheckResponse(resp)
}

// Whether a failed POST may have been carried out decides whether a reply can be sent
// again without asking the channel: not when nothing could connect, or a 503 said the
// server was not taking work; yes when the connection dropped after the request was
// written, or a 500 came back.
func TestMaybeSent(t *testing.T) {
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer hangup.Close()
	status := func(code int) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }))
		t.Cleanup(s.Close)
		return s.URL
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	for _, c := range []struct {
		name, url string
		want      bool
	}{
		{"connection refused", closed, false},
		{"hung up after the request", hangup.URL, true},
		{"500", status(500), true},
		{"503", status(503), false},
		{"429", status(429), false},
		{"422", status(422), false},
	} {
		err := post(t, c.url)
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		if got := adapters.MaybeSent(err); got != c.want {
			t.Errorf("%s: MaybeSent = %v, want %v (%v)", c.name, got, c.want, err)
		}
	}
}
