package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Reply is an outbound message a person wrote in triage.
type Reply struct {
	ConversationID int64
	Agent          string
	Text           string
	At             int64  // Unix ms: when the person sent it, which is when it answers
	SendAt         int64  // Unix ms: when it may leave the outbox (At plus the undo window); 0 = At
	Key            string // idempotency key: the channel id until sent, and the outbox's key
	// Kind is the reply's kind when it is not the conversation's: a private reply to a
	// comment is a DM (the outbox hands it to the adapter as one). "" is the conversation's.
	Kind string
	// AwaitingApproval writes the reply for a lead to approve (see approval.go): in the
	// conversation, but neither sent nor an answer until approved.
	AwaitingApproval bool
}

// answers is the condition, on an outbound message o, that it counts as an answer: every
// outbound message does except a reply of ours the channel refused for good, that a
// person took back, that waits for a lead's approval or that a lead sent back (outbox
// failed, cancelled, awaiting_approval or returned). A reply pending, sending, sent or of
// unknown fate counts from the moment the person sent it (an approved one: from approval).
const answers = `NOT EXISTS (SELECT 1 FROM outbox ob WHERE ob.message_id = o.id AND ob.status IN ` + silentStatuses + `)`

// silentStatuses are the outbox statuses of a reply that answers nothing.
const silentStatuses = `('failed', 'cancelled', 'awaiting_approval', 'returned')`

// countsAsAnswer says whether a reply in an outbox status answers what came before it.
func countsAsAnswer(status string) bool {
	switch status {
	case "failed", "cancelled", StatusAwaitingApproval, StatusReturned:
		return false
	}
	return true
}

// AddReply writes the reply to the conversation and to the outbox in the caller's
// transaction, and links the inbound messages it answers. It returns the message id.
func (tx *Tx) AddReply(ctx context.Context, r Reply) (int64, error) {
	if err := tx.leaveIngest(ctx); err != nil {
		return 0, err
	}
	if err := tx.LockConversations(ctx, []int64{r.ConversationID}); err != nil {
		return 0, err
	}
	meta, err := tx.ConvMeta(ctx, r.ConversationID)
	if err != nil {
		return 0, err
	}
	var acct int64
	if err := tx.queryRow(ctx, `SELECT account_id FROM conversations WHERE id = ?`, r.ConversationID).Scan(&acct); err != nil {
		return 0, fmt.Errorf("reply: %w", err)
	}
	var msgID int64
	err = tx.queryRow(ctx, `INSERT INTO messages (conversation_id, account_id, channel, ext_id, kind, direction, agent, text, created_at)
		VALUES (?, ?, ?, ?, ?, 'out', ?, ?, ?) RETURNING id`, r.ConversationID, acct, meta.Channel, "triage:"+r.Key, cmp.Or(r.Kind, meta.Kind), r.Agent, r.Text, r.At).Scan(&msgID)
	if err != nil {
		return 0, fmt.Errorf("store reply: %w", err)
	}
	key, err := ftsKey(r.ConversationID, msgID)
	if err != nil {
		return 0, fmt.Errorf("index reply: %w", err)
	}
	if _, err := tx.exec(ctx, tx.d.ftsInsert(), key, r.Text, r.Agent); err != nil {
		return 0, fmt.Errorf("index reply: %w", err)
	}
	sendAt := max(r.SendAt, r.At)
	status := "pending"
	if r.AwaitingApproval {
		status = StatusAwaitingApproval
	}
	if _, err := tx.exec(ctx, `INSERT INTO outbox (message_id, conversation_id, status, idempotency_key, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, msgID, r.ConversationID, status, r.Key, sendAt, r.At, r.At); err != nil {
		return 0, fmt.Errorf("queue reply: %w", err)
	}
	if r.AwaitingApproval {
		// Not an answer until a lead approves it: the customer is still waiting.
		return msgID, tx.RefreshConversation(ctx, r.ConversationID)
	}
	if _, err := tx.linkAnswers(ctx, r.ConversationID, msgID, "out", r.At); err != nil {
		return 0, err
	}
	return msgID, tx.RefreshConversation(ctx, r.ConversationID)
}

// ErrAlreadySent means a reply has left the outbox and can no longer be taken back.
var ErrAlreadySent = errors.New("reply already left the outbox")

// WithdrawReply takes back a reply that is still pending in the outbox, or still waits for
// a lead's approval: the message and its outbox entry go, answers are relinked, and the
// text is returned so the caller can put it back in the draft. A reply that is sending or
// sent is refused.
func (tx *Tx) WithdrawReply(ctx context.Context, msgID int64) (convID int64, text string, err error) {
	if err := tx.leaveIngest(ctx); err != nil {
		return 0, "", err
	}
	var status string
	err = tx.queryRow(ctx, `SELECT o.status, m.conversation_id, m.text FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE o.message_id = ?`, msgID).Scan(&status, &convID, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("reply %d: %w", msgID, ErrNotFound)
	}
	if err != nil {
		return 0, "", fmt.Errorf("read reply %d: %w", msgID, err)
	}
	if status != "pending" && status != StatusAwaitingApproval {
		return 0, "", fmt.Errorf("reply %d is %s: %w", msgID, status, ErrAlreadySent)
	}
	key, err := ftsKey(convID, msgID)
	if err != nil {
		return 0, "", fmt.Errorf("withdraw reply: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM messages_fts WHERE rowid = ?`, key); err != nil {
		return 0, "", fmt.Errorf("withdraw reply %d: %w", msgID, err)
	}
	for _, q := range []string{
		`DELETE FROM outbox WHERE message_id = ?`,
		`UPDATE messages SET answered_by = NULL, answered_at = NULL WHERE answered_by = ?`,
		`DELETE FROM messages WHERE id = ?`,
	} {
		if _, err := tx.exec(ctx, q, msgID); err != nil {
			return 0, "", fmt.Errorf("withdraw reply %d: %w", msgID, err)
		}
	}
	return convID, text, tx.RelinkAnswers(ctx, convID)
}

// SaveDraft keeps the text agent is writing for a conversation; an empty body deletes
// it. Each agent has their own draft of a conversation; saving one takes over a draft
// left from before drafts had owners (agent ”).
func (db *DB) SaveDraft(ctx context.Context, convID int64, agent, body string, at int64) error {
	return db.Tx(ctx, func(tx *Tx) error { return tx.SaveDraft(ctx, convID, agent, body, at) })
}

// SaveDraft is SaveDraft inside a transaction.
func (tx *Tx) SaveDraft(ctx context.Context, convID int64, agent, body string, at int64) error {
	_, err := tx.exec(ctx, `DELETE FROM drafts WHERE conversation_id = ? AND agent IN (?, '')`, convID, agent)
	if err == nil && body != "" {
		_, err = tx.exec(ctx, `INSERT INTO drafts (conversation_id, agent, body, updated_at) VALUES (?, ?, ?, ?)`, convID, agent, body, at)
	}
	if err != nil {
		return fmt.Errorf("save draft of conversation %d: %w", convID, err)
	}
	return nil
}

// Draft returns agent's saved draft of a conversation (or one left from before drafts
// had owners), or "".
func (db *DB) Draft(ctx context.Context, convID int64, agent string) (string, error) {
	return draftOf(db.sql.QueryRowContext(ctx, draftSQL, convID, agent))
}

// Draft is Draft inside a transaction.
func (tx *Tx) Draft(ctx context.Context, convID int64, agent string) (string, error) {
	return draftOf(tx.queryRow(ctx, draftSQL, convID, agent))
}

// draftSQL prefers the agent's own draft to an ownerless one (” sorts first).
const draftSQL = `SELECT body FROM drafts WHERE conversation_id = ? AND agent IN (?, '') ORDER BY agent DESC LIMIT 1`

func draftOf(row interface{ Scan(...any) error }) (string, error) {
	var body string
	err := row.Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read draft: %w", err)
	}
	return body, nil
}

// OutboxEntry is a reply's place in the outbox.
type OutboxEntry struct {
	ID, MessageID, ConversationID int64
	Status                        string
	Key                           string
	Attempts                      int
	LastError                     string
	RemoteID                      string
}

// Outbox lists the replies in the outbox in the given statuses (all when none given), oldest first.
func (db *DB) Outbox(ctx context.Context, statuses ...string) ([]OutboxEntry, error) {
	q := `SELECT id, coalesce(message_id, 0), conversation_id, status, idempotency_key, attempts, last_error, remote_id
		FROM outbox WHERE kind = 'reply'`
	var args []any
	if len(statuses) > 0 {
		q += ` AND status IN (` + placeholders(len(statuses)) + `)`
		for _, s := range statuses {
			args = append(args, s)
		}
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		if err := rows.Scan(&e.ID, &e.MessageID, &e.ConversationID, &e.Status, &e.Key, &e.Attempts, &e.LastError, &e.RemoteID); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	s := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			s = append(s, ',')
		}
		s = append(s, '?')
	}
	return string(s)
}
