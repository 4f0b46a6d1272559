package ui

import (
	"testing"

	"github.com/triage-inbox/triage/inbox"
)

// An account whose token expired says "reconnect" in the footer for as long as it lasts
// (the whole reason goes to the status line and the log), beside the other accounts'.
func TestExpiredTokenSaysReconnect(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.send(syncMsg{States: []inbox.SyncState{
		{Account: "instagram", Status: "error", Err: "instagram instagram: fetch comments: reconnect: the token for account instagram expired or is no longer valid: GET graph.instagram.com/v24.0/17841400000000001/media: HTTP 400: Graph error 190/463"},
		{Account: "mastodon", Status: "error", Err: "GET mastodon.social/api/v1/notifications: HTTP 502"},
	}})
	a.want("sync mastodon: GET mastodon.social") // the latest reason, in the status line
	a.send(statusMsg{})                          // as when the status times out
	a.want("instagram: reconnect")
	a.want("mastodon error")
}
