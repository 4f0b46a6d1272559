package store

import (
	"context"
	"fmt"
)

// WaitingRow is the oldest inbound message of a conversation that still waits for a
// first reply, with who wrote it.
type WaitingRow struct {
	MessageID      int64
	ConversationID int64
	Channel        string
	Account        string // our account's handle on the channel
	Kind           string
	State          string // the conversation's state
	Priority       int
	AuthorName     string
	AuthorHandle   string
	Text           string // the body's first 400 characters: a long email is not read whole to show a line
	CreatedAt      int64
	DueAt          int64 // 0 when no due time is stored
}

// oldestUnansweredQuery reads the partial index msg_unanswered, which holds only the
// inbound messages still waiting (the small set), in its (conversation_id, created_at)
// order: grouping by conversation needs no sort, and extremeRow picks each conversation's
// oldest waiting message. One lookup per conversation drops the states that are not
// waiting on us; the final ORDER BY … LIMIT keeps only the n oldest rows while it reads,
// instead of sorting them all.
func oldestUnansweredQuery(d dialect) string {
	return `WITH first AS (` + d.extremeRow("m.conversation_id", "m.created_at", false, "m.id AS id", `
	FROM messages m INDEXED BY msg_unanswered
	WHERE m.direction = 'in' AND m.answered_at IS NULL AND m.closed_at IS NULL AND m.spam = 0`) + `)
SELECT m.id, c.id, m.channel, a.handle, m.kind, c.state, m.priority,
	coalesce(ct.name, ''), coalesce(ct.handle, ''), substr(m.text, 1, 400), m.created_at, coalesce(m.due_at, 0)
FROM first f
JOIN conversations c ON c.id = f.conv
JOIN messages m ON m.id = f.id
JOIN accounts a ON a.id = c.account_id
LEFT JOIN contacts ct ON ct.id = m.contact_id
WHERE c.state NOT IN ('spam', 'done', 'snoozed')
ORDER BY f.at, f.id
LIMIT ?`
}

// OldestUnanswered returns the n conversations that have waited longest for a reply, each
// by its oldest unanswered inbound message, oldest first. Conversations marked spam, done
// or snoozed are left out: nobody owes them an answer now.
func (db *DB) OldestUnanswered(ctx context.Context, n int) ([]WaitingRow, error) {
	rows, err := db.sql.QueryContext(ctx, oldestUnansweredQuery(db.d), n)
	if err != nil {
		return nil, fmt.Errorf("read oldest unanswered messages: %w", err)
	}
	defer rows.Close()
	var out []WaitingRow
	for rows.Next() {
		var w WaitingRow
		if err := rows.Scan(&w.MessageID, &w.ConversationID, &w.Channel, &w.Account, &w.Kind, &w.State, &w.Priority,
			&w.AuthorName, &w.AuthorHandle, &w.Text, &w.CreatedAt, &w.DueAt); err != nil {
			return nil, fmt.Errorf("read oldest unanswered messages: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read oldest unanswered messages: %w", err)
	}
	return out, nil
}

// OldestUnansweredPlan is SQLite's plan for OldestUnanswered, for tests that prove it
// reads the msg_unanswered index rather than every message.
func (db *DB) OldestUnansweredPlan(ctx context.Context, n int) (string, error) {
	return db.Explain(ctx, oldestUnansweredQuery(db.d), n)
}
