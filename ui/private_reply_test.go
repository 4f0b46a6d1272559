package ui

import (
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

func TestPrivateReplyKeyOpensTheComposerAndQueuesADM(t *testing.T) {
	a := metaApp(t, igComment(2*time.Hour))
	a.keys("P")
	if _, ok := a.m.overlay.(*composer); !ok {
		t.Fatalf("P opened %T, want the composer:\n%s", a.m.overlay, a.screen())
	}
	a.want("Private reply to @maria.r (Instagram DM)", "Still no tracking number?")
	a.typ("Hi Maria, DM us your order number")
	a.keys("ctrl+s")
	if a.m.overlay != nil {
		t.Fatalf("the private reply was not sent:\n%s", a.screen())
	}
	a.wantStatus("replied privately to @maria.r")
	out := a.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox has %d replies, want the private reply", len(out))
	}
	if o := out[0]; o.Kind != inbox.KindDM || o.Conversation != "media:p1" || o.InReplyTo != "c-1" || o.Text != "Hi Maria, DM us your order number" {
		t.Errorf("outgoing %+v, want a DM in media:p1 answering c-1", o)
	}
	// The thread shows it for what it is: sent to the commenter alone.
	a.want("private reply (DM)")
}

// Undo inside the undo window takes the private reply back into the private composer,
// never into a public reply's, where its words would go out under the post.
func TestUndoPrivateReplyReopensItAsPrivate(t *testing.T) {
	a := metaApp(t, igComment(2*time.Hour))
	a.keys("P")
	a.typ("Your order number is safe with us")
	a.keys("ctrl+s", "u")
	a.want("Private reply to @maria.r (Instagram DM)", "Your order number is safe with us")
	if n := len(a.outbox()); n != 0 {
		t.Fatalf("undo left %d replies in the outbox", n)
	}
}

func TestPrivateReplyKeySaysWhyNot(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  inbox.Message
		why  string
	}{
		{"in a DM", customerDM("instagram", time.Hour), "no private reply here: this is already a direct conversation"},
		{"to a comment 8 days old", igComment(8 * 24 * time.Hour), "@maria.r's comment is 8d old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := metaApp(t, tc.msg)
			a.keys("P")
			if a.m.overlay != nil {
				t.Fatalf("P opened %T where no private reply applies", a.m.overlay)
			}
			a.wantStatus(tc.why)
		})
	}
}

func TestPrivateReplyKeyIsRemappable(t *testing.T) {
	k := DefaultKeyMap()
	if err := k.Remap(map[string]any{"private_reply": "ctrl+p"}); err != nil {
		t.Fatal(err)
	}
	c := emptyCommon(t, "")
	c.Keys = k
	if _, err := c.Inbox.IngestMessages(c.Ctx, igComment(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a := newApp(t, c, 120, 35)
	a.keys("enter")
	a.want("ctrl+p private reply to @maria.r")
	a.keys("ctrl+p")
	a.want("Private reply to @maria.r (Instagram DM)")
}
