package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BearerJSON sends the token and the JSON body, decodes a 2xx answer, decodes nothing
// from a 204, and hands any other answer's body to the channel's own wording.
func TestBearerJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Header.Get("Authorization") != "Bearer tok-1":
			http.Error(w, `{"error":"no token"}`, http.StatusUnauthorized)
		case r.URL.Path == "/empty":
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/refuse":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":{"message":"the caller does not have permission"}}`))
		case r.Header.Get("Content-Type") != "application/json" || string(body) != `{"text":"hi"}`:
			http.Error(w, "bad body "+string(body), http.StatusBadRequest)
		default:
			w.Write([]byte(`{"id":"42"}`))
		}
	}))
	defer srv.Close()
	c := NewClient(0)
	ctx := context.Background()
	var got struct{ ID string }
	never := func(*http.Response, []byte) error { return errors.New("refused") }
	if err := c.BearerJSON(ctx, http.MethodPost, srv.URL+"/post", "tok-1", map[string]string{"text": "hi"}, &got, never); err != nil || got.ID != "42" {
		t.Errorf("a 200: %+v, %v", got, err)
	}
	if err := c.BearerJSON(ctx, http.MethodDelete, srv.URL+"/empty", "tok-1", nil, &got, never); err != nil {
		t.Errorf("a 204: %v", err)
	}
	var status int
	var said string
	err := c.BearerJSON(ctx, http.MethodGet, srv.URL+"/refuse", "tok-1", nil, &got, func(resp *http.Response, body []byte) error {
		status, said = resp.StatusCode, string(body)
		return errors.New("permission denied")
	})
	if err == nil || err.Error() != "permission denied" || status != http.StatusForbidden || !strings.Contains(said, "does not have permission") {
		t.Errorf("a 403: %v, status %d, body %q", err, status, said)
	}
}
