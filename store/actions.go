package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotFound means the conversation, message or record asked for does not exist.
var ErrNotFound = errors.New("not found")

// ConvMeta is the part of a conversation that actions read and change.
type ConvMeta struct {
	ID          int64
	State       string
	SnoozeUntil int64
	Priority    int
	Assignee    string
	Channel     string
	Account     string
	Kind        string
	ContactID   int64
}

// ConvMeta reads the changeable fields of a conversation.
func (tx *Tx) ConvMeta(ctx context.Context, convID int64) (ConvMeta, error) {
	var c ConvMeta
	err := tx.queryRow(ctx, `SELECT c.id, c.state, coalesce(c.snooze_until, 0), c.priority, c.assignee, c.channel,
		a.handle, c.kind, coalesce(c.contact_id, 0)
		FROM conversations c JOIN accounts a ON a.id = c.account_id WHERE c.id = ?`, convID).
		Scan(&c.ID, &c.State, &c.SnoozeUntil, &c.Priority, &c.Assignee, &c.Channel, &c.Account, &c.Kind, &c.ContactID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("conversation %d: %w", convID, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read conversation %d: %w", convID, err)
	}
	return c, nil
}

// SetState moves a conversation to a state; snoozeUntil matters only for "snoozed".
func (tx *Tx) SetState(ctx context.Context, convID int64, state string, snoozeUntil int64) error {
	if err := tx.leaveIngest(ctx); err != nil {
		return err
	}
	if err := tx.LockConversations(ctx, []int64{convID}); err != nil {
		return err
	}
	return tx.setState(ctx, convID, state, snoozeUntil)
}

func (tx *Tx) setState(ctx context.Context, convID int64, state string, snoozeUntil int64) error {
	var until any
	if state == "snoozed" {
		until = snoozeUntil
	}
	if _, err := tx.exec(ctx, `UPDATE conversations SET state = ?, snooze_until = ? WHERE id = ?`, state, until, convID); err != nil {
		return fmt.Errorf("set state of conversation %d: %w", convID, err)
	}
	return nil
}

// CloseUnanswered marks the inbound messages still waiting for a reply as closed without
// reply at the given time, and returns how many there were.
func (tx *Tx) CloseUnanswered(ctx context.Context, convID, at int64) (int64, error) {
	if err := tx.leaveIngest(ctx); err != nil {
		return 0, err
	}
	if err := tx.LockConversations(ctx, []int64{convID}); err != nil {
		return 0, err
	}
	res, err := tx.exec(ctx, `UPDATE messages INDEXED BY msg_unanswered SET closed_at = ? WHERE conversation_id = ? AND direction = 'in'
		AND answered_at IS NULL AND closed_at IS NULL AND spam = 0`, at, convID)
	if err != nil {
		return 0, fmt.Errorf("close conversation %d: %w", convID, err)
	}
	n, _ := res.RowsAffected()
	return n, tx.RefreshConversation(ctx, convID)
}

// UncloseAt reverses CloseUnanswered for the messages closed at that exact time.
func (tx *Tx) UncloseAt(ctx context.Context, convID, at int64) error {
	if err := tx.leaveIngest(ctx); err != nil {
		return err
	}
	if err := tx.LockConversations(ctx, []int64{convID}); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET closed_at = NULL WHERE conversation_id = ? AND closed_at = ?`, convID, at); err != nil {
		return fmt.Errorf("reopen messages of conversation %d: %w", convID, err)
	}
	return tx.RefreshConversation(ctx, convID)
}

// ReopenLastClosed brings back the messages the conversation's latest close left without
// reply (those closed at the latest close time), and returns that time, 0 when none was.
func (tx *Tx) ReopenLastClosed(ctx context.Context, convID int64) (int64, error) {
	if err := tx.leaveIngest(ctx); err != nil {
		return 0, err
	}
	if err := tx.LockConversations(ctx, []int64{convID}); err != nil {
		return 0, err
	}
	var at sql.NullInt64
	err := tx.queryRow(ctx, `SELECT max(closed_at) FROM messages INDEXED BY msg_conv WHERE conversation_id = ? AND closed_at IS NOT NULL`, convID).Scan(&at)
	if err != nil {
		return 0, fmt.Errorf("reopen messages of conversation %d: %w", convID, err)
	}
	if !at.Valid {
		return 0, nil
	}
	return at.Int64, tx.UncloseAt(ctx, convID, at.Int64)
}

// AddTag tags a conversation; added is false when it already had the tag.
func (tx *Tx) AddTag(ctx context.Context, convID int64, name string) (added bool, err error) {
	has, err := tx.hasTag(ctx, convID, name)
	if err != nil || has {
		return false, err
	}
	return true, tx.addTag(ctx, convID, name)
}

// RemoveTag untags a conversation; removed is false when it did not have the tag.
func (tx *Tx) RemoveTag(ctx context.Context, convID int64, name string) (removed bool, err error) {
	res, err := tx.exec(ctx, `DELETE FROM conversation_tags WHERE conversation_id = ?
		AND tag_id = (SELECT id FROM tags WHERE name = ?)`, convID, name)
	if err != nil {
		return false, fmt.Errorf("untag %q: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (tx *Tx) hasTag(ctx context.Context, convID int64, name string) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM conversation_tags t JOIN tags g ON g.id = t.tag_id
		WHERE t.conversation_id = ? AND g.name = ?`, convID, name).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SetAssignee assigns a conversation ("" unassigns).
func (tx *Tx) SetAssignee(ctx context.Context, convID int64, who string) error {
	_, err := tx.exec(ctx, `UPDATE conversations SET assignee = ? WHERE id = ?`, who, convID)
	return err
}

// SetPriority sets a conversation's priority.
func (tx *Tx) SetPriority(ctx context.Context, convID int64, p int) error {
	if err := tx.leaveIngest(ctx); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE conversations SET priority = ? WHERE id = ?`, p, convID)
	return err
}

// AddNote stores an internal note and returns its id.
func (tx *Tx) AddNote(ctx context.Context, convID int64, agent, text string, at int64) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO notes (conversation_id, agent, text, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		convID, agent, text, at).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add note: %w", err)
	}
	return id, nil
}

// SetNoteDeleted hides or restores a note; notes are never erased, so an undo loses nothing.
func (tx *Tx) SetNoteDeleted(ctx context.Context, noteID int64, deleted bool) error {
	_, err := tx.exec(ctx, `UPDATE notes SET deleted = ? WHERE id = ?`, deleted, noteID)
	return err
}

// Escalation is a case handed to customer service.
type Escalation struct {
	ID             int64
	ConversationID int64
	Reason         string
	Priority       int
	Note           string
	Agent          string
	Status         string
	ArrivedAt      int64
	CreatedAt      int64
	ResolvedAt     int64
	ExternalRef    string
}

// AddEscalation records an escalation and returns its id. ArrivedAt is when the oldest
// message it concerns arrived, so time-to-escalate is CreatedAt - ArrivedAt.
func (tx *Tx) AddEscalation(ctx context.Context, e Escalation) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO escalations (conversation_id, reason, priority, note, agent, status, arrived_at, created_at)
		VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id`, e.ConversationID, e.Reason, e.Priority, e.Note, e.Agent, e.ArrivedAt, e.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add escalation: %w", err)
	}
	return id, nil
}

// SetEscalationStatus resolves, cancels or reopens an escalation.
func (tx *Tx) SetEscalationStatus(ctx context.Context, id int64, status string, at int64) error {
	var resolved any
	if status == "resolved" {
		resolved = at
	}
	_, err := tx.exec(ctx, `UPDATE escalations SET status = ?, resolved_at = ? WHERE id = ?`, status, resolved, id)
	return err
}

// ConversationArrival returns when the oldest unanswered inbound message of a conversation
// arrived, or when its latest inbound message did if none waits.
func (tx *Tx) ConversationArrival(ctx context.Context, convID int64) (int64, error) {
	var at int64
	err := tx.queryRow(ctx, `SELECT coalesce(
		(SELECT min(created_at) FROM messages INDEXED BY msg_conv WHERE conversation_id = ?1 AND direction = 'in' AND answered_at IS NULL AND closed_at IS NULL),
		(SELECT max(created_at) FROM messages INDEXED BY msg_conv WHERE conversation_id = ?1 AND direction = 'in'),
		(SELECT created_at FROM conversations WHERE id = ?1))`, convID).Scan(&at)
	return at, err
}
