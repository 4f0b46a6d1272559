package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// A conversation names its account as the config does ("acme-ig"), not by the Graph id
// its messages carry, in the header and on the brand's replies.
func TestConversationNamesTheAccount(t *testing.T) {
	c := emptyCommon(t, "")
	c.AccountNames = map[AccountKey]string{{Channel: "instagram", Handle: "17841400000000001"}: "acme-ig"}
	now := c.Now()
	if _, err := c.Inbox.IngestMessages(c.Ctx,
		inbox.Message{Channel: "instagram", Account: "17841400000000001", ID: "c1", Conversation: "media:1", Kind: inbox.KindComment,
			Author: &inbox.Author{ID: "1", Handle: "maria.r"}, Text: "when do they ship?", CreatedAt: now.Add(-time.Hour)},
		inbox.Message{Channel: "instagram", Account: "17841400000000001", ID: "c2", Conversation: "media:1", Kind: inbox.KindComment,
			Direction: inbox.Out, Agent: "(native app)", Text: "Monday!", CreatedAt: now.Add(-time.Minute), InReplyTo: "c1"}); err != nil {
		t.Fatal(err)
	}
	a := newApp(t, c, 120, 35)
	a.keys("6", "enter") // answered from the app: it waits on the customer
	a.want("instagram acme-ig · comment · maria.r")
	a.want("◂ acme-ig · (native app)")
	if strings.Contains(a.screen(), "17841400000000001") {
		t.Errorf("the Graph id shows:\n%s", a.screen())
	}
}
