package facebook_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/facebook"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

func permanent(err error) bool {
	var ae *adapters.Error
	return errors.As(err, &ae) && ae.Permanent
}

// A public reply goes under the comment answered; a reply to a reply goes under its
// top-level comment (Facebook threads one level deep); a reply to a visitor post, or to
// nothing, goes on the post.
func TestSendComments(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	ctx := context.Background()
	v := f.AddPost("301", "Ana Lima", "open on Sunday?", "2026-12-05T08:00:00+0000")
	top := f.AddComment(v, "", "201", "Maria R", "when do they ship?", "2026-12-05T10:00:00+0000")
	follow := f.AddComment(v, top, "201", "Maria R", "to Lisbon?", "2026-12-05T10:01:00+0000")
	a := newAdapter(t, f, facebook.Options{})

	for _, c := range []struct{ inReplyTo, target, parent string }{
		{top, top, top},
		{follow, top, top},
		{v, v, ""},
		{"", v, ""},
	} {
		out := inbox.Outgoing{Channel: "facebook", Account: pageID, Conversation: "post:" + v, Kind: inbox.KindComment, InReplyTo: c.inReplyTo, Text: "reply to " + c.inReplyTo}
		id, err := a.Send(ctx, out)
		if err != nil {
			t.Fatalf("reply to %q: %v", c.inReplyTo, err)
		}
		rs := f.Replies()
		if r := rs[len(rs)-1]; r.Target != c.target || r.Parent != c.parent || r.ID != id || r.Message != out.Text {
			t.Errorf("reply to %q posted %+v as %s, want on %s under %q", c.inReplyTo, r, id, c.target, c.parent)
		}
	}
	_, err := a.Send(ctx, inbox.Outgoing{Conversation: "thread:1", Kind: inbox.KindComment, Text: "x"})
	if !permanent(err) || !errors.Is(err, facebook.ErrConversation) {
		t.Errorf("a reply in no post nor Messenger conversation: %v", err)
	}
}

// A Messenger reply is a RESPONSE to the person's PSID, its metadata the outbox key,
// and its id Messenger's mid.
func TestSendMessenger(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	q := f.AddMessage("7001", "Maria R", false, "is my order late?", "2026-12-06T09:00:00+0000")
	a := newAdapter(t, f, facebook.Options{HumanAgent: true})
	out := inbox.Outgoing{Channel: "facebook", Account: pageID, Conversation: "dm:7001", Kind: inbox.KindDM, InReplyTo: q,
		Text: "It ships today!", Key: "k-0123456789abcdef"}
	id, err := a.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	ss := f.Sends()
	if len(ss) != 1 || ss[0] != (metatest.Send{RecipientID: "7001", MessagingType: "RESPONSE", Text: "It ships today!", Metadata: out.Key, MessageID: id}) {
		t.Errorf("sent %+v, want one RESPONSE to 7001 with metadata %s, answered %s", ss, out.Key, id)
	}
}

// A direct message in a post's conversation is a private reply to the comment answered
// (recipient.comment_id), or to a visitor post (post_id); Meta takes one per comment, and
// a second is a permanent failure in Meta's words.
func TestSendPrivateReply(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	ctx := context.Background()
	post := f.AddPost(pageID, "", "new beans", "2026-12-05T09:00:00+0000")
	c := f.AddComment(post, "", "201", "Maria R", "price?", "2026-12-05T10:00:00+0000")
	v := f.AddPost("301", "Ana Lima", "open on Sunday?", "2026-12-05T08:00:00+0000")
	a := newAdapter(t, f, facebook.Options{})
	out := inbox.Outgoing{Channel: "facebook", Account: pageID, Conversation: "post:" + post, Kind: inbox.KindDM, InReplyTo: c, Text: "€12, sent you the link", Key: "k1"}
	id, err := a.Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if ss := f.Sends(); len(ss) != 1 || ss[0] != (metatest.Send{CommentID: c, Text: out.Text, MessageID: id}) {
		t.Errorf("sent %+v, want a private reply to comment %s", ss, c)
	}
	if len(f.Replies()) != 0 {
		t.Errorf("a private reply posted a public comment: %+v", f.Replies())
	}
	_, err = a.Send(ctx, out)
	if !permanent(err) || !strings.Contains(err.Error(), "Activity already replied to") {
		t.Errorf("a second private reply: %v", err)
	}
	toPost := inbox.Outgoing{Channel: "facebook", Account: pageID, Conversation: "post:" + v, Kind: inbox.KindDM, InReplyTo: v, Text: "yes, 9 to 5"}
	if _, err := a.Send(ctx, toPost); err != nil {
		t.Fatal(err)
	}
	if ss := f.Sends(); len(ss) != 2 || ss[1].CommentID != v || ss[1].Text != "yes, 9 to 5" {
		t.Errorf("private reply to a visitor post: %+v", ss)
	}
}

// Outside the 24-hour window Messenger refuses: a permanent failure that says so with
// Meta's words. With human_agent, one more try with the HUMAN_AGENT tag, which Meta
// takes within 7 days; without it, or past 7 days, no second try (or just the one).
func TestSendOutsideTheWindow(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name        string
		last        string
		humanAgent  bool
		wantErr     bool
		wantTries   int
		wantTagged  bool
		wantInError string
	}{
		{"2 days, no human_agent", "2026-12-04T09:00:00+0000", false, true, 1, false, ""},
		{"2 days, human_agent", "2026-12-04T09:00:00+0000", true, false, 2, true, ""},
		{"8 days, human_agent", "2026-11-28T09:00:00+0000", true, true, 2, false, "HUMAN_AGENT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := metatest.NewPage(t, pageID, token)
			q := f.AddMessage("7001", "Maria R", false, "is my order late?", c.last)
			a := newAdapter(t, f, facebook.Options{HumanAgent: c.humanAgent})
			_, err := a.Send(ctx, inbox.Outgoing{Conversation: "dm:7001", Kind: inbox.KindDM, InReplyTo: q, Text: "Sorry!", Key: "k2"})
			if c.wantErr {
				if !permanent(err) || !errors.Is(err, facebook.ErrWindow) || !strings.Contains(err.Error(), "outside Messenger's 24-hour messaging window") ||
					!strings.Contains(err.Error(), "This message is sent outside of allowed window") || !strings.Contains(err.Error(), c.wantInError) {
					t.Errorf("refused: %v", err)
				}
			} else if err != nil {
				t.Errorf("with the HUMAN_AGENT tag: %v", err)
			}
			if n := requests(f, "POST", "/"+pageID+"/messages"); n != c.wantTries {
				t.Errorf("%d tries, want %d", n, c.wantTries)
			}
			ss := f.Sends()
			if c.wantTagged && (len(ss) != 1 || ss[0].MessagingType != "MESSAGE_TAG" || ss[0].Tag != "HUMAN_AGENT" || ss[0].Metadata != "k2") {
				t.Errorf("sent %+v, want one tagged HUMAN_AGENT", ss)
			}
		})
	}
}

// Hide, unhide and delete a comment; anything else is refused without a request.
func TestModerate(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	ctx := context.Background()
	c := f.AddComment(f.AddPost(pageID, "", "p", "2026-12-05T09:00:00+0000"), "", "201", "Spammer", "buy followers", "2026-12-05T10:00:00+0000")
	a := newAdapter(t, f, facebook.Options{})
	caps := a.Capabilities()
	if !caps.Reply || !caps.DM || !caps.Hide || !caps.Unhide || !caps.Delete || caps.Idempotent {
		t.Errorf("capabilities %+v", caps)
	}
	for _, step := range []struct {
		action         string
		hidden, exists bool
	}{{"hide", true, true}, {"unhide", false, true}, {"hide", true, true}, {"delete", false, false}} {
		if err := a.Moderate(ctx, step.action, c); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
		if hidden, exists := f.Hidden(c); hidden != step.hidden || exists != step.exists {
			t.Errorf("after %s: hidden %v exists %v", step.action, hidden, exists)
		}
	}
	want := []metatest.Moderation{{ID: c, Action: "hide"}, {ID: c, Action: "unhide"}, {ID: c, Action: "hide"}, {ID: c, Action: "delete"}}
	if got := f.Moderations(); !slices.Equal(got, want) {
		t.Errorf("Graph saw %+v, want %+v", got, want)
	}
	n := len(f.Requests())
	if err := a.Moderate(ctx, "block", c); !permanent(err) || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("block: %v", err)
	}
	if len(f.Requests()) != n {
		t.Errorf("an unsupported action reached Graph")
	}
}

// After a crash mid-send, Sent finds a reply already posted: the Page's comment with the
// same text under the top-level comment, or the Page's Messenger message with the same
// text after the message answered; before the send it finds nothing.
func TestSent(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	ctx := context.Background()
	post := f.AddPost(pageID, "", "new beans", "2026-12-05T09:00:00+0000")
	top := f.AddComment(post, "", "201", "Maria R", "when?", "2026-12-05T10:00:00+0000")
	follow := f.AddComment(post, top, "201", "Maria R", "to Lisbon?", "2026-12-05T10:01:00+0000")
	q := f.AddMessage("7001", "Maria R", false, "thanks?", "2026-12-06T09:00:00+0000")
	// The same words sent before the question are another reply, not this one.
	f.AddMessage("7001", "", true, "You're welcome!", "2026-12-05T09:00:00+0000")
	a := newAdapter(t, f, facebook.Options{})

	for _, out := range []inbox.Outgoing{
		{Conversation: "post:" + post, Kind: inbox.KindComment, InReplyTo: follow, Text: "Yes, Monday!"},
		{Conversation: "post:" + post, Kind: inbox.KindComment, InReplyTo: post, Text: "New beans Monday"},
		{Conversation: "dm:7001", Kind: inbox.KindDM, InReplyTo: q, Text: "You're welcome!", Key: "k3"},
	} {
		if _, found, err := a.Sent(ctx, out); err != nil || found {
			t.Fatalf("before sending %q: found=%v, %v", out.Text, found, err)
		}
		id, err := a.Send(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		got, found, err := a.Sent(ctx, out)
		if err != nil || !found || got != id {
			t.Errorf("after sending %q: %q found=%v %v, want %q", out.Text, got, found, err, id)
		}
	}
	if _, found, err := a.Sent(ctx, inbox.Outgoing{Conversation: "post:" + post, Kind: inbox.KindDM, InReplyTo: top, Text: "x"}); found || err != nil {
		t.Errorf("a private reply is never looked for: found=%v %v", found, err)
	}
}
