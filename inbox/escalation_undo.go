package inbox

import (
	"fmt"

	"github.com/triage-inbox/triage/store"
)

// queueEscalation puts the delivery of a new escalation in the outbox, in the action's
// transaction, when a destination is configured. Its key is what the destination dedups
// by: Idempotency-Key, the email's Message-ID, the ticket's external_id.
func (a *act) queueEscalation(escID, convID int64) error {
	if !a.s.cfg.Escalation.Escalating() {
		return nil
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	_, err = a.tx.QueueEscalation(a.ctx, escID, convID, "triage-"+key, a.at)
	return err
}

// undoEscalate cancels an escalation record and settles its delivery. A delivery that
// has not reached customer service (pending, or failed) is cancelled and nothing is left
// behind. One that has — or may have — is not called back: the ticket stays where it
// is, the undo says so in Undone.Notice, and the audit log records it, so nobody believes
// customer service never heard of the case.
func (a *act) undoEscalate(e store.AuditEvent, out *Undone) error {
	if err := a.tx.SetEscalationStatus(a.ctx, e.RefID, "cancelled", a.at); err != nil {
		return err
	}
	d, err := a.tx.CancelEscalationDelivery(a.ctx, e.RefID, a.at)
	if err != nil {
		return err
	}
	var notice, from string
	switch d.Status {
	case OutboxSent:
		notice = fmt.Sprintf("ticket %s stays open at customer service: close it there", d.RemoteID)
		from = "ticket:" + d.RemoteID
	case OutboxSending:
		notice = "the escalation was being delivered to customer service: if a ticket opens there, its number will show on the conversation"
		from = "delivery:sending"
	case OutboxUnknown:
		notice = "the escalation's delivery was interrupted: a ticket may exist at customer service, check there"
		from = "delivery:unknown"
	default: // none, pending, failed, cancelled: customer service has nothing
		return nil
	}
	if out.Notice != "" {
		notice = out.Notice + "; " + notice
	}
	out.Notice = notice
	// An "undo" event is never itself undone, so this note cannot make the batch undoable.
	return a.audit("undo", e.ConversationID, from, "kept at customer service", e.RefID)
}
