package store

import (
	"context"
	"fmt"
	"strings"
)

// ConvRestore is what an export says of a conversation beyond its messages: its state,
// assignee, tags, notes and escalations. Import applies it with the conversation's new
// messages, so an inbox exported and imported again is the same inbox.
type ConvRestore struct {
	State       string // "" leaves it
	SnoozeUntil int64  // with State snoozed
	Assignee    *string
	Tags        []string
	Notes       []Note       // ID ignored; one already there (same time, agent, text) is not added again
	Escalations []Escalation // ID and ConversationID ignored; likewise by time, reason and agent
}

// RestoreConversation applies r to a conversation ingest has just stored a message in, in
// the same transaction. It keeps to ingest's own statements, so a bulk load stays one.
func (tx *Tx) RestoreConversation(ctx context.Context, convID int64, r ConvRestore) error {
	c := tx.dirty[convID]
	if c != nil {
		c.extras = true
	}
	for _, tag := range r.Tags {
		if err := tx.addTag(ctx, convID, tag); err != nil {
			return err
		}
	}
	if r.Assignee != nil {
		if _, err := tx.exec(ctx, `UPDATE conversations SET assignee = ? WHERE id = ? AND assignee <> ?`, *r.Assignee, convID, *r.Assignee); err != nil {
			return fmt.Errorf("restore assignee of conversation %d: %w", convID, err)
		}
	}
	for _, n := range r.Notes {
		if _, err := tx.exec(ctx, `INSERT INTO notes (conversation_id, agent, text, created_at) SELECT ?1, ?2, ?3, ?4
			WHERE NOT EXISTS (SELECT 1 FROM notes WHERE conversation_id = ?1 AND created_at = ?4 AND agent = ?2 AND text = ?3)`,
			convID, n.Agent, n.Text, n.CreatedAt); err != nil {
			return fmt.Errorf("restore note of conversation %d: %w", convID, err)
		}
	}
	for _, e := range r.Escalations {
		var resolved any
		if e.ResolvedAt != 0 {
			resolved = e.ResolvedAt
		}
		if _, err := tx.exec(ctx, `INSERT INTO escalations (conversation_id, reason, priority, note, agent, status, arrived_at,
			created_at, resolved_at, external_ref) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
			WHERE NOT EXISTS (SELECT 1 FROM escalations WHERE conversation_id = ?1 AND created_at = ?8 AND reason = ?2 AND agent = ?5)`,
			convID, e.Reason, e.Priority, e.Note, e.Agent, e.Status, e.ArrivedAt, e.CreatedAt, resolved, e.ExternalRef); err != nil {
			return fmt.Errorf("restore escalation of conversation %d: %w", convID, err)
		}
	}
	if r.State == "" {
		return nil
	}
	if c != nil && c.state == r.State && r.State != "snoozed" {
		return nil
	}
	if err := tx.setState(ctx, convID, r.State, r.SnoozeUntil); err != nil {
		return err
	}
	if c != nil {
		c.state = r.State
	}
	return nil
}

// importOutbox records where a reply of ours stood in the outbox, as an export said. A
// reply that had not surely left (pending, sending, unknown) comes in as unknown: the
// sender never sends it again from here, and a person can see it and decide.
func (tx *Tx) importOutbox(ctx context.Context, msgID, convID int64, m NewMessage) error {
	status := m.OutboxStatus
	switch status {
	case "sent", "failed", "cancelled", StatusAwaitingApproval, StatusReturned:
		// A reply awaiting approval or sent back never left: it comes in as it stood,
		// for a lead of this inbox to approve or its author to edit.
	case "pending", "sending", "unknown":
		status = "unknown"
	default:
		return fmt.Errorf("message %s: outbox status %q (want pending, sending, sent, failed, unknown, cancelled, awaiting_approval or returned)", m.ExtID, m.OutboxStatus)
	}
	if tx.bulk != nil {
		if err := tx.writeBuffered(ctx, msgID); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, `INSERT INTO outbox (kind, message_id, conversation_id, status, idempotency_key, next_attempt_at, created_at, updated_at)
		VALUES ('reply', ?, ?, ?, ?, ?, ?, ?)`, msgID, convID, status, strings.TrimPrefix(m.ExtID, "triage:"), m.CreatedAt, m.CreatedAt, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("message %s: outbox entry: %w", m.ExtID, err)
	}
	return nil
}
