package inbox

import (
	"context"
	"testing"
)

// A customer answering our reply on the channel lands in the same conversation: once sent,
// the reply carries the channel's id, which the answer names in in_reply_to.
func TestSentReplyThreadsTheAnswer(t *testing.T) {
	s, clock := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	first := inMsg("1", "", "Where is my order?", "2026-11-20T10:00:00Z")
	mustIngest(t, s, first)
	id := convOf(t, s, "msg:1")
	if _, err := s.Reply(ctx, id, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(DefaultSendDelay) // the undo window passes
	due, err := s.DueReplies(ctx, 10)
	if err != nil || len(due) != 1 || due[0].InReplyTo != "1" || due[0].To == nil || due[0].To.Handle != "@ana" {
		t.Fatalf("due replies = %+v, %v", due, err)
	}
	if err := s.ClaimOutbox(ctx, due[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplySent(ctx, due[0].OutboxID, "remote-77"); err != nil {
		t.Fatal(err)
	}
	answer := inMsg("2", "", "Great, thanks!", "2026-11-20T12:30:00Z")
	answer.InReplyTo = "remote-77"
	mustIngest(t, s, answer)
	th, _ := s.Thread(ctx, id, 10)
	if len(th.Messages) != 3 || th.Messages[2].Text != "Great, thanks!" {
		t.Fatalf("the answer did not join the conversation: %d messages", len(th.Messages))
	}
	// Fetching our own reply back from the channel stores nothing new.
	own := outMsg("remote-77", "", "maria", "2026-11-20T12:00:00Z")
	if c := mustIngest(t, s, own); c.New != 0 {
		t.Errorf("our own reply fetched back was stored again")
	}
}
