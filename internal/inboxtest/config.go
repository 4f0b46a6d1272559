// Package inboxtest holds what tests of several packages need to set up an inbox the
// same way.
package inboxtest

import (
	"testing"

	"github.com/triage-inbox/triage/inbox"
)

// SendAtOnce is a config whose replies leave the outbox as soon as they are queued: for
// tests of the sending, not of the undo window (the engine's TestRepliesWaitOutTheUndoWindow
// checks that).
func SendAtOnce(t testing.TB) *inbox.Config {
	t.Helper()
	cfg, err := inbox.ParseConfig("test.toml", "[outbox]\nsend_delay = \"0s\"\n")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
