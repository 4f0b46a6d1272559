package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// metaApp opens an inbox holding msgs (on the UI tests' clock, testNow = 15:30) and the
// conversation of the first, on its screen.
func metaApp(t *testing.T, msgs ...inbox.Message) *app {
	t.Helper()
	c := emptyCommon(t, "")
	if _, err := c.Inbox.IngestMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	a := newApp(t, c, 120, 35)
	a.keys("enter")
	if a.m.screen != screenConversation {
		t.Fatalf("enter did not open the conversation:\n%s", a.screen())
	}
	return a
}

// customerDM is maria.r's direct message on channel, written ago before testNow.
func customerDM(channel string, ago time.Duration) inbox.Message {
	return inbox.Message{Channel: channel, Account: "acme", ID: "m-" + channel, Conversation: "dm:maria", Kind: inbox.KindDM,
		Author: &inbox.Author{ID: "u1", Handle: "maria.r", Name: "Maria R"}, Text: "Where is my order?", CreatedAt: testNow.Add(-ago)}
}

// igComment is maria.r's comment under an Instagram post, written ago before testNow.
func igComment(ago time.Duration) inbox.Message {
	return inbox.Message{Channel: "instagram", Account: "acme", ID: "c-1", Conversation: "media:p1", Kind: inbox.KindComment,
		Author: &inbox.Author{ID: "u1", Handle: "maria.r"}, Text: "Still no tracking number?", CreatedAt: testNow.Add(-ago)}
}

func TestConversationShowsTheReplyWindow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		msg   inbox.Message
		want  string
		warns bool // drawn in the warning colour
	}{
		{"instagram DM 20h48m ago", customerDM("instagram", 20*time.Hour+48*time.Minute), "reply window: 3h 12m left", false},
		{"messenger DM 23h30m ago", customerDM("facebook", 23*time.Hour+30*time.Minute), "reply window: 30m left", true},
		{"instagram DM 26h ago", customerDM("instagram", 26*time.Hour), "reply window closed 2h ago · Meta will refuse a reply", false},
		{"whatsapp 25h ago", customerDM("whatsapp", 25*time.Hour), "reply window closed 1h ago · WhatsApp takes only templates now", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := metaApp(t, tc.msg)
			a.want(tc.want)
			if tc.warns && !strings.Contains(a.m.View().Content, a.c.Styles.DueSoon.Render(tc.want)) {
				t.Errorf("%q is not in the warning colour", tc.want)
			}
		})
	}
}

func TestCommentConversationHasNoWindowButOffersAPrivateReply(t *testing.T) {
	a := metaApp(t, igComment(3*24*time.Hour))
	if strings.Contains(a.screen(), "reply window") {
		t.Errorf("a comment conversation shows a reply window:\n%s", a.screen())
	}
	a.want("P private reply to @maria.r by Instagram DM · 4d left to send it")
}

// outbox is every reply waiting in the outbox, as the sync engine would take it.
func (a *app) outbox() []inbox.Outgoing {
	a.t.Helper()
	out, err := a.c.Inbox.RepliesIn(a.c.Ctx, inbox.OutboxPending)
	if err != nil {
		a.t.Fatal(err)
	}
	return out
}

func TestComposerWarnsOutsideTheWindowAndSendsOnConfirmation(t *testing.T) {
	a := metaApp(t, customerDM("instagram", 26*time.Hour))
	a.keys("r")
	a.want("reply window closed 2h ago · Meta will refuse a reply")
	a.typ("Sorry for the wait")
	a.keys("ctrl+s")
	if _, open := a.m.overlay.(*composer); !open {
		t.Fatalf("the first send outside the window closed the composer:\n%s", a.screen())
	}
	a.want("⚠ Outside the reply window: closed 2h ago · Meta will refuse a reply. ctrl+s again sends it", "anyway; esc keeps it as a draft.")
	if n := len(a.outbox()); n != 0 {
		t.Fatalf("the first send outside the window queued %d replies", n)
	}
	a.keys("ctrl+s")
	if a.m.overlay != nil {
		t.Fatalf("the confirming send left the composer open:\n%s", a.screen())
	}
	if out := a.outbox(); len(out) != 1 || out[0].Text != "Sorry for the wait" {
		t.Fatalf("outbox %+v, want the reply once", out)
	}
}

func TestComposerInsideTheWindowSendsAtOnce(t *testing.T) {
	a := metaApp(t, customerDM("instagram", time.Hour))
	a.keys("r")
	a.want("reply window: 23h left")
	a.typ("On its way")
	a.keys("ctrl+s")
	if a.m.overlay != nil || len(a.outbox()) != 1 {
		t.Fatalf("a reply inside the window was not sent at once:\n%s", a.screen())
	}
}

func TestComposerOutsideTheWindowKeepsTheTextWhenCancelled(t *testing.T) {
	a := metaApp(t, customerDM("whatsapp", 30*time.Hour))
	a.keys("r")
	a.typ("Hello Maria")
	a.keys("ctrl+s")
	a.want("closed 6h ago · WhatsApp takes only templates now. ctrl+s again", "esc keeps it as a draft.")
	a.keys("esc")
	if a.m.overlay != nil {
		t.Fatalf("esc did not close the composer:\n%s", a.screen())
	}
	if n := len(a.outbox()); n != 0 {
		t.Fatalf("cancelled, yet %d replies queued", n)
	}
	a.keys("r")
	a.want("Hello Maria")
}
