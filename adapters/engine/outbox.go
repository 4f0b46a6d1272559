package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// maxAttempts is how often a reply is tried before it is marked failed for a person.
const maxAttempts = 8

// adapterFor finds the account that sends a reply: the one with the reply's channel and
// account, else the only account on that channel.
func (e *Engine) adapterFor(out inbox.Outgoing) *account {
	var only *account
	n := 0
	for _, a := range e.accounts {
		if a.Channel != out.Channel {
			continue
		}
		if a.Handle == out.Account {
			return a
		}
		only = a
		n++
	}
	if n == 1 {
		return only
	}
	return nil
}

// recover settles replies left in "sending" by a crash: resent where the channel honours
// the idempotency key, checked where it can be asked, and otherwise marked unknown for a
// person to look at — never posted a second time on a guess.
func (e *Engine) recover(ctx context.Context) error {
	stuck, err := e.svc.RepliesIn(ctx, inbox.OutboxSending)
	if err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	for _, out := range stuck {
		a := e.adapterFor(out)
		if a == nil {
			continue // no account for it in this config: leave it as it is
		}
		switch {
		case a.Adapter.Capabilities().Idempotent:
			err = e.svc.ResendReply(ctx, out.OutboxID, inbox.OutboxSending)
		case isChecker(a.Adapter):
			remote, found, cerr := a.Adapter.(adapters.Checker).Sent(ctx, out)
			switch {
			case cerr != nil:
				err = e.svc.ReplyUnknown(ctx, out.OutboxID, "sending was interrupted and the channel could not be checked: "+cerr.Error())
			case found:
				err = e.svc.ReplySent(ctx, out.OutboxID, remote)
			default:
				err = e.svc.ResendReply(ctx, out.OutboxID, inbox.OutboxSending)
			}
		default:
			err = e.svc.ReplyUnknown(ctx, out.OutboxID, "sending was interrupted; check the channel before sending again")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isChecker(a adapters.Adapter) bool {
	_, ok := a.(adapters.Checker)
	return ok
}

// sendDue sends the replies whose time has come.
func (e *Engine) sendDue(ctx context.Context) error {
	due, err := e.svc.DueReplies(ctx, 50)
	if err != nil {
		return err
	}
	var errs []error
	for _, out := range due {
		if err := e.send(ctx, out); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// send posts one reply: claimed (sending) before the channel is called, then sent,
// retried later, or failed with its reason.
func (e *Engine) send(ctx context.Context, out inbox.Outgoing) error {
	a := e.adapterFor(out)
	if a == nil {
		return nil // no account configured for this channel: it waits
	}
	if err := e.svc.ClaimReply(ctx, out.OutboxID); err != nil {
		return nil // another sender has it
	}
	remote, err := a.Adapter.Send(ctx, out)
	if err == nil {
		return e.svc.ReplySent(ctx, out.OutboxID, remote)
	}
	e.log.Error("send reply", "account", a.Name, "outbox", out.OutboxID, "err", err)
	var ae *adapters.Error
	permanent := errors.As(err, &ae) && ae.Permanent
	if permanent || out.Attempts+1 >= maxAttempts {
		return errors.Join(fmt.Errorf("reply %d on %s failed: %w", out.OutboxID, a.Name, err), e.svc.ReplyFailed(ctx, out.OutboxID, err.Error()))
	}
	wait := jitter(min(10*time.Second<<out.Attempts, 30*time.Minute))
	if ae != nil && ae.RetryAfter > wait {
		wait = ae.RetryAfter
	}
	return errors.Join(fmt.Errorf("reply %d on %s: %w (retrying in %s)", out.OutboxID, a.Name, err, wait.Round(time.Second)),
		e.svc.ReplyRetry(ctx, out.OutboxID, err.Error(), e.svc.Now().Add(wait)))
}
