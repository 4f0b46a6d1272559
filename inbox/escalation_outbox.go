package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/triage-inbox/triage/store"
)

// EscalationOut is an escalation leaving the outbox for customer service: what a
// destination (webhook, email, ticket API) needs to open a case there.
type EscalationOut struct {
	OutboxID       int64
	Key            string // idempotency key: the same key never opens two tickets where the destination allows
	EscalationID   int64
	ConversationID int64
	Reason         string
	Priority       Priority
	Note           string
	Agent          string          // who escalated
	EscalatedAt    time.Time       // when
	Link           string          // back to the conversation in triage: "triage://conversation/<id>"
	Doc            ConversationDoc // the conversation, as outside tools receive it
	Attempts       int
}

// ConversationLink is how a conversation is named outside triage.
func ConversationLink(id int64) string { return fmt.Sprintf("triage://conversation/%d", id) }

// escalationOut completes an outbox item with its conversation.
func (s *Service) escalationOut(ctx context.Context, it store.EscalationItem) (EscalationOut, error) {
	doc, err := s.ConversationDoc(ctx, it.ConversationID)
	if err != nil {
		return EscalationOut{}, fmt.Errorf("escalation %d: %w", it.EscalationID, err)
	}
	return EscalationOut{OutboxID: it.ID, Key: it.Key, EscalationID: it.EscalationID, ConversationID: it.ConversationID,
		Reason: it.Reason, Priority: Priority(it.Priority), Note: it.Note, Agent: it.Agent, EscalatedAt: fromMS(it.EscalatedAt),
		Link: ConversationLink(it.ConversationID), Doc: doc, Attempts: it.Attempts}, nil
}

func (s *Service) escalationOuts(ctx context.Context, items []store.EscalationItem, err error) ([]EscalationOut, error) {
	if err != nil {
		return nil, err
	}
	out := make([]EscalationOut, 0, len(items))
	for _, it := range items {
		o, err := s.escalationOut(ctx, it)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// DueEscalations lists the escalation deliveries whose next attempt is due.
func (s *Service) DueEscalations(ctx context.Context, limit int) ([]EscalationOut, error) {
	items, err := s.db.DueEscalations(ctx, ms(s.now()), limit)
	return s.escalationOuts(ctx, items, err)
}

// EscalationsIn lists the escalation deliveries in one outbox status.
func (s *Service) EscalationsIn(ctx context.Context, status string) ([]EscalationOut, error) {
	items, err := s.db.EscalationsInStatus(ctx, status)
	return s.escalationOuts(ctx, items, err)
}

// EscalationSent records that customer service has the case: the delivery is sent, and
// the ticket's id becomes the escalation's external reference, shown on the conversation
// and filled in as {ticket} in canned replies.
func (s *Service) EscalationSent(ctx context.Context, outboxID int64, ref string) error {
	return s.db.EscalationDelivered(ctx, outboxID, ref, ms(s.now()))
}

// EscalationDelivery is where the delivery of one escalation to customer service stands.
type EscalationDelivery struct {
	OutboxID     int64
	EscalationID int64
	Status       string // pending, sending, sent, failed, unknown, cancelled
	Attempts     int
	LastError    string // why the last attempt failed
	Ref          string // the ticket's id, once sent
}

// EscalationDeliveries lists the deliveries of a conversation's escalations, oldest
// first, so a failed one can be shown with its reason.
func (s *Service) EscalationDeliveries(ctx context.Context, convID int64) ([]EscalationDelivery, error) {
	items, err := s.db.EscalationDeliveries(ctx, convID)
	if err != nil {
		return nil, err
	}
	out := make([]EscalationDelivery, len(items))
	for i, it := range items {
		out[i] = EscalationDelivery{OutboxID: it.ID, EscalationID: it.EscalationID, Status: it.Status,
			Attempts: it.Attempts, LastError: it.LastError, Ref: it.RemoteID}
	}
	return out, nil
}
