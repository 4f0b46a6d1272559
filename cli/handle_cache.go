package cli

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"github.com/triage-inbox/triage/adapters"
)

// asksHandle are the channels whose adapter, for an account without handle, asks the
// channel at start who the account is (Mastodon's verify_credentials, Telegram's getMe).
// triage keeps the answer in the state folder and hands it back at the next start, so
// that asking once is enough: offline, triage still opens, and its outbox waits.
var asksHandle = map[string]bool{"mastodon": true, "telegram": true}

// handleFile is where the handle the channel gave an account is kept. The account's
// name goes in hex: it is the config's text, and may hold anything.
func handleFile(account string) (string, error) {
	dir, err := adapters.StateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "handles", hex.EncodeToString([]byte(account))), nil
}

// rememberedHandle gives a channel-asking account without handle the one the channel
// gave last time, as if config named it ("" when there is none).
func rememberedHandle(a adapters.Account, channel string) string {
	if !asksHandle[channel] {
		return ""
	}
	if h, _ := a.String("handle", ""); h != "" {
		return "" // config names it: nothing to remember
	}
	path, err := handleFile(a.Name)
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// rememberHandle keeps the handle a channel gave an account without one, for the next
// start. Failing to write it costs only a question to the channel next time.
func rememberHandle(account, handle string) {
	path, err := handleFile(account)
	if err != nil || handle == "" {
		return
	}
	if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == handle {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(handle+"\n"), 0o600); err != nil {
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
	}
}
