package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// The composer counts a reply in an Instagram DM against the DM's 1,000 characters, not
// the 2,200 of a comment, and says so when it is over.
func TestComposerCountsAnInstagramDMAgainstItsOwnLimit(t *testing.T) {
	c := emptyCommon(t, "")
	if _, err := c.Inbox.IngestMessages(context.Background(),
		inbox.Message{Channel: "instagram", Account: "acme", ID: "d1", Conversation: "dm:ana", Kind: inbox.KindDM,
			Author: &inbox.Author{ID: "u1", Handle: "@ana", Name: "Ana Ruiz"}, Text: "where is my order?", CreatedAt: testNow.Add(-time.Hour)},
	); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Inbox.Queue(context.Background(), inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: 1})
	if err != nil || len(rows) != 1 {
		t.Fatalf("queue: %v, %v", rows, err)
	}
	r := composerOpen(t, c, rows[0].ID, "")
	r.keys(typeText("Hi Ana")...)
	if v := r.view(); !strings.Contains(v, "6/1000") {
		t.Errorf("the composer of an Instagram DM does not count to 1,000:\n%s", v)
	}
	r.keys(typeText(strings.Repeat("x", 1000))...)
	if v := r.view(); !strings.Contains(v, "1006/1000 characters on instagram dm") {
		t.Errorf("a reply over an Instagram DM's 1,000 characters is not flagged:\n%s", v)
	}
}
