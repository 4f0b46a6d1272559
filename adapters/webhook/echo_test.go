package webhook_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/echotest"
)

// TestSendEchoKeepsNoURLToken posts a reply to a receiver whose URL carries a token in
// its query, and which refuses with a JSON error repeating the URL, headers and body.
// The error keeps the status and the reason, and no form of the token.
func TestSendEchoKeepsNoURLToken(t *testing.T) {
	for _, token := range echotest.Passwords {
		t.Run(token, func(t *testing.T) {
			srv, received := echotest.HTTP(t)
			a := newOutgoing(t, srv.URL+"/replies?token="+url.QueryEscape(token)+"&v=2")
			_, err := a.Send(context.Background(), reply)
			if err == nil {
				t.Fatal("a refused reply was sent")
			}
			if !strings.Contains(received.Received(), "token="+url.QueryEscape(token)) {
				t.Fatalf("the receiver saw no token:\n%s", received.Received())
			}
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			if leaks := echotest.Leaks(text, "", token); len(leaks) > 0 {
				t.Errorf("the error holds %v:\n%s", leaks, text)
			}
			if !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "/replies") {
				t.Errorf("the error lost the status or where: %q", err)
			}
		})
	}
}
