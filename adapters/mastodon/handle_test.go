package mastodon_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/mastodon"
)

// Without a configured handle the account is asked of the server at every start; when the
// server cannot be reached, the error says how to start without it.
func TestNoHandleAndNoServerSaysSetHandle(t *testing.T) {
	gone := httptest.NewServer(nil)
	gone.Close()
	t.Setenv("TEST_MASTODON_TOKEN", token)
	acc, err := adapters.NewAccount(0, map[string]any{"name": "acme", "channel": "mastodon", "server": gone.URL,
		"token_env": "TEST_MASTODON_TOKEN", "timeout": "2s"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mastodon.New(context.Background(), acc)
	if err == nil || !strings.Contains(err.Error(), `set handle = "@name@server"`) || strings.Contains(err.Error(), token) {
		t.Errorf("New with the server gone = %v; want the way to start without it, and no token", err)
	}
}
