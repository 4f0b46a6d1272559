package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// metaWindowError is what Instagram answers a reply to a DM after its 24-hour messaging
// window (Graph API error 10, subcode 2018278): the refusal community managers meet most.
const metaWindowError = "(#10) This message is sent outside of allowed window. The person must message you again before you can reply."

// metaGoneError is the Graph API's answer to a reply on a comment that was deleted or
// hidden meanwhile.
const metaGoneError = "(#100) Unsupported post request. The comment does not exist, cannot be loaded due to missing permissions, or does not support this operation."

// seedRefusedReply leaves the demo one reply the channel refused, so that a newcomer
// sees what triage does with one (the row says failed, the conversation says why, R
// sends it again, E takes it back to edit). It is a late answer to the oldest unanswered
// Instagram or Facebook conversation (for a DM, refused for Meta's 24-hour window; for a
// comment, because the comment is gone), else to the oldest unanswered email (refused
// by the customer's mail server). It is the last thing the history does, and it changes
// no figure: a refused reply answers nothing.
func seedRefusedReply(ctx context.Context, svc *inbox.Service, now time.Time) (bool, error) {
	for _, q := range []string{"(chan:instagram OR chan:facebook) kind:dm is:unanswered", "(chan:instagram OR chan:facebook) is:unanswered",
		"chan:email is:unanswered"} {
		rows, err := svc.Queue(ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Query: q, Limit: 200})
		if err != nil {
			return false, err
		}
		var pick inbox.QueueRow
		for _, r := range rows {
			if r.LastInAt != 0 && (pick.ID == 0 || r.LastInAt < pick.LastInAt) {
				pick = r
			}
		}
		late, why := refusal(pick)
		at := time.UnixMilli(pick.LastInAt).Add(late)
		if pick.ID == 0 || !at.Before(now.Add(-10*time.Minute)) {
			continue // nothing old enough here to have been answered late
		}
		return true, refuse(ctx, svc, pick, at, why)
	}
	return false, nil
}

// refusal is how late the demo's refused reply was written, and what the channel said.
func refusal(r inbox.QueueRow) (time.Duration, string) {
	switch {
	case r.Channel == "email":
		return 3 * time.Hour, "SMTP 550 5.1.1: Recipient address rejected: User unknown in virtual mailbox table"
	case r.Kind == string(inbox.KindDM):
		return 26 * time.Hour, inbox.ChannelLabel(r.Channel) + ": HTTP 400: " + metaWindowError
	}
	return 2 * time.Hour, inbox.ChannelLabel(r.Channel) + ": HTTP 400: " + metaGoneError
}

// refuse writes sam's late reply at a time and has the channel refuse it.
func refuse(ctx context.Context, svc *inbox.Service, r inbox.QueueRow, at time.Time, reason string) error {
	// A fixed key: the same seed must give the same inbox, byte for byte.
	key := fmt.Sprintf("demo-refused-%d-%d", r.ID, at.Unix())
	who := svc.As("sam").Clocked(func() time.Time { return at }).Keyed(func() string { return key })
	text := fmt.Sprintf("Hi %s, so sorry for the wait! Could you send us your order number? We'll check with the courier right away. ^sam", firstWord(r.AuthorName))
	if _, err := who.Reply(ctx, r.ID, text); err != nil {
		return err
	}
	out, err := svc.DB().Outbox(ctx, inbox.OutboxPending)
	if err != nil || len(out) != 1 {
		return fmt.Errorf("the demo's refused reply: outbox %v, %v", out, err)
	}
	sender := svc.Clocked(func() time.Time { return at.Add(inbox.DefaultSendDelay) })
	if err := sender.ClaimOutbox(ctx, out[0].ID); err != nil {
		return err
	}
	return sender.FailOutbox(ctx, out[0].ID, reason)
}

func firstWord(s string) string {
	for i, r := range s {
		if r == ' ' {
			return s[:i]
		}
	}
	if s == "" {
		return "there"
	}
	return s
}
