package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// A comment its author edited and then removed, one the Page hid, and one as it arrived:
// the thread shows the edited text with the words first written, and says what happened.
func TestConversationShowsEditsRemovalsAndHides(t *testing.T) {
	c := emptyCommon(t, "")
	msg := func(id, name, text string, ago time.Duration) inbox.Message {
		return inbox.Message{Channel: "facebook", Account: "106", ID: id, Conversation: "post:106_200", Kind: inbox.KindComment,
			Author: &inbox.Author{ID: "a" + id, Name: name}, Text: text, CreatedAt: testNow.Add(-ago)}
	}
	if _, err := c.Inbox.IngestMessages(c.Ctx, msg("c1", "Bea Costa", "Is this in stock?", time.Hour),
		msg("c2", "Caio", "Buy followers at spam.example", 50*time.Minute), msg("c3", "Dani", "Same question", 40*time.Minute)); err != nil {
		t.Fatal(err)
	}
	hide := true
	edited := "Is this in stock?? Nobody answers here"
	if _, err := c.Inbox.ApplyUpdates(c.Ctx, []inbox.Update{
		{Channel: "facebook", Account: "106", ID: "c1", At: testNow.Add(-30 * time.Minute), Text: &edited},
		{Channel: "facebook", Account: "106", ID: "c1", At: testNow.Add(-20 * time.Minute), Removed: true},
		{Channel: "facebook", Account: "106", ID: "c2", At: testNow.Add(-45 * time.Minute), Hidden: &hide},
	}); err != nil {
		t.Fatal(err)
	}
	id, err := c.Inbox.ConversationID(c.Ctx, "facebook", "106", "post:106_200")
	if err != nil {
		t.Fatal(err)
	}
	s := convOpen(t, c, id, 120, 60)
	v := plain(s.View())
	for _, want := range []string{
		"Is this in stock?? Nobody answers here",
		`✎ edited · 30m ago`, `first written: "Is this in stock?"`,
		"✕ removed on Facebook · 20m ago",
		"◌ hidden on Facebook",
		"Same question",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the thread does not show %q:\n%s", want, v)
		}
	}
	// Only the messages the channel spoke of are marked.
	if n := strings.Count(v, "✎") + strings.Count(v, "✕") + strings.Count(v, "◌"); n != 3 {
		t.Errorf("%d markers, want 3:\n%s", n, v)
	}
	convCheck(t, s.View(), 120, 60)
	narrow := convOpen(t, c, id, 40, 20)
	convCheck(t, narrow.View(), 40, 20)
}
