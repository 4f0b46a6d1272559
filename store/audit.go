package store

import (
	"context"
	"database/sql"
	"fmt"
)

// AuditEvent is one change: who made it, when, what, from which value to which.
type AuditEvent struct {
	ID             int64
	At             int64 // Unix ms
	Actor          string
	Action         string
	ConversationID int64
	From, To       string
	RefID          int64 // the note, escalation or message the event concerns, or a close time
	Batch          int64 // events of one action share a batch; 0 for the system's own changes
	Undone         bool
}

// NextBatch returns a fresh batch number for the events of one action.
func (tx *Tx) NextBatch(ctx context.Context) (int64, error) {
	var b int64
	if err := tx.queryRow(ctx, tx.d.nextBatch()).Scan(&b); err != nil {
		return 0, fmt.Errorf("next audit batch: %w", err)
	}
	return b, nil
}

// Audit records an event in the transaction of the change it describes.
func (tx *Tx) Audit(ctx context.Context, e AuditEvent) error {
	var conv, ref any
	if e.ConversationID != 0 {
		conv = e.ConversationID
	}
	if e.RefID != 0 {
		ref = e.RefID
	}
	_, err := tx.exec(ctx, `INSERT INTO audit (at, actor, action, conversation_id, from_value, to_value, ref_id, batch)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.At, e.Actor, e.Action, conv, e.From, e.To, ref, e.Batch)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

const auditColumns = `id, at, actor, action, coalesce(conversation_id, 0), from_value, to_value, coalesce(ref_id, 0), batch, undone`

func scanAudit(rows *sql.Rows) ([]AuditEvent, error) {
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.ConversationID, &e.From, &e.To, &e.RefID, &e.Batch, &e.Undone); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LastBatch returns the events of actor's most recent action that is not yet undone and is
// not itself an undo, newest event first; nil when there is none. With convID != 0 only
// an action that touched that conversation is considered.
func (tx *Tx) LastBatch(ctx context.Context, actor string, convID int64) ([]AuditEvent, error) {
	var batch int64
	q := `SELECT batch FROM audit WHERE actor = ? AND undone = 0 AND batch > 0 AND action <> 'undo'
		ORDER BY id DESC LIMIT 1`
	args := []any{actor}
	if convID != 0 {
		q = `SELECT batch FROM audit INDEXED BY audit_conv WHERE conversation_id = ? AND actor = ? AND undone = 0 AND batch > 0
			AND action <> 'undo' ORDER BY id DESC LIMIT 1`
		args = []any{convID, actor}
	}
	err := tx.queryRow(ctx, q, args...).Scan(&batch)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find last action: %w", err)
	}
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit WHERE batch = ? ORDER BY id DESC`, batch)
	if err != nil {
		return nil, fmt.Errorf("read last action: %w", err)
	}
	return scanAudit(rows)
}

// MarkUndone flags a batch as undone so the next undo reaches the action before it.
func (tx *Tx) MarkUndone(ctx context.Context, batch int64) error {
	_, err := tx.exec(ctx, `UPDATE audit SET undone = 1 WHERE batch = ?`, batch)
	return err
}

// AuditOf returns a conversation's events, oldest first.
func (db *DB) AuditOf(ctx context.Context, convID int64) ([]AuditEvent, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE conversation_id = ? ORDER BY id`, convID)
	if err != nil {
		return nil, fmt.Errorf("read audit of conversation %d: %w", convID, err)
	}
	return scanAudit(rows)
}
