package googleplay

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// A reply goes to reviews.reply for the review of the conversation; a second send (a
// retry, or a new text) replaces the review's one reply, never adds one. The id
// returned is the one Fetch gives the reply.
func TestSendUpserts(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("Ana", "Crashes.", 1)
	out := inbox.Outgoing{Channel: "googleplay", Conversation: "gp:" + id, InReplyTo: id + "@1", Text: "Sorry! Fixed in 2.4.2."}
	remote, err := a.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	posts := f.callsTo("POST", id+":reply")
	if len(posts) != 1 || posts[0].Body["replyText"] != out.Text || f.replyOf(id) != out.Text {
		t.Fatalf("posts %+v, reply %q", posts, f.replyOf(id))
	}
	if remote != replyID(id, out.Text) {
		t.Errorf("remote id %q", remote)
	}
	if again, err := a.Send(context.Background(), out); err != nil || again != remote {
		t.Errorf("the retry = %q, %v", again, err)
	}
	out.Text = "Sorry! Fixed in 2.4.3."
	if _, err := a.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	msgs, _, _ := fetchPass(t, a, "")
	var replies []string
	for _, m := range msgs {
		if m.Direction == inbox.Out {
			replies = append(replies, m.Text)
		}
	}
	if len(replies) != 1 || replies[0] != out.Text {
		t.Errorf("replies listed %q, want only the latest", replies)
	}
}

// The id is the one of the text Play applied: Play strips HTML tags, and Fetch lists the
// stripped text.
func TestSendIDOfAppliedText(t *testing.T) {
	f := newFake(t)
	f.stripHTML = true
	a := newAdapter(t, f, nil)
	id := f.review("Ana", "Crashes.", 1)
	remote, err := a.Send(context.Background(), inbox.Outgoing{Conversation: "gp:" + id, Text: "<b>Fixed</b> in 2.4.2"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, _, _ := fetchPass(t, a, "")
	if len(msgs) != 2 || msgs[1].ID != remote {
		t.Errorf("sent %q, listed %+v", remote, msgs)
	}
}

// A reply Play refuses (too long) is permanent, with Play's message.
func TestSendTooLong(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("Ana", "Crashes.", 1)
	_, err := a.Send(context.Background(), inbox.Outgoing{Conversation: "gp:" + id, Text: strings.Repeat("x", 351)})
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "too long") {
		t.Errorf("Send = %v", err)
	}
	if _, err := a.Send(context.Background(), inbox.Outgoing{}); !errors.Is(err, ErrNoReview) {
		t.Errorf("Send without a review = %v", err)
	}
}

// The checker finds a reply already there with the same text (whitespace aside), and
// says not found for another text or none.
func TestSentChecker(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("Ana", "Crashes.", 1)
	out := inbox.Outgoing{Conversation: "gp:" + id, Text: "It is fixed.\n\nThanks!"}
	if _, found, err := a.Sent(context.Background(), out); err != nil || found {
		t.Fatalf("Sent before = %v, %v", found, err)
	}
	f.loseNext = 1
	if _, err := a.Send(context.Background(), out); !adapters.MaybeSent(err) {
		t.Fatalf("Send with the answer lost = %v", err)
	}
	remote, found, err := a.Sent(context.Background(), inbox.Outgoing{Conversation: "gp:" + id, Text: "It is fixed. Thanks!"})
	if err != nil || !found || remote != replyID(id, out.Text) {
		t.Errorf("Sent = %q, %v, %v", remote, found, err)
	}
	if _, found, _ := a.Sent(context.Background(), inbox.Outgoing{Conversation: "gp:" + id, Text: "Other."}); found {
		t.Error("another text found")
	}
	if n := len(f.callsTo("POST", ":reply")); n != 1 {
		t.Errorf("%d replies posted", n)
	}
}
