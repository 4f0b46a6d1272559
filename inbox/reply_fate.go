package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/triage-inbox/triage/store"
)

// What becomes of a reply after the person sent it. A reply answers from the moment it is
// sent, while it is pending, sending, sent or of unknown fate; it stops answering when the
// channel refuses it for good (failed) or a person takes it back, and the messages it
// answered wait again, with their SLA due times, in the queue.

// FailedReplies counts the replies the channels refused that nobody has sent again or
// taken back.
func (s *Service) FailedReplies(ctx context.Context) (int, error) { return s.db.FailedReplies(ctx) }

// ErrAlreadySent means a reply has left the outbox and can no longer be taken back.
var ErrAlreadySent = store.ErrAlreadySent

// FailOutbox marks an entry failed for good, with the reason shown to the person; a
// reply's text stays in the conversation and stops counting as an answer, so the
// conversation comes back to the queue; an escalation stays open in triage.
func (s *Service) FailOutbox(ctx context.Context, outboxID int64, reason string) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		now := ms(s.now())
		mv, err := tx.MoveOutbox(ctx, outboxID, OutboxSending, OutboxFailed, false, reason, "", 0, now)
		if err != nil || !mv.Reply {
			return err
		}
		return reopenIfWaiting(ctx, tx, mv.ConversationID, now)
	})
}

// reopenIfWaiting moves a conversation waiting on the customer back to open when a message
// of it waits for an answer again (the system's change, in the audit log).
func reopenIfWaiting(ctx context.Context, tx *store.Tx, convID, now int64) error {
	meta, err := tx.ConvMeta(ctx, convID)
	if err != nil || meta.State != string(StateWaiting) {
		return err
	}
	n, err := tx.Unanswered(ctx, convID)
	if err != nil || n == 0 {
		return err
	}
	if err := tx.SetState(ctx, convID, string(StateOpen), 0); err != nil {
		return err
	}
	return tx.Audit(ctx, store.AuditEvent{At: now, Actor: "system", Action: "state", ConversationID: convID,
		From: string(StateWaiting), To: string(StateOpen)})
}

// RetryReply sends a failed reply (or one of unknown fate, once a person has checked the
// channel, or one a lead sent back) again, on a person's word: it answers from now, waits
// out the undo window like any reply, and moves the conversation to waiting. From a person
// whose replies need approval it waits for a lead again instead, as any reply of theirs.
// A reply the channel would refuse as it stands is refused here too; take it back to edit it.
func (s *Service) RetryReply(ctx context.Context, msgID int64) (Sent, error) {
	var sent Sent
	err := s.actTx(ctx, func(a *act) error {
		f, err := a.failedReply(msgID, "nothing to send again")
		if err != nil {
			return err
		}
		meta, err := a.tx.ConvMeta(a.ctx, f.ConversationID)
		if err != nil {
			return err
		}
		warnings := a.s.voice.CheckAs(meta.Channel, replyKind(Kind(meta.Kind), Kind(f.Kind)), f.Text)
		if err := a.s.refusal(warnings); err != nil {
			return fmt.Errorf("%w (take it back with E to edit it)", err)
		}
		sendAt := a.at + a.s.sendDelay.Milliseconds()
		to := OutboxPending
		if a.s.NeedsApproval() {
			to = OutboxAwaitingApproval
		}
		if err := a.tx.ChangeReply(a.ctx, store.ReplyChange{MessageID: msgID, From: f.Status, To: to,
			SentAt: a.at, NextAt: sendAt, Now: a.at}); err != nil {
			return err
		}
		// The audit keeps what the retry replaced, so undo can put it back.
		if err := a.audit("retry", f.ConversationID, f.Status+"@"+strconv.FormatInt(f.CreatedAt, 10), to, msgID); err != nil {
			return err
		}
		sent = Sent{MessageID: msgID, Warnings: warnings, SendAt: fromMS(sendAt)}
		if to == OutboxAwaitingApproval {
			sent = Sent{MessageID: msgID, Warnings: warnings, AwaitingApproval: true}
		}
		return a.setState(f.ConversationID, StateWaiting, 0)
	})
	if err != nil {
		return Sent{}, fmt.Errorf("send reply again: %w", err)
	}
	return sent, nil
}

// TakeBack takes a failed reply (or one of unknown fate) back to edit: it stays in the
// conversation as taken back, stops counting as an answer, and its text goes to the
// draft, after any draft already there. It returns the draft.
func (s *Service) TakeBack(ctx context.Context, msgID int64) (string, error) {
	var draft string
	err := s.actTx(ctx, func(a *act) error {
		f, err := a.failedReply(msgID, "only a failed reply is taken back this way (u undoes one still waiting)")
		if err != nil {
			return err
		}
		if err := a.tx.ChangeReply(a.ctx, store.ReplyChange{MessageID: msgID, From: f.Status, To: OutboxCancelled, Now: a.at}); err != nil {
			return err
		}
		before, err := a.tx.Draft(a.ctx, f.ConversationID, a.s.agent)
		if err != nil {
			return err
		}
		draft = f.Text
		if strings.TrimSpace(before) != "" {
			draft = strings.TrimRight(before, "\n") + "\n\n" + f.Text
		}
		if err := a.tx.SaveDraft(a.ctx, f.ConversationID, a.s.agent, draft, a.at); err != nil {
			return err
		}
		if err := a.audit("takeback", f.ConversationID, before, f.Status, msgID); err != nil {
			return err
		}
		return reopenIfWaiting(a.ctx, a.tx, f.ConversationID, a.at)
	})
	if err != nil {
		return "", fmt.Errorf("take back reply: %w", err)
	}
	return draft, nil
}

// failedReply reads a reply that a person may send again or take back: one that failed,
// whose fate is unknown, or that a lead sent back. Any other is an error that says why not.
func (a *act) failedReply(msgID int64, whyNot string) (store.ReplyFate, error) {
	f, err := a.tx.ReplyFate(a.ctx, msgID)
	if err == nil && f.Status != OutboxFailed && f.Status != OutboxUnknown && f.Status != OutboxReturned {
		err = fmt.Errorf("the reply is %s, not failed: %s", f.Status, whyNot)
	}
	return f, err
}

// undoRetry puts a reply sent again (or approved) back as it was, while it still waits in
// the outbox (or for approval): e.From is "status@time" before, e.To the status after.
func (a *act) undoRetry(e store.AuditEvent) error {
	status, at, _ := strings.Cut(e.From, "@")
	sentAt, _ := strconv.ParseInt(at, 10, 64)
	err := a.tx.ChangeReply(a.ctx, store.ReplyChange{MessageID: e.RefID, From: e.To, To: status, SentAt: sentAt, Now: a.at})
	if errors.Is(err, store.ErrOutboxState) {
		return fmt.Errorf("the reply has left the outbox: %w", ErrAlreadySent)
	}
	return err
}

// undoTakeBack puts a taken-back reply back as it was and the draft as it was before,
// unless the person has edited the draft since: their words are never thrown away.
func (a *act) undoTakeBack(e store.AuditEvent) error {
	f, err := a.tx.ReplyFate(a.ctx, e.RefID)
	if err != nil {
		return err
	}
	if err := a.tx.ChangeReply(a.ctx, store.ReplyChange{MessageID: e.RefID, From: OutboxCancelled, To: e.To, Now: a.at}); err != nil {
		return err
	}
	draft, err := a.tx.Draft(a.ctx, e.ConversationID, a.s.agent)
	if err != nil {
		return err
	}
	set := f.Text
	if strings.TrimSpace(e.From) != "" {
		set = strings.TrimRight(e.From, "\n") + "\n\n" + f.Text
	}
	if draft != set {
		return nil
	}
	return a.tx.SaveDraft(a.ctx, e.ConversationID, a.s.agent, e.From, a.at)
}

// EndUndoWindows lets the replies still in their undo window leave now (the person is
// quitting, so nobody will undo them), and says how many there were.
func (s *Service) EndUndoWindows(ctx context.Context) (int, error) {
	return s.db.EndUndoWindows(ctx, ms(s.now()))
}
