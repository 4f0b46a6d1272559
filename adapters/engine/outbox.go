package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/escalate"
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
	if err := e.recoverEscalations(ctx); err != nil {
		return err
	}
	stuck, err := e.svc.RepliesIn(ctx, inbox.OutboxSending)
	if err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	for _, out := range stuck {
		a := e.adapterFor(out)
		if a == nil {
			continue // no account for it in this config: leave it as it is
		}
		// Asking the channel comes first even where it honours the key: a key is only
		// remembered for so long (Mastodon: about an hour), and the restart may be later.
		switch {
		case isChecker(a.Adapter):
			remote, found, cerr := a.Adapter.(adapters.Checker).Sent(ctx, out)
			switch {
			case cerr != nil:
				err = e.svc.UnknownOutbox(ctx, out.OutboxID, "sending was interrupted and the channel could not be checked: "+adapters.Redact(cerr.Error()))
			case found:
				err = e.svc.ReplySent(ctx, out.OutboxID, remote)
			default:
				e.markChecked(out.OutboxID)
				err = e.svc.ResendOutbox(ctx, out.OutboxID, inbox.OutboxSending)
			}
		case a.Adapter.Capabilities().Idempotent:
			err = e.svc.ResendOutbox(ctx, out.OutboxID, inbox.OutboxSending)
		default:
			err = e.svc.UnknownOutbox(ctx, out.OutboxID, "sending was interrupted; check the channel before sending again")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) markChecked(id int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.checked == nil {
		e.checked = map[int64]bool{}
	}
	e.checked[id] = true
}

// takeChecked says whether the reply was just checked, and forgets it.
func (e *Engine) takeChecked(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	ok := e.checked[id]
	delete(e.checked, id)
	return ok
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
	attempts, err := e.svc.ClaimForSending(ctx, out.OutboxID)
	if err != nil {
		return nil // another sender has it
	}
	// The count as claimed, not as listed: another host may have tried it meanwhile.
	out.Attempts = attempts
	// Whatever becomes of it, the screens hear of it at once: a failed reply must show.
	defer e.setState(a, func(s *inbox.SyncState) { s.Settled++ })
	idempotent := a.Adapter.Capabilities().Idempotent
	if out.Attempts > 0 && !idempotent && isChecker(a.Adapter) && !e.takeChecked(out.OutboxID) {
		// An earlier attempt may have posted it without the answer reaching us (a 500
		// after the comment was created, a dropped connection): ask before posting again.
		remote, found, err := a.Adapter.(adapters.Checker).Sent(ctx, out)
		var ae *adapters.Error
		if err != nil && (adapters.MaybeSent(err) || errors.As(err, &ae) && ae.Permanent) {
			// The channel cannot tell (the search does not reach that far, a DM without
			// the message it answers): asking again will not tell either, and posting
			// could post twice. A person looks.
			err = adapters.RedactError(err)
			return errors.Join(fmt.Errorf("reply %d on %s: look for an earlier attempt: %w", out.OutboxID, a.Name, err),
				e.svc.UnknownOutbox(ctx, out.OutboxID, "an earlier attempt may have posted it and the channel cannot tell ("+err.Error()+"); check the channel before sending again"))
		}
		if err != nil {
			err = adapters.RedactError(err)
			return errors.Join(fmt.Errorf("reply %d on %s: look for an earlier attempt: %w", out.OutboxID, a.Name, err),
				e.svc.RetryOutbox(ctx, out.OutboxID, err.Error(), e.svc.Now().Add(jitter(time.Minute))))
		}
		if found {
			return e.svc.ReplySent(ctx, out.OutboxID, remote)
		}
	}
	remote, err := a.Adapter.Send(ctx, out)
	if err == nil {
		return e.svc.ReplySent(ctx, out.OutboxID, remote)
	}
	// Last line of defence: what is logged, stored and returned holds no secret.
	err = adapters.RedactError(err)
	e.log.Error("send reply", "account", a.Name, "outbox", out.OutboxID, "err", err)
	wait, retry := retryAfter(err, out.Attempts)
	if retry && adapters.MaybeSent(err) && !idempotent && !isChecker(a.Adapter) {
		// Sending again could post it twice, and the channel cannot be asked: a person
		// looks on the channel and sends it again (R) only if it is not there.
		return errors.Join(fmt.Errorf("reply %d on %s: %w", out.OutboxID, a.Name, err),
			e.svc.UnknownOutbox(ctx, out.OutboxID, "the channel gave no clear answer ("+err.Error()+"); check the channel before sending again"))
	}
	if !retry {
		return errors.Join(fmt.Errorf("reply %d on %s failed: %w", out.OutboxID, a.Name, err), e.svc.FailOutbox(ctx, out.OutboxID, err.Error()))
	}
	return errors.Join(fmt.Errorf("reply %d on %s: %w (retrying in %s)", out.OutboxID, a.Name, err, wait.Round(time.Second)),
		e.svc.RetryOutbox(ctx, out.OutboxID, err.Error(), e.svc.Now().Add(wait)))
}

// retryAfter says whether a failed send is tried again and after how long: not after a
// Permanent error or the last attempt; otherwise exponential from 10 s to 30 min with
// jitter, and never sooner than the other side asked (Retry-After).
func retryAfter(err error, attempts int) (time.Duration, bool) {
	var ae *adapters.Error
	if errors.As(err, &ae) && ae.Permanent || attempts+1 >= maxAttempts {
		return 0, false
	}
	wait := jitter(min(10*time.Second<<attempts, 30*time.Minute))
	if ae != nil && ae.RetryAfter > wait {
		wait = ae.RetryAfter
	}
	return wait, true
}

// destinationName names a destination in sync states: its String, else "escalation".
func destinationName(d escalate.Destination) string {
	if s, ok := d.(fmt.Stringer); ok {
		return s.String()
	}
	return "escalation"
}

// recoverEscalations settles deliveries left in "sending" by a crash: tried again with
// the same key where the destination is idempotent (the Zendesk lookup, the webhook's
// Idempotency-Key), otherwise marked unknown for a person to check at customer service.
func (e *Engine) recoverEscalations(ctx context.Context) error {
	if e.dest == nil {
		return nil // no destination in this config: leave them as they are
	}
	stuck, err := e.svc.EscalationsIn(ctx, inbox.OutboxSending)
	if err != nil {
		return fmt.Errorf("read escalation outbox: %w", err)
	}
	for _, out := range stuck {
		if e.dest.Idempotent() {
			err = e.svc.ResendOutbox(ctx, out.OutboxID, inbox.OutboxSending)
		} else {
			err = e.svc.UnknownOutbox(ctx, out.OutboxID,
				"delivery was interrupted; check customer service before sending it again")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// deliverDue delivers the escalations whose time has come.
func (e *Engine) deliverDue(ctx context.Context) error {
	if e.dest == nil {
		return nil
	}
	due, err := e.svc.DueEscalations(ctx, 50)
	if err != nil {
		return err
	}
	var errs []error
	for _, out := range due {
		if err := e.deliver(ctx, out); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deliver hands one escalation to customer service: claimed (sending) before the
// destination is called, then sent with the ticket's id, retried later, or failed with
// its reason — shown in the destination's sync state as well as on the escalation.
func (e *Engine) deliver(ctx context.Context, out inbox.EscalationOut) error {
	if err := e.svc.ClaimOutbox(ctx, out.OutboxID); err != nil {
		return nil // another sender has it, or an undo took it back
	}
	ref, err := e.dest.Deliver(ctx, out)
	err = adapters.RedactError(err) // what is logged, stored and returned holds no secret
	if err == nil {
		e.setDestState(func(s *inbox.SyncState) { s.Status, s.Err, s.NextTry = "ok", "", time.Time{} })
		e.log.Info("escalation delivered", "escalation", out.EscalationID, "ref", ref)
		return e.svc.EscalationSent(ctx, out.OutboxID, ref)
	}
	e.log.Error("deliver escalation", "escalation", out.EscalationID, "outbox", out.OutboxID, "err", err)
	wait, retry := retryAfter(err, out.Attempts)
	if !retry {
		e.setDestState(func(s *inbox.SyncState) { s.Status, s.Err, s.NextTry = "error", err.Error(), time.Time{} })
		return errors.Join(fmt.Errorf("escalation %d failed: %w", out.EscalationID, err),
			e.svc.FailOutbox(ctx, out.OutboxID, err.Error()))
	}
	next := e.svc.Now().Add(wait)
	e.setDestState(func(s *inbox.SyncState) { s.Status, s.Err, s.NextTry = "backing off", err.Error(), next })
	return errors.Join(fmt.Errorf("escalation %d: %w (retrying in %s)", out.EscalationID, err, wait.Round(time.Second)),
		e.svc.RetryOutbox(ctx, out.OutboxID, err.Error(), next))
}

func (e *Engine) setDestState(f func(*inbox.SyncState)) {
	e.mu.Lock()
	f(&e.destState)
	e.mu.Unlock()
	if e.notify != nil {
		e.notify(e.States())
	}
}
