package youtube

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

func out(conv, inReplyTo, text string) inbox.Outgoing {
	return inbox.Outgoing{OutboxID: 1, Channel: "youtube", Account: channelID, Conversation: conv, Kind: inbox.KindComment,
		InReplyTo: inReplyTo, Text: text}
}

// A reply to a reply goes in the thread, its parentId the thread's top comment (YouTube
// takes replies to top-level comments only); the id returned is the new comment's.
func TestSendRightParent(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	th := f.comment("v", ana, "@ana", "question", "")
	r := f.reply(th, ben, "Ben", "same question")
	for _, o := range []inbox.Outgoing{out("yt:"+th, r, "Answer one"), out("", r, "Answer two")} {
		id, err := a.Send(context.Background(), o)
		if err != nil || !strings.HasPrefix(id, th+".") {
			t.Fatalf("Send(%+v) = %q, %v", o, id, err)
		}
	}
	ins := f.callsTo("POST", "/youtube/v3/comments")
	for _, c := range ins {
		snip := c.Body["snippet"].(map[string]any)
		if snip["parentId"] != th || c.Query.Get("part") != "snippet" {
			t.Errorf("comments.insert %v %v, want parentId %s", c.Query, c.Body, th)
		}
	}
	if got := f.sentReplies(); len(got) != 2 || got[0].text != "Answer one" {
		t.Errorf("replies %+v", got)
	}
}

// The insert is made but its answer lost (a 500): the error says it may have been sent,
// and Sent finds the reply by the channel with that text, so it is never posted twice.
func TestLostAnswerCheckerFindsIt(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	th := f.comment("v", ana, "@ana", "question", "")
	f.reply(th, ana, "@ana", "Answer  it") // the same text by someone else is not ours
	f.loseNext = 1
	o := out("yt:"+th, th, "Answer it")
	_, err := a.Send(context.Background(), o)
	if !adapters.MaybeSent(err) {
		t.Fatalf("Send = %v, want maybe sent", err)
	}
	id, found, err := a.Sent(context.Background(), o)
	if err != nil || !found || id != f.sentReplies()[0].id {
		t.Fatalf("Sent = %q, %v, %v; want the reply %s", id, found, err, f.sentReplies()[0].id)
	}
	if _, found, err := a.Sent(context.Background(), out("yt:"+th, th, "Another text")); found || err != nil {
		t.Errorf("another text found: %v %v", found, err)
	}
	if n := len(f.sentReplies()); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
}

// Comments turned off on the video: permanent, and says so.
func TestSendCommentsDisabled(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	th := f.comment("v", ana, "@ana", "question", "")
	f.refuseAll = "commentsDisabled"
	_, err := a.Send(context.Background(), out("yt:"+th, th, "hi"))
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || ae.MaybeSent || !strings.Contains(err.Error(), "comments are turned off") {
		t.Errorf("Send = %v", err)
	}
	noSecret(t, err.Error())
}

// Moderation maps the UI's actions onto setModerationStatus.
func TestModerate(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	th := f.comment("v", ana, "@ana", "rude", "heldForReview")
	for _, c := range []struct{ action, status, ban string }{
		{"unhide", "published", ""}, {"hide", "heldForReview", ""}, {"publish", "published", ""},
		{"delete", "rejected", ""}, {"block", "rejected", "true"},
	} {
		if err := a.Moderate(context.Background(), c.action, th); err != nil {
			t.Fatalf("%s: %v", c.action, err)
		}
		calls := f.callsTo("POST", "/youtube/v3/comments/setModerationStatus")
		q := calls[len(calls)-1].Query
		if q.Get("id") != th || q.Get("moderationStatus") != c.status || q.Get("banAuthor") != c.ban {
			t.Errorf("%s: setModerationStatus %v", c.action, q)
		}
		if f.thread(th).status != c.status {
			t.Errorf("%s: the comment is %s", c.action, f.thread(th).status)
		}
	}
	if err := a.Moderate(context.Background(), "mute", th); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("mute = %v", err)
	}
	c := a.Capabilities()
	if !c.Reply || !c.Hide || !c.Unhide || !c.Delete || !c.Block || c.MarkSpam || c.Idempotent {
		t.Errorf("capabilities %+v", c)
	}
}
