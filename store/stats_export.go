package store

import (
	"context"
	"fmt"
)

// ConversationExtras are the notes and escalations of every conversation that has any,
// by conversation id, for an export: people write them, so there are few next to the
// messages, and reading them once costs less than asking for each conversation.
type ConversationExtras struct {
	Notes       map[int64][]Note       // not deleted, oldest first
	Escalations map[int64][]Escalation // every status, oldest first
}

// ExportExtras reads the notes and escalations of every conversation.
func (db *DB) ExportExtras(ctx context.Context) (ConversationExtras, error) {
	x := ConversationExtras{Notes: map[int64][]Note{}, Escalations: map[int64][]Escalation{}}
	rows, err := db.sql.QueryContext(ctx, `SELECT conversation_id, id, agent, text, created_at FROM notes WHERE deleted = 0
		ORDER BY conversation_id, created_at, id`)
	if err != nil {
		return x, fmt.Errorf("read notes for export: %w", err)
	}
	for rows.Next() {
		var conv int64
		var n Note
		if err := rows.Scan(&conv, &n.ID, &n.Agent, &n.Text, &n.CreatedAt); err != nil {
			rows.Close()
			return x, fmt.Errorf("read notes for export: %w", err)
		}
		x.Notes[conv] = append(x.Notes[conv], n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return x, fmt.Errorf("read notes for export: %w", err)
	}
	rows, err = db.sql.QueryContext(ctx, `SELECT id, conversation_id, reason, priority, note, agent, status, arrived_at, created_at,
		coalesce(resolved_at, 0), external_ref FROM escalations ORDER BY conversation_id, created_at, id`)
	if err != nil {
		return x, fmt.Errorf("read escalations for export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Escalation
		if err := rows.Scan(&e.ID, &e.ConversationID, &e.Reason, &e.Priority, &e.Note, &e.Agent, &e.Status, &e.ArrivedAt,
			&e.CreatedAt, &e.ResolvedAt, &e.ExternalRef); err != nil {
			return x, fmt.Errorf("read escalations for export: %w", err)
		}
		x.Escalations[e.ConversationID] = append(x.Escalations[e.ConversationID], e)
	}
	return x, rows.Err()
}
