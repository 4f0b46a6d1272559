package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Outbox kinds: what an entry carries.
const (
	OutboxReply      = "reply"
	OutboxEscalation = "escalation"
)

// EscalationItem is an escalation waiting in the outbox to be delivered to customer
// service, with what the delivery says about it.
type EscalationItem struct {
	ID, EscalationID, ConversationID int64
	Status                           string // of the delivery: pending, sending, sent, …
	Key                              string
	Attempts                         int
	LastError                        string
	RemoteID                         string // the ticket's id at customer service, once sent
	Reason                           string
	Priority                         int
	Note                             string
	Agent                            string
	EscalatedAt                      int64 // when the person escalated (Unix ms)
	EscalationStatus                 string
}

const escalationItemSelect = `SELECT o.id, o.escalation_id, o.conversation_id, o.status, o.idempotency_key, o.attempts,
	o.last_error, o.remote_id, e.reason, e.priority, e.note, e.agent, e.created_at, e.status
	FROM outbox o JOIN escalations e ON e.id = o.escalation_id`

func scanEscalationItems(rows *sql.Rows) ([]EscalationItem, error) {
	defer rows.Close()
	var out []EscalationItem
	for rows.Next() {
		var it EscalationItem
		if err := rows.Scan(&it.ID, &it.EscalationID, &it.ConversationID, &it.Status, &it.Key, &it.Attempts,
			&it.LastError, &it.RemoteID, &it.Reason, &it.Priority, &it.Note, &it.Agent, &it.EscalatedAt,
			&it.EscalationStatus); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// QueueEscalation puts the delivery of an escalation in the outbox, in the caller's
// transaction (the one that records the escalation), and returns the entry's id.
func (tx *Tx) QueueEscalation(ctx context.Context, escalationID, convID int64, key string, at int64) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO outbox (kind, escalation_id, conversation_id, idempotency_key, next_attempt_at,
		created_at, updated_at) VALUES ('escalation', ?, ?, ?, ?, ?, ?) RETURNING id`, escalationID, convID, key, at, at, at).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("queue escalation %d: %w", escalationID, err)
	}
	return id, nil
}

// DueEscalations lists pending escalation deliveries whose next attempt is due, oldest
// first.
func (db *DB) DueEscalations(ctx context.Context, now int64, limit int) ([]EscalationItem, error) {
	rows, err := db.sql.QueryContext(ctx, escalationItemSelect+` WHERE o.kind = 'escalation' AND o.status = 'pending'
		AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("read escalation outbox: %w", err)
	}
	return scanEscalationItems(rows)
}

// EscalationsInStatus lists the escalation deliveries in one status (e.g. "sending" after
// a crash). On PostgreSQL, as for replies (OutboxInStatus), "sending" leaves out the
// deliveries a live sender on any host is making: only what a dead one left is settled.
func (db *DB) EscalationsInStatus(ctx context.Context, status string) ([]EscalationItem, error) {
	q := escalationItemSelect + ` WHERE o.kind = 'escalation' AND o.status = ?`
	if status == "sending" && db.d.engine() == "postgres" {
		q += ` AND ` + sendUnlocked
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY o.id`, status)
	if err != nil {
		return nil, fmt.Errorf("read escalation outbox: %w", err)
	}
	items, err := scanEscalationItems(rows)
	if status != "sending" || err != nil {
		return items, err
	}
	return withoutLiveSends(db, items, func(it EscalationItem) int64 { return it.ID }), nil
}

// EscalationDeliveries lists the deliveries of a conversation's escalations, oldest
// first: where each one stands, and the ticket it became.
func (db *DB) EscalationDeliveries(ctx context.Context, convID int64) ([]EscalationItem, error) {
	// By the escalation's conversation: its index finds them without reading the outbox.
	rows, err := db.sql.QueryContext(ctx, escalationItemSelect+` WHERE e.conversation_id = ? ORDER BY o.id`, convID)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of conversation %d: %w", convID, err)
	}
	return scanEscalationItems(rows)
}

// EscalationDelivered records that customer service has the escalation: the delivery is
// sent with the ticket's id, and the escalation keeps that id as its external_ref, in one
// transaction. It fails with ErrOutboxState when the delivery was not sending.
func (db *DB) EscalationDelivered(ctx context.Context, outboxID int64, ref string, now int64) error {
	defer db.unlockSend(outboxID)
	return db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', remote_id = ?, updated_at = ?
			WHERE id = ? AND kind = 'escalation' AND status = 'sending'`, ref, now, outboxID)
		if err != nil {
			return fmt.Errorf("outbox %d sending -> sent: %w", outboxID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("outbox %d sending -> sent: %w", outboxID, ErrOutboxState)
		}
		if _, err := tx.exec(ctx, `UPDATE escalations SET external_ref = ?
			WHERE id = (SELECT escalation_id FROM outbox WHERE id = ?)`, ref, outboxID); err != nil {
			return fmt.Errorf("record ticket of outbox %d: %w", outboxID, err)
		}
		return nil
	})
}

// CancelEscalationDelivery settles the delivery of an escalation being undone, in the
// caller's transaction. A delivery that has not reached customer service for sure
// (pending, failed, unknown) is cancelled; one that is sending or sent is left as it is.
// It returns the delivery as it stood before (zero when the escalation had none, because
// no destination was configured when it was made).
func (tx *Tx) CancelEscalationDelivery(ctx context.Context, escalationID, at int64) (EscalationItem, error) {
	var it EscalationItem
	err := tx.queryRow(ctx, escalationItemSelect+` WHERE o.escalation_id = ?`, escalationID).Scan(&it.ID, &it.EscalationID,
		&it.ConversationID, &it.Status, &it.Key, &it.Attempts, &it.LastError, &it.RemoteID, &it.Reason, &it.Priority,
		&it.Note, &it.Agent, &it.EscalatedAt, &it.EscalationStatus)
	if errors.Is(err, sql.ErrNoRows) {
		return EscalationItem{}, nil
	}
	if err != nil {
		return it, fmt.Errorf("read delivery of escalation %d: %w", escalationID, err)
	}
	switch it.Status {
	case "pending", "failed", "unknown":
		if _, err := tx.exec(ctx, `UPDATE outbox SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = ?`,
			at, it.ID, it.Status); err != nil {
			return it, fmt.Errorf("cancel delivery of escalation %d: %w", escalationID, err)
		}
	}
	return it, nil
}
