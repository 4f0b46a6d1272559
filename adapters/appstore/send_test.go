package appstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// A response is POSTed for the review of the conversation; a second send (a retry, or
// a new text) replaces the review's one response. The id returned is Apple's id for the
// response with a hash of its text, the one Fetch gives it; Apple holds it for review
// (PENDING_PUBLISH).
func TestSendUpserts(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("ana", "Crashes", "Always.", 1)
	out := inbox.Outgoing{Conversation: "as:" + id, Text: "Sorry! 3.1 fixes it."}
	remote, err := a.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	posts := f.callsTo("POST", "/v1/customerReviewResponses")
	data, _ := posts[0].Body["data"].(map[string]any)
	if len(posts) != 1 || data["type"] != "customerReviewResponses" {
		t.Fatalf("posts %+v", posts)
	}
	resp := f.responseOf(id)
	if resp == nil || resp.body != out.Text || resp.state != "PENDING_PUBLISH" || remote != responseID(resp.id, out.Text) {
		t.Fatalf("response %+v, remote %q", resp, remote)
	}
	if again, err := a.Send(context.Background(), out); err != nil || again != remote {
		t.Errorf("retry = %q, %v", again, err)
	}
	out.Text = "Sorry! 3.1.1 fixes it."
	if _, err := a.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	msgs, _, _ := fetchPass(t, a, "")
	var outs []string
	for _, m := range msgs {
		if m.Direction == inbox.Out {
			outs = append(outs, m.Text)
		}
	}
	if len(outs) != 1 || outs[0] != out.Text {
		t.Errorf("responses listed %q, want the latest only", outs)
	}
}

// Apple's refusal of a response (too long) is permanent with its detail.
func TestSendRefused(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("ana", "Crashes", "Always.", 1)
	_, err := a.Send(context.Background(), inbox.Outgoing{Conversation: "as:" + id, Text: strings.Repeat("x", MaxResponse+1)})
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "5970") {
		t.Errorf("Send = %v", err)
	}
	if _, err := a.Send(context.Background(), inbox.Outgoing{}); !errors.Is(err, ErrNoReview) {
		t.Errorf("Send without a review = %v", err)
	}
}

// The checker: 404 (no response) is not found; the same text is found with its id;
// another text is not found.
func TestSentChecker(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("ana", "Crashes", "Always.", 1)
	out := inbox.Outgoing{Conversation: "as:" + id, Text: "Fixed in 3.1.\nThanks!"}
	if _, found, err := a.Sent(context.Background(), out); err != nil || found {
		t.Fatalf("Sent before = %v, %v", found, err)
	}
	f.loseNext = 1
	if _, err := a.Send(context.Background(), out); !adapters.MaybeSent(err) {
		t.Fatalf("Send with the answer lost = %v", err)
	}
	remote, found, err := a.Sent(context.Background(), inbox.Outgoing{Conversation: "as:" + id, Text: "Fixed in 3.1. Thanks!"})
	if err != nil || !found || remote != responseID("resp-"+id, out.Text) {
		t.Errorf("Sent = %q, %v, %v", remote, found, err)
	}
	if _, found, _ := a.Sent(context.Background(), inbox.Outgoing{Conversation: "as:" + id, Text: "Other"}); found {
		t.Error("another text found")
	}
}
