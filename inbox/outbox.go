package inbox

import (
	"context"
	"time"

	"github.com/triage-inbox/triage/store"
)

// Outbox statuses. A reply or an escalation's delivery is pending, then sending, then
// sent (with the channel's id or the ticket's) or failed (with the reason, its text kept).
// unknown means a send was cut off and the other side offers no way to check: a person
// must look before it is sent again. cancelled is a delivery an undo took back before it
// reached customer service.
const (
	OutboxPending   = "pending"
	OutboxSending   = "sending"
	OutboxSent      = "sent"
	OutboxFailed    = "failed"
	OutboxUnknown   = "unknown"
	OutboxCancelled = "cancelled"
)

func outgoingOf(it store.OutboxItem) Outgoing {
	o := Outgoing{OutboxID: it.ID, MessageID: it.MessageID, Key: it.Key, Channel: it.Channel, Account: it.Account,
		Conversation: it.ConvKey, Kind: Kind(it.Kind), Text: it.Text, InReplyTo: it.ParentExtID,
		Subject: it.ParentSubject, Quote: it.ParentText, Attempts: it.Attempts}
	if it.AuthorExtID != "" || it.AuthorHandle != "" {
		o.To = &Author{ID: it.AuthorExtID, Handle: it.AuthorHandle, Name: it.AuthorName}
	}
	return o
}

// DueReplies lists the pending replies whose next attempt is due.
func (s *Service) DueReplies(ctx context.Context, limit int) ([]Outgoing, error) {
	items, err := s.db.DueOutbox(ctx, ms(s.now()), limit)
	if err != nil {
		return nil, err
	}
	out := make([]Outgoing, len(items))
	for i, it := range items {
		out[i] = outgoingOf(it)
	}
	return out, nil
}

// RepliesIn lists the replies in one outbox status.
func (s *Service) RepliesIn(ctx context.Context, status string) ([]Outgoing, error) {
	items, err := s.db.OutboxInStatus(ctx, status)
	if err != nil {
		return nil, err
	}
	out := make([]Outgoing, len(items))
	for i, it := range items {
		out[i] = outgoingOf(it)
	}
	return out, nil
}

// The moves below apply to any outbox entry, a reply or an escalation's delivery: the
// ids are shared, and the states mean the same for both.

// ClaimOutbox marks a pending entry as sending, before the channel or destination is
// called: if triage dies mid-send, the entry is found in sending afterwards and settled by
// what the other side allows, never silently sent again.
func (s *Service) ClaimOutbox(ctx context.Context, outboxID int64) error {
	_, err := s.ClaimForSending(ctx, outboxID)
	return err
}

// ClaimForSending is ClaimOutbox that also says how many attempts were made before
// this one, as they stand when it is claimed: another host may have made one since the
// entry was listed as due, and a sender must then ask the channel before posting again.
func (s *Service) ClaimForSending(ctx context.Context, outboxID int64) (attemptsBefore int, err error) {
	return s.db.ClaimOutbox(ctx, outboxID, ms(s.now()))
}

// ReplySent records the channel's id of a reply that was posted.
func (s *Service) ReplySent(ctx context.Context, outboxID int64, remoteID string) error {
	return s.db.ReplyDelivered(ctx, outboxID, remoteID, ms(s.now()))
}

// RetryOutbox puts an entry back to pending after a failure that may pass, to be tried
// again at the given time.
func (s *Service) RetryOutbox(ctx context.Context, outboxID int64, reason string, at time.Time) error {
	return s.db.MoveOutbox(ctx, outboxID, OutboxSending, OutboxPending, false, reason, "", ms(at), ms(s.now()))
}

// UnknownOutbox marks an entry whose send was cut off where the other side cannot be
// asked: a person must look before it is sent again.
func (s *Service) UnknownOutbox(ctx context.Context, outboxID int64, reason string) error {
	return s.db.MoveOutbox(ctx, outboxID, OutboxSending, OutboxUnknown, false, reason, "", 0, ms(s.now()))
}

// ResendOutbox puts a failed or unknown entry back in the queue, on a person's word (or a
// sending one after a crash, where the other side honours the key or was checked).
func (s *Service) ResendOutbox(ctx context.Context, outboxID int64, from string) error {
	return s.db.MoveOutbox(ctx, outboxID, from, OutboxPending, false, "", "", ms(s.now()), ms(s.now()))
}

// Cursor returns an account's saved sync cursor.
func (s *Service) Cursor(ctx context.Context, channel, account string) (string, error) {
	return s.db.Cursor(ctx, NormalizeChannel(channel), account)
}

// SetCursor saves an account's sync cursor in the batch's transaction, so a crash
// re-fetches at most one batch and idempotent ingest makes that harmless.
func (b *Batch) SetCursor(channel, account, cursor string) error {
	return b.tx.SetCursor(b.ctx, NormalizeChannel(channel), account, cursor, ms(b.s.now()))
}
