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

// seedRefusedReply leaves the demo one reply the channel refused, so that a newcomer
// sees what triage does with one (the row says failed, the conversation says why, R
// sends it again, E takes it back to edit): a late answer to the oldest unanswered
// Instagram DM, written a day and a half after it and refused for the 24-hour window.
// It is the last thing the history does, and it changes no figure: a refused reply
// answers nothing.
func seedRefusedReply(ctx context.Context, svc *inbox.Service, now time.Time) (bool, error) {
	rows, err := svc.Queue(ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Query: "chan:instagram kind:dm is:unanswered", Limit: 50})
	if err != nil {
		return false, err
	}
	var pick inbox.QueueRow
	for _, r := range rows {
		if r.LastInAt != 0 && (pick.ID == 0 || r.LastInAt < pick.LastInAt) {
			pick = r
		}
	}
	at := time.UnixMilli(pick.LastInAt).Add(36 * time.Hour)
	if pick.ID == 0 || !at.Before(now.Add(-time.Hour)) {
		return false, nil // no DM old enough in this demo
	}
	who := svc.As("sam").Clocked(func() time.Time { return at })
	text := fmt.Sprintf("Hi %s, so sorry for the wait! Could you send us your order number? We'll check with the courier right away. ^sam", firstWord(pick.AuthorName))
	if _, err := who.Reply(ctx, pick.ID, text); err != nil {
		return false, err
	}
	out, err := svc.DB().Outbox(ctx, inbox.OutboxPending)
	if err != nil || len(out) != 1 {
		return false, fmt.Errorf("the demo's refused reply: outbox %v, %v", out, err)
	}
	sender := svc.Clocked(func() time.Time { return at.Add(inbox.DefaultSendDelay) })
	if err := sender.ClaimOutbox(ctx, out[0].ID); err != nil {
		return false, err
	}
	return true, sender.FailOutbox(ctx, out[0].ID, "Instagram: HTTP 400: "+metaWindowError)
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
