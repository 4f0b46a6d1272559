package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A reply's fate after the person sent it: the outbox moves it on (sending, sent, failed,
// unknown), a person may send a failed one again or take it back, and an undo may reverse
// either. Whenever a move changes whether the reply counts as an answer, or when it
// answers, the answers of its conversation are recomputed in the same transaction, so a
// figure never counts a reply the channel refused.

// ReplyFate is where a reply of ours stands in the outbox.
type ReplyFate struct {
	OutboxID       int64
	MessageID      int64
	ConversationID int64
	Status         string
	Agent          string // who wrote it
	Text           string
	Kind           string // of the reply: a private reply to a comment is a dm
	LastError      string
	Attempts       int
	CreatedAt      int64 // when the person sent it (last sent it, for one sent again)
	NextAttemptAt  int64
}

// ReplyFate reads a reply's outbox entry; ErrNotFound when the message is not a reply
// written in triage.
func (tx *Tx) ReplyFate(ctx context.Context, msgID int64) (ReplyFate, error) {
	f := ReplyFate{MessageID: msgID}
	err := tx.queryRow(ctx, `SELECT o.id, o.conversation_id, o.status, m.agent, m.text, m.kind, o.last_error, o.attempts, m.created_at, o.next_attempt_at
		FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.message_id = ?`, msgID).
		Scan(&f.OutboxID, &f.ConversationID, &f.Status, &f.Agent, &f.Text, &f.Kind, &f.LastError, &f.Attempts, &f.CreatedAt, &f.NextAttemptAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("reply %d: %w", msgID, ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("read reply %d: %w", msgID, err)
	}
	return f, nil
}

// ReplyChange moves a reply from one outbox status to another on a person's word.
type ReplyChange struct {
	MessageID int64
	From, To  string
	SentAt    int64 // > 0: the reply now answers from this time (it was sent again)
	NextAt    int64 // > 0: its next attempt
	Now       int64
}

// ChangeReply applies a ReplyChange. It fails with ErrOutboxState when the reply is no
// longer in From (the sender took it meanwhile), changing nothing.
func (tx *Tx) ChangeReply(ctx context.Context, c ReplyChange) error {
	if err := tx.leaveIngest(ctx); err != nil {
		return err
	}
	var convID int64
	// Sent again by a person, a reply starts afresh: no attempts yet, so its undo window
	// shows and the sender's backoff starts over. The last error stays for an undo.
	err := tx.queryRow(ctx, `UPDATE outbox SET status = ?1,
		next_attempt_at = CASE WHEN CAST(?2 AS bigint) > 0 THEN ?2 ELSE next_attempt_at END, updated_at = ?3,
		attempts = CASE WHEN ?1 = 'pending' THEN 0 ELSE attempts END
		WHERE message_id = ?4 AND status = ?5 RETURNING conversation_id`, c.To, c.NextAt, c.Now, c.MessageID, c.From).Scan(&convID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reply %d %s -> %s: %w", c.MessageID, c.From, c.To, ErrOutboxState)
	}
	if err != nil {
		return fmt.Errorf("reply %d %s -> %s: %w", c.MessageID, c.From, c.To, err)
	}
	if c.SentAt > 0 {
		if _, err := tx.exec(ctx, `UPDATE messages SET created_at = ? WHERE id = ?`, c.SentAt, c.MessageID); err != nil {
			return fmt.Errorf("reply %d: %w", c.MessageID, err)
		}
	}
	if c.SentAt > 0 || countsAsAnswer(c.From) != countsAsAnswer(c.To) {
		return tx.RelinkAnswers(ctx, convID)
	}
	return nil
}

// OutboxMove says what MoveOutbox moved.
type OutboxMove struct {
	ConversationID int64
	Reply          bool // a reply, not an escalation's delivery
	Relinked       bool // whether the reply counts as an answer changed, and answers were recomputed
	Attempts       int  // the entry's attempts after the move
}

// MoveOutbox is DB.MoveOutbox inside a transaction.
func (tx *Tx) MoveOutbox(ctx context.Context, id int64, from, to string, addAttempt bool, lastError, remoteID string, next, now int64) (OutboxMove, error) {
	inc := 0
	if addAttempt {
		inc = 1
	}
	var mv OutboxMove
	var kind string
	err := tx.queryRow(ctx, `UPDATE outbox SET status = ?, attempts = attempts + ?,
		last_error = CASE WHEN ? <> '' THEN ? ELSE last_error END,
		remote_id = CASE WHEN ? <> '' THEN ? ELSE remote_id END,
		next_attempt_at = CASE WHEN CAST(? AS bigint) > 0 THEN ? ELSE next_attempt_at END, updated_at = ?
		WHERE id = ? AND status = ? RETURNING conversation_id, kind, attempts`, to, inc, lastError, lastError, remoteID, remoteID, next, next, now, id, from).
		Scan(&mv.ConversationID, &kind, &mv.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return mv, fmt.Errorf("outbox %d %s -> %s: %w", id, from, to, ErrOutboxState)
	}
	if err != nil {
		return mv, fmt.Errorf("outbox %d %s -> %s: %w", id, from, to, err)
	}
	mv.Reply = kind == "reply"
	if mv.Reply && countsAsAnswer(from) != countsAsAnswer(to) {
		if err := tx.RelinkAnswers(ctx, mv.ConversationID); err != nil {
			return mv, err
		}
		mv.Relinked = true
	}
	return mv, nil
}

// FailedReplies counts the replies the channels refused that no one has sent again or
// taken back: what the footer warns of.
func (db *DB) FailedReplies(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE kind = 'reply' AND status = 'failed'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count failed replies: %w", err)
	}
	return n, nil
}

// Unanswered counts a conversation's inbound messages still waiting for a first reply.
func (tx *Tx) Unanswered(ctx context.Context, convID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ? AND direction = 'in'
		AND answered_at IS NULL AND closed_at IS NULL AND spam = 0`, convID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unanswered of conversation %d: %w", convID, err)
	}
	return n, nil
}

// EndUndoWindows makes the replies still waiting out their undo window due now, and says
// how many there were: when the person leaves, nobody is left to undo them. It is a
// transaction like every write, so it waits its turn and the other screens (and hosts,
// on PostgreSQL) hear of it.
func (db *DB) EndUndoWindows(ctx context.Context, now int64) (int, error) {
	var n int64
	err := db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE outbox SET next_attempt_at = ?1, updated_at = ?1
		WHERE kind = 'reply' AND status = 'pending' AND attempts = 0 AND next_attempt_at > ?1`, now)
		if err != nil {
			return fmt.Errorf("end undo windows: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
