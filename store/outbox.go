package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// OutboxItem is a reply waiting in the outbox with what its channel needs to post it.
type OutboxItem struct {
	OutboxEntry
	Channel, Account, ConvKey, Kind string
	Text                            string
	// The inbound message answered: the latest inbound message before the reply.
	ParentExtID, ParentText, ParentSubject string
	AuthorExtID, AuthorHandle, AuthorName  string
}

const outboxItemSelect = `SELECT o.id, o.message_id, o.conversation_id, o.status, o.idempotency_key, o.attempts, o.last_error, o.remote_id,
	m.channel, a.handle, c.ext_key, m.kind, m.text,
	coalesce(p.ext_id, ''), coalesce(p.text, ''), coalesce(p.subject, ''),
	coalesce(ct.ext_id, ''), coalesce(ct.handle, ''), coalesce(ct.name, '')
	FROM outbox o
	JOIN messages m ON m.id = o.message_id
	JOIN accounts a ON a.id = m.account_id
	JOIN conversations c ON c.id = o.conversation_id
	-- The message answered is the latest inbound one stored before the reply was written:
	-- by id, not by time, since a sender's clock running ahead must not hide it.
	LEFT JOIN messages p ON p.id = (SELECT id FROM messages INDEXED BY msg_conv WHERE conversation_id = o.conversation_id
		AND direction = 'in' AND id < m.id ORDER BY created_at DESC, id DESC LIMIT 1)
	LEFT JOIN contacts ct ON ct.id = coalesce(p.contact_id, c.contact_id)`

func scanOutboxItems(rows *sql.Rows) ([]OutboxItem, error) {
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var it OutboxItem
		e := &it.OutboxEntry
		if err := rows.Scan(&e.ID, &e.MessageID, &e.ConversationID, &e.Status, &e.Key, &e.Attempts, &e.LastError, &e.RemoteID,
			&it.Channel, &it.Account, &it.ConvKey, &it.Kind, &it.Text, &it.ParentExtID, &it.ParentText, &it.ParentSubject,
			&it.AuthorExtID, &it.AuthorHandle, &it.AuthorName); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// DueOutbox lists pending replies whose next attempt is due, oldest first.
func (db *DB) DueOutbox(ctx context.Context, now int64, limit int) ([]OutboxItem, error) {
	rows, err := db.sql.QueryContext(ctx, outboxItemSelect+` WHERE o.kind = 'reply' AND o.status = 'pending' AND o.next_attempt_at <= ?
		ORDER BY o.next_attempt_at, o.id LIMIT ?`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return scanOutboxItems(rows)
}

// OutboxInStatus lists the replies in one status (e.g. "sending" after a crash).
func (db *DB) OutboxInStatus(ctx context.Context, status string) ([]OutboxItem, error) {
	rows, err := db.sql.QueryContext(ctx, outboxItemSelect+` WHERE o.kind = 'reply' AND o.status = ? ORDER BY o.id`, status)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return scanOutboxItems(rows)
}

// ErrOutboxState means an outbox entry was not in the state a transition needs.
var ErrOutboxState = errors.New("outbox entry is not in the expected state")

// MoveOutbox changes an entry's status (a reply's or an escalation's) from one state to
// another, recording the attempt, error, remote id and next attempt time. It fails with
// ErrOutboxState when the entry is no longer in from, so two senders can never both claim
// an entry. A reply that stops or starts counting as an answer (failed for good, or sent
// again) has its conversation's answers recomputed in the same transaction.
func (db *DB) MoveOutbox(ctx context.Context, id int64, from, to string, addAttempt bool, lastError, remoteID string, next, now int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.MoveOutbox(ctx, id, from, to, addAttempt, lastError, remoteID, next, now)
		return err
	})
}

// Cursor returns the saved sync cursor of an account ("" when none).
func (db *DB) Cursor(ctx context.Context, channel, account string) (string, error) {
	var c string
	err := db.sql.QueryRowContext(ctx, `SELECT s.cursor FROM sync_cursors s JOIN accounts a ON a.id = s.account_id
		WHERE a.channel = ? AND a.handle = ?`, channel, account).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return c, err
}

// SetCursor saves an account's sync cursor in the transaction of the messages it covers.
func (tx *Tx) SetCursor(ctx context.Context, channel, account, cursor string, at int64) error {
	id, err := tx.AccountID(ctx, channel, account)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO sync_cursors (account_id, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`, id, cursor, at)
	if err != nil {
		return fmt.Errorf("save cursor of %s %s: %w", channel, account, err)
	}
	return nil
}

// ReplyDelivered marks a reply sent and gives its message the channel's id, in one
// transaction, so a customer's answer to our reply (in_reply_to = that id) threads into
// the same conversation and a later fetch of our own reply is recognised as stored.
func (db *DB) ReplyDelivered(ctx context.Context, outboxID int64, remoteID string, now int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', remote_id = ?, updated_at = ?
			WHERE id = ? AND status = 'sending' AND kind = 'reply'`, remoteID, now, outboxID)
		if err != nil {
			return fmt.Errorf("outbox %d sending -> sent: %w", outboxID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("outbox %d sending -> sent: %w", outboxID, ErrOutboxState)
		}
		if remoteID == "" {
			return nil
		}
		// If the channel's copy was fetched before this (same channel, account and id),
		// keep the placeholder id rather than break uniqueness.
		_, err = tx.exec(ctx, `UPDATE messages SET ext_id = ?1
			WHERE id = (SELECT message_id FROM outbox WHERE id = ?2)
			AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.channel = messages.channel
				AND o.account_id = messages.account_id AND o.ext_id = ?1)`, remoteID, outboxID)
		if err != nil {
			return fmt.Errorf("record the channel's id of reply %d: %w", outboxID, err)
		}
		// A status that came before this id (WhatsApp can say "failed" before the send's
		// answer is recorded) was kept for it: it applies now, not at the next delivery.
		_, err = tx.ApplyPending(ctx, now)
		return err
	})
}
