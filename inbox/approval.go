package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/triage-inbox/triage/store"
)

// Approval: the replies of some agents ([team] approval, approval_roles) wait for a lead.
// Awaiting approval, a reply is in the conversation but not in the outbox and answers
// nothing: the customer is still waiting, and the due time runs. Approved at T, it enters
// the outbox (undo window and all) and answers from T, so its first response time is
// measured at approval. Sent back with a note, it never answered; its author edits it
// (E) or sends it again (R), and the conversation returns to the Inbox. Every step is an
// audit event naming who took it.

// Outbox statuses of approval (see store/approval.go).
const (
	OutboxAwaitingApproval = store.StatusAwaitingApproval
	OutboxReturned         = store.StatusReturned
)

// Audit actions of approval, beside "reply" (the author's) and "retry".
const (
	auditAwaiting = "await_approval" // the author's reply was written awaiting approval
	auditApprove  = "approve"        // a lead approved it: from "awaiting_approval@<written ms>", to its author
	auditSendBack = "send_back"      // a lead sent it back: from its author, to the note
)

// ErrOwnReply means a lead tried to approve or send back a reply of their own: approval
// is a second pair of eyes.
var ErrOwnReply = errors.New("a reply is approved by someone other than its author")

// Approve lets a reply awaiting approval leave: it enters the outbox with the undo window
// of any reply (u takes the approval back while it lasts) and answers from now. Only
// leads and admins approve, and never their own reply.
func (s *Service) Approve(ctx context.Context, msgID int64) (Sent, error) {
	if err := s.mayApprove("approve replies"); err != nil {
		return Sent{}, err
	}
	var sent Sent
	err := s.actTx(ctx, func(a *act) error {
		f, err := a.awaitingReply(msgID)
		if err != nil {
			return err
		}
		sendAt := a.at + a.s.sendDelay.Milliseconds()
		if err := a.tx.ChangeReply(a.ctx, store.ReplyChange{MessageID: msgID, From: OutboxAwaitingApproval, To: OutboxPending,
			SentAt: a.at, NextAt: sendAt, Now: a.at}); err != nil {
			return err
		}
		// From keeps when the author wrote it, so undo puts the reply back exactly (undoRetry).
		from := OutboxAwaitingApproval + "@" + strconv.FormatInt(f.CreatedAt, 10)
		if err := a.audit(auditApprove, f.ConversationID, from, OutboxPending, msgID); err != nil {
			return err
		}
		sent = Sent{MessageID: msgID, SendAt: fromMS(sendAt)}
		return a.waitAfterApproval(f.ConversationID)
	})
	if err != nil {
		return Sent{}, fmt.Errorf("approve reply: %w", err)
	}
	return sent, nil
}

// SendBack returns a reply awaiting approval to its author with a note saying why: it
// stays in the conversation as sent back, answers nothing, and the conversation waits in
// the Inbox again with its due time. Its author edits it (TakeBack) or sends it again
// (RetryReply, which asks for approval again). Only leads and admins send back.
func (s *Service) SendBack(ctx context.Context, msgID int64, note string) error {
	if err := s.mayApprove("send replies back"); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return errors.New("send back: say why in a note, for the reply's author")
	}
	err := s.actTx(ctx, func(a *act) error {
		f, err := a.awaitingReply(msgID)
		if err != nil {
			return err
		}
		if err := a.tx.ReturnReply(a.ctx, msgID, note, a.at); err != nil {
			return err
		}
		if err := a.audit(auditSendBack, f.ConversationID, f.Agent, note, msgID); err != nil {
			return err
		}
		// Back to the Inbox in the lead's action, so undo puts the conversation back too.
		meta, err := a.tx.ConvMeta(a.ctx, f.ConversationID)
		if err != nil || meta.State != string(StateWaiting) {
			return err
		}
		if n, err := a.tx.Unanswered(a.ctx, f.ConversationID); err != nil || n == 0 {
			return err
		}
		return a.setState(f.ConversationID, StateOpen, 0)
	})
	if err != nil {
		return fmt.Errorf("send back reply: %w", err)
	}
	return nil
}

// awaitingReply reads a reply a lead may approve or send back: one awaiting approval,
// written by someone else.
func (a *act) awaitingReply(msgID int64) (store.ReplyFate, error) {
	f, err := a.tx.ReplyFate(a.ctx, msgID)
	if err != nil {
		return f, err
	}
	if f.Status != OutboxAwaitingApproval {
		return f, fmt.Errorf("the reply is %s, not awaiting approval", strings.ReplaceAll(f.Status, "_", " "))
	}
	if f.Agent == a.s.agent {
		return f, ErrOwnReply
	}
	return f, nil
}

// waitAfterApproval moves a conversation that still needs action to waiting, as any
// reply does; one a person closed or snoozed meanwhile stays as they left it.
func (a *act) waitAfterApproval(convID int64) error {
	meta, err := a.tx.ConvMeta(a.ctx, convID)
	if err != nil {
		return err
	}
	if st := State(meta.State); st != StateNew && st != StateOpen {
		return nil
	}
	return a.setState(convID, StateWaiting, 0)
}

// undoSendBack puts a sent-back reply back to awaiting approval, unless its author has
// taken it back or sent it again meanwhile.
func (a *act) undoSendBack(e store.AuditEvent) error {
	err := a.tx.ChangeReply(a.ctx, store.ReplyChange{MessageID: e.RefID, From: OutboxReturned, To: OutboxAwaitingApproval, Now: a.at})
	if errors.Is(err, store.ErrOutboxState) {
		return fmt.Errorf("its author has taken the reply back or sent it again: %w", err)
	}
	return err
}

// AwaitingApproval counts the replies waiting for a lead.
func (s *Service) AwaitingApproval(ctx context.Context) (int, error) {
	return s.db.AwaitingApproval(ctx)
}
