package store

import (
	"context"
	"fmt"
)

// Mark is how far into a conversation someone has read: the newest message and note it
// held then. Ids only grow, so "after the mark" is what was added since, whatever time
// the channel gives a message (a synced message can carry a time from before the mark).
type Mark struct{ Message, Note int64 }

// ConversationMark reads where a conversation stands now.
func (db *DB) ConversationMark(ctx context.Context, convID int64) (Mark, error) {
	var m Mark
	err := db.sql.QueryRowContext(ctx, `SELECT
		coalesce((SELECT max(id) FROM messages WHERE conversation_id = ?), 0),
		coalesce((SELECT max(id) FROM notes WHERE conversation_id = ?), 0)`, convID, convID).Scan(&m.Message, &m.Note)
	if err != nil {
		return m, fmt.Errorf("read conversation %d: %w", convID, err)
	}
	return m, nil
}

// ArrivedSince returns what others added to a conversation after mark, oldest first and
// at most limit of each: messages (the customer's, and replies written by anyone but
// agent, except those taken back) and notes not by agent.
func (db *DB) ArrivedSince(ctx context.Context, convID int64, mark Mark, agent string, limit int) ([]MessageRow, []Note, error) {
	rows, err := db.sql.QueryContext(ctx, messageSelect+` WHERE m.conversation_id = ? AND m.id > ?
		AND NOT (m.direction = 'out' AND m.agent = ?) AND coalesce(ob.status, '') <> 'cancelled'
		ORDER BY m.id LIMIT ?`, convID, mark.Message, agent, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("read what arrived in conversation %d: %w", convID, err)
	}
	defer rows.Close()
	var msgs []MessageRow
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("read what arrived in conversation %d: %w", convID, err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read what arrived in conversation %d: %w", convID, err)
	}
	nrows, err := db.sql.QueryContext(ctx, `SELECT id, agent, text, created_at FROM notes
		WHERE conversation_id = ? AND id > ? AND deleted = 0 AND agent <> ? ORDER BY id LIMIT ?`, convID, mark.Note, agent, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("read notes added to conversation %d: %w", convID, err)
	}
	defer nrows.Close()
	var notes []Note
	for nrows.Next() {
		var n Note
		if err := nrows.Scan(&n.ID, &n.Agent, &n.Text, &n.CreatedAt); err != nil {
			return nil, nil, fmt.Errorf("read notes added to conversation %d: %w", convID, err)
		}
		notes = append(notes, n)
	}
	return msgs, notes, nrows.Err()
}
