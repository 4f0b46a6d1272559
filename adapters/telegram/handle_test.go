package telegram_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/telegram"
)

// Without a configured handle the bot's username is asked of Telegram at every start;
// when Telegram cannot be reached, the error says how to start without it.
func TestNoHandleAndNoTelegramSaysSetHandle(t *testing.T) {
	gone := httptest.NewServer(nil)
	gone.Close()
	t.Setenv("TEST_TELEGRAM_TOKEN", token)
	acc, err := adapters.NewAccount(0, map[string]any{"name": "acme-telegram", "channel": "telegram", "api_url": gone.URL,
		"token_env": "TEST_TELEGRAM_TOKEN", "timeout": "2s"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = telegram.New(context.Background(), acc)
	if err == nil || !strings.Contains(err.Error(), `set handle = "@your_bot"`) || strings.Contains(err.Error(), token) {
		t.Errorf("New with Telegram gone = %v; want the way to start without it, and no token", err)
	}
}
