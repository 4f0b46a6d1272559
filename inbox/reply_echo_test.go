package inbox

import (
	"context"
	"testing"
	"time"
)

// A channel brings our own reply back (a Page's comment in a poll, Meta's echo webhook)
// before the send's answer, or instead of an answer that was lost: the copy is our reply,
// not a second message by "(native app)". A reply not yet tried is never matched (it
// cannot be on the channel), nor is a different text.
func TestOwnReplyComingBackIsTheSameMessage(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name       string
		move       func(s *Service, outboxID int64) // what happened to the reply before the copy came
		text       string
		wantOut    int    // outbound messages in the thread after the copy
		wantStatus string // the outbox status after the copy
	}{
		{"while sending", func(s *Service, id int64) { s.ClaimOutbox(ctx, id) }, "Monday!", 1, "sending"},
		{"waiting to be tried again", func(s *Service, id int64) {
			s.ClaimOutbox(ctx, id)
			s.RetryOutbox(ctx, id, "HTTP 500", s.Now().Add(time.Minute))
		}, "Monday!", 1, "pending"},
		{"fate unknown", func(s *Service, id int64) {
			s.ClaimOutbox(ctx, id)
			s.UnknownOutbox(ctx, id, "the channel gave no clear answer")
		}, "Monday!", 1, "sent"},
		{"not yet tried", func(*Service, int64) {}, "Monday!", 2, "pending"},
		{"another text", func(s *Service, id int64) { s.ClaimOutbox(ctx, id) }, "Tuesday!", 2, "sending"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newTestInbox(t, "[outbox]\nsend_delay = \"0s\"\n", at("2026-12-06T12:00:00Z"))
			mustIngest(t, s, inMsg("c1", "media:1", "when do they ship?", "2026-12-06T11:50:00Z"))
			conv := convOf(t, s, "media:1")
			if _, err := s.Reply(ctx, conv, "Monday!"); err != nil {
				t.Fatal(err)
			}
			due, err := s.DueReplies(ctx, 10)
			if err != nil || len(due) != 1 {
				t.Fatalf("due %v, %v", due, err)
			}
			c.move(s, due[0].OutboxID)
			echo := Message{Channel: "instagram", Account: "@acme", ID: "c2", Conversation: "media:1", Kind: KindComment,
				Direction: Out, Agent: "(native app)", Text: c.text, CreatedAt: at("2026-12-06T12:00:01Z"), InReplyTo: "c1"}
			mustIngest(t, s, echo)
			mustIngest(t, s, echo) // a repeated delivery changes nothing
			th, err := s.Thread(ctx, conv, 10)
			if err != nil {
				t.Fatal(err)
			}
			var outs []string
			for _, m := range th.Messages {
				if m.Direction == string(Out) {
					outs = append(outs, m.ExtID+" by "+m.Agent)
				}
			}
			if len(outs) != c.wantOut {
				t.Fatalf("outbound messages %v, want %d", outs, c.wantOut)
			}
			if c.wantOut == 1 && outs[0] != "c2 by maria" {
				t.Errorf("our reply is %q, want c2 by maria", outs[0])
			}
			ob, err := s.DB().Outbox(ctx)
			if err != nil || len(ob) != 1 || ob[0].Status != c.wantStatus {
				t.Fatalf("outbox %+v, %v; want %s", ob, err, c.wantStatus)
			}
			if c.wantStatus == "sending" && c.wantOut == 1 {
				// The send's answer comes after the copy: the same message is settled.
				if err := s.ReplySent(ctx, due[0].OutboxID, "c2"); err != nil {
					t.Fatal(err)
				}
				if th, _ := s.Thread(ctx, conv, 10); len(th.Messages) != 2 {
					t.Errorf("after the answer, thread %+v", th.Messages)
				}
			}
		})
	}
}
