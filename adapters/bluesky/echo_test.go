package bluesky_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/bluesky"
	"github.com/triage-inbox/triage/adapters/echotest"
)

// TestLoginEchoKeepsNoPassword logs in to a server that refuses with a JSON error
// repeating the request body, so the password comes back JSON-escaped ("\"", "\\",
// "\u0026"). The error keeps the status and the XRPC code, and no form of the password.
func TestLoginEchoKeepsNoPassword(t *testing.T) {
	for _, pw := range echotest.Passwords {
		t.Run(pw, func(t *testing.T) {
			srv, received := echotest.HTTP(t)
			t.Setenv("TEST_BSKY_ECHO_PASSWORD", pw)
			acc, _ := adapters.NewAccount(0, map[string]any{"name": "acme", "channel": "bluesky", "service": srv.URL,
				"handle": "acme.bsky.social", "password_env": "TEST_BSKY_ECHO_PASSWORD"})
			a, err := bluesky.New(ctxBG, acc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.Fetch(ctxBG, "")
			if ae := classOf(t, err); !ae.Permanent || ae.Status != 401 {
				t.Errorf("echoed 401: %v", err)
			}
			if !strings.Contains(received.Received(), "createSession") {
				t.Fatalf("the server saw no login:\n%s", received.Received())
			}
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			if leaks := echotest.Leaks(text, "acme.bsky.social", pw); len(leaks) > 0 {
				t.Errorf("the error holds %v:\n%s", leaks, text)
			}
			if !strings.Contains(err.Error(), "AuthenticationRequired") || !strings.Contains(err.Error(), "Invalid identifier or password") {
				t.Errorf("the error lost the code or the reason: %q", err)
			}
		})
	}
}
