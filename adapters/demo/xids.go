package demo

import (
	"fmt"

	"github.com/triage-inbox/triage/inbox"
)

// X in the demo is what adapters/x brings in: a post and the replies under it are one
// conversation, "x:<conversation id>", the id of the post that started it (a customer's
// post naming the brand, or one of the brand's posts a customer replies under, each story
// under a post of its own, as Meta's are); every post is a mention, and a reply's text
// starts with the @handle it answers, as X writes it. A DM thread is
// "dm:<dm conversation id>", X's "<lower user id>-<higher user id>" of the two people in
// it, linked as https://x.com/messages/<that id>.

// xBrandUserID is Kettlebird's X user id: the account's own posts and DMs are its own.
const xBrandUserID = "1354738291044622337"

// xDMConversation is the id X gives the one-to-one DM conversation between the brand and
// a user: the two user ids, the lower first.
func xDMConversation(userID string) string {
	a, b := xBrandUserID, userID
	if len(b) < len(a) || len(b) == len(a) && b < a {
		a, b = b, a
	}
	return a + "-" + b
}

// xPost sets the brand's post an X reply conversation is under: one per conversation,
// from the running number of its first message, so two stories never share a thread.
func xPost(c *conv, seq int) {
	if c.channel == "x" && c.kind == inbox.KindComment {
		c.post = fmt.Sprint(1_900_000_000_000_000_000 + mix(hashString("xpost")+uint64(seq))%10_000_000_000_000_000)
	}
}
