package inbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// comment is a customer's comment under an Instagram post (conversation media:<post>).
func comment(id, post, handle, when string) Message {
	return Message{Channel: "instagram", Account: "acme", ID: id, Conversation: "media:" + post, Kind: KindComment,
		Author: &Author{ID: "u-" + handle, Handle: handle}, Text: "where is my order?", CreatedAt: at(when)}
}

// The outbox hands the adapter a private reply as a DM in the comment conversation,
// answering the latest comment, to its author: what Instagram's POST /me/messages with
// recipient.comment_id needs.
func TestReplyPrivatelyQueuesADMAnsweringTheComment(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	// lee's comment arrives last but was written first: maria's is the latest.
	mustIngest(t, s, comment("c-maria", "p1", "maria.r", "2026-11-20T10:00:00Z"))
	mustIngest(t, s, comment("c-lee", "p1", "lee", "2026-11-20T09:00:00Z"))
	id := convOf(t, s, "media:p1")

	sent, err := s.ReplyPrivately(ctx, id, "Hi Maria, could you DM us your order number?")
	if err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueReplies(ctx, 10); len(due) != 0 {
		t.Fatalf("a private reply left before its undo window: %+v", due)
	}
	clock.t = sent.SendAt
	due, err := s.DueReplies(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 {
		t.Fatalf("outbox has %d due replies, want 1", len(due))
	}
	o := due[0]
	if o.Kind != KindDM || o.Conversation != "media:p1" || o.InReplyTo != "c-maria" || o.Channel != "instagram" ||
		o.To == nil || o.To.Handle != "maria.r" || o.Text != "Hi Maria, could you DM us your order number?" {
		t.Errorf("outgoing %+v (to %+v), want a DM in media:p1 answering c-maria, to maria.r", o, o.To)
	}

	// It answers the comments before it, as a public reply would: response times stop.
	th, err := s.Thread(ctx, id, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range th.Messages {
		if m.Direction == string(In) && m.AnsweredBy != sent.MessageID {
			t.Errorf("comment %s is answered by %d, want the private reply %d", m.ExtID, m.AnsweredBy, sent.MessageID)
		}
		if m.Direction == string(Out) && m.Kind != string(KindDM) {
			t.Errorf("the private reply is stored as a %s, want a dm", m.Kind)
		}
	}
	if th.Info.State != string(StateWaiting) {
		t.Errorf("conversation is %s after the private reply, want waiting", th.Info.State)
	}
}

// A private reply is offered only where Meta takes one, and says why not elsewhere.
func TestPrivateReplyTargetRefusals(t *testing.T) {
	now := at("2026-11-20T12:00:00Z")
	cases := []struct {
		name string
		msgs []Message
		key  string
		why  string // "" : a private reply applies
	}{
		{"a comment 6 days 23 hours old", []Message{comment("c1", "p1", "maria.r", "2026-11-13T13:00:00Z")}, "media:p1", ""},
		{"a comment exactly 7 days old", []Message{comment("c1", "p1", "maria.r", "2026-11-13T12:00:00Z")}, "media:p1",
			"@maria.r's comment is 7d old, and Meta takes a private reply within 7 days of a comment"},
		{"an Instagram DM", []Message{dm("instagram", "d1", "dm:1", "2026-11-20T11:00:00Z", false)}, "dm:1",
			"this is already a direct conversation"},
		{"a comment on X", []Message{{Channel: "x", Account: "acme", ID: "x1", Conversation: "post:1", Kind: KindComment,
			Author: &Author{ID: "u", Handle: "@u"}, Text: "hi", CreatedAt: at("2026-11-20T11:00:00Z")}}, "post:1",
			"private replies answer Instagram and Facebook comments, and this is X"},
		{"a Facebook review", []Message{{Channel: "facebook", Account: "acme", ID: "r1", Conversation: "review:1", Kind: KindReview,
			Author: &Author{ID: "u", Name: "U"}, Text: "meh", CreatedAt: at("2026-11-20T11:00:00Z")}}, "review:1",
			"this conversation is a review"},
		{"a post that tags the account", []Message{{Channel: "instagram", Account: "acme", ID: "m1", Conversation: "media:p9", Kind: KindMention,
			Author: &Author{Handle: "elenap"}, Text: "coffee with @acme", CreatedAt: at("2026-11-20T11:00:00Z")}}, "media:p9",
			"Meta takes private replies to comments on your own posts only"},
		{"only our own comment", []Message{{Channel: "instagram", Account: "acme", ID: "o1", Conversation: "media:p2", Kind: KindComment,
			Direction: Out, Agent: "(native app)", Text: "new drop!", CreatedAt: at("2026-11-20T11:00:00Z")}}, "media:p2",
			"no comment from a customer to answer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestInbox(t, "", now)
			mustIngest(t, s, tc.msgs...)
			id := convOf(t, s, tc.key)
			_, err := s.PrivateReplyTarget(context.Background(), id)
			_, sendErr := s.ReplyPrivately(context.Background(), id, "Hi, we sent you a DM")
			if tc.why == "" {
				if err != nil || sendErr != nil {
					t.Fatalf("want a private reply, got %v / %v", err, sendErr)
				}
				return
			}
			if !errors.Is(err, ErrNoPrivateReply) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("error %v, want one saying %q", err, tc.why)
			}
			if !errors.Is(sendErr, ErrNoPrivateReply) {
				t.Errorf("ReplyPrivately: %v, want it refused", sendErr)
			}
			if out, _ := s.DB().Outbox(context.Background()); len(out) != 0 {
				t.Errorf("a refused private reply reached the outbox: %+v", out)
			}
		})
	}
}

// Meta takes one private reply per comment; one that failed or was taken back does not
// count, and a newer comment takes its own.
func TestOnePrivateReplyPerComment(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	mustIngest(t, s, comment("c1", "p1", "maria.r", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "media:p1")
	if _, err := s.ReplyPrivately(ctx, id, "first"); err != nil {
		t.Fatal(err)
	}
	_, err := s.ReplyPrivately(ctx, id, "second")
	if !errors.Is(err, ErrNoPrivateReply) || !strings.Contains(err.Error(), "already has its private reply") {
		t.Fatalf("second private reply to the same comment: %v, want it refused", err)
	}
	// Taken back inside the undo window: it never reached Meta, so it may be written again.
	u, err := s.Undo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Private || u.Draft != "first" {
		t.Errorf("undo of a private reply: %+v, want it marked private with its text in the draft", u)
	}
	if _, err := s.ReplyPrivately(ctx, id, "again"); err != nil {
		t.Fatalf("after undo: %v", err)
	}
	clock.t = clock.t.Add(time.Hour)
	mustIngest(t, s, comment("c2", "p1", "maria.r", "2026-11-20T12:30:00Z"))
	if _, err := s.ReplyPrivately(ctx, id, "to the new comment"); err != nil {
		t.Fatalf("a newer comment takes its own private reply: %v", err)
	}
}

// A private reply goes through the checks of any reply: the channel's length limit.
func TestReplyPrivatelyKeepsTheLengthLimit(t *testing.T) {
	s, _ := newTestInbox(t, "[voice]\nlimits = { instagram = 20 }\n", at("2026-11-20T12:00:00Z"))
	mustIngest(t, s, comment("c1", "p1", "maria.r", "2026-11-20T10:00:00Z"))
	_, err := s.ReplyPrivately(context.Background(), convOf(t, s, "media:p1"), strings.Repeat("a", 21))
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("a private reply over the limit: %v, want a *RefusedError", err)
	}
}
