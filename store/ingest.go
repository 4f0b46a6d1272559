package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// NoDue is the due time of a conversation with nothing waiting for an answer: it sorts last.
const NoDue int64 = 1<<63 - 1

// NewMessage is a message ready to be stored: the channel's fields plus what ingest
// worked out (conversation key, sentiment, priority, spam, tags, SLA due time).
type NewMessage struct {
	Channel, Account, ExtID string
	ConvKey                 string // resolved by the caller
	Kind, Direction         string
	AuthorID, AuthorHandle  string
	AuthorName              string
	Agent, Text, URL        string
	Subject                 string
	InReplyTo               string
	CreatedAt               int64 // Unix ms
	Sentiment               float64
	Priority                int
	Spam                    bool
	Tags                    []string
	DueAt                   int64 // Unix ms; 0 for outbound messages
}

// Ingested says what storing one message did.
type Ingested struct {
	New            bool
	MessageID      int64
	ConversationID int64
	Reopened       bool // an inbound message reopened a closed or waiting conversation
}

// AccountID returns the id of the (channel, handle) account, creating it when new.
func (tx *Tx) AccountID(ctx context.Context, channel, handle string) (int64, error) {
	key := channel + "\x00" + handle
	if id, ok := tx.accounts[key]; ok {
		return id, nil
	}
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO accounts (channel, handle) VALUES (?, ?)
		ON CONFLICT (channel, handle) DO UPDATE SET handle = excluded.handle RETURNING id`,
		channel, handle).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("account %s %s: %w", channel, handle, err)
	}
	if tx.accounts == nil {
		tx.accounts = map[string]int64{}
	}
	tx.accounts[key] = id
	return id, nil
}

// MessageExists reports whether the channel's message is already stored.
func (tx *Tx) MessageExists(ctx context.Context, channel, account, extID string) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM messages m JOIN accounts a ON a.id = m.account_id
		WHERE m.channel = ? AND a.handle = ? AND m.ext_id = ?`, channel, account, extID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ConversationKeyOf returns the conversation key of an already stored message, or "" if
// there is none; a reply without a conversation joins its parent's this way.
func (tx *Tx) ConversationKeyOf(ctx context.Context, channel, account, extID string) (string, error) {
	var key string
	err := tx.queryRow(ctx, `SELECT c.ext_key FROM messages m
		JOIN accounts a ON a.id = m.account_id JOIN conversations c ON c.id = m.conversation_id
		WHERE m.channel = ? AND a.handle = ? AND m.ext_id = ?`, channel, account, extID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return key, err
}

// Ingest stores one message idempotently: a message already stored (same channel, account
// and channel id) changes nothing and reports New=false.
func (tx *Tx) Ingest(ctx context.Context, m NewMessage) (Ingested, error) {
	acct, err := tx.AccountID(ctx, m.Channel, m.Account)
	if err != nil {
		return Ingested{}, err
	}
	var existing int64
	err = tx.queryRow(ctx, `SELECT id FROM messages WHERE channel = ? AND account_id = ? AND ext_id = ?`,
		m.Channel, acct, m.ExtID).Scan(&existing)
	if err == nil {
		return Ingested{MessageID: existing}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Ingested{}, fmt.Errorf("look up message %s: %w", m.ExtID, err)
	}

	var contact sql.NullInt64
	if m.AuthorID != "" || m.AuthorHandle != "" {
		ext := m.AuthorID
		if ext == "" {
			ext = m.AuthorHandle
		}
		id, err := tx.contactID(ctx, m.Channel, ext, m.AuthorHandle, m.AuthorName)
		if err != nil {
			return Ingested{}, fmt.Errorf("store author of %s: %w", m.ExtID, err)
		}
		contact = sql.NullInt64{Int64: id, Valid: true}
	}

	convID, state, created, err := tx.upsertConversation(ctx, acct, m, contact)
	if err != nil {
		return Ingested{}, err
	}

	var due sql.NullInt64
	if m.Direction == "in" && m.DueAt != 0 {
		due = sql.NullInt64{Int64: m.DueAt, Valid: true}
	}
	res, err := tx.exec(ctx, `INSERT INTO messages (conversation_id, account_id, channel, ext_id, kind,
		direction, contact_id, agent, text, url, in_reply_to, created_at, sentiment, priority, spam, due_at, subject)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		convID, acct, m.Channel, m.ExtID, m.Kind, m.Direction, contact, m.Agent, m.Text, m.URL,
		m.InReplyTo, m.CreatedAt, m.Sentiment, m.Priority, m.Spam, due, m.Subject)
	if err != nil {
		return Ingested{}, fmt.Errorf("store message %s: %w", m.ExtID, err)
	}
	msgID, _ := res.LastInsertId()

	if _, err := tx.exec(ctx, `INSERT INTO messages_fts (rowid, text, author) VALUES (?, ?, ?)`,
		msgID, m.Text, strings.TrimSpace(m.AuthorName+" "+m.AuthorHandle)); err != nil {
		return Ingested{}, fmt.Errorf("index message %s: %w", m.ExtID, err)
	}
	if err := tx.linkAnswers(ctx, convID, msgID, m.Direction, m.CreatedAt); err != nil {
		return Ingested{}, err
	}
	for _, tag := range m.Tags {
		if err := tx.addTag(ctx, convID, tag); err != nil {
			return Ingested{}, err
		}
	}

	out := Ingested{New: true, MessageID: msgID, ConversationID: convID}
	if !created && m.Direction == "in" && !m.Spam {
		switch state {
		case "done", "waiting", "snoozed":
			if _, err := tx.exec(ctx, `UPDATE conversations SET state = 'open', snooze_until = NULL WHERE id = ?`, convID); err != nil {
				return Ingested{}, fmt.Errorf("reopen conversation: %w", err)
			}
			out.Reopened = true
			if err := tx.Audit(ctx, AuditEvent{At: m.CreatedAt, Actor: "system", Action: "state",
				ConversationID: convID, From: state, To: "open", Batch: 0}); err != nil {
				return Ingested{}, err
			}
		}
	}
	if !created && m.Direction == "out" && (state == "new" || state == "open") {
		// A reply sent from the channel's own app answers the thread just as one sent
		// from triage does: with nothing left unanswered, it is waiting on the customer.
		var waiting int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ? AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0`, convID).Scan(&waiting); err != nil {
			return Ingested{}, fmt.Errorf("count unanswered: %w", err)
		}
		if waiting == 0 {
			if err := tx.SetState(ctx, convID, "waiting", 0); err != nil {
				return Ingested{}, err
			}
			if err := tx.Audit(ctx, AuditEvent{At: m.CreatedAt, Actor: "system", Action: "state",
				ConversationID: convID, From: state, To: "waiting"}); err != nil {
				return Ingested{}, err
			}
		}
	}
	// A new conversation starts at its first message's priority; a later message can only
	// raise it above the normal default.
	if !created && m.Direction == "in" && m.Priority > 1 {
		if _, err := tx.exec(ctx, `UPDATE conversations SET priority = max(priority, ?) WHERE id = ?`, m.Priority, convID); err != nil {
			return Ingested{}, fmt.Errorf("raise priority: %w", err)
		}
	}
	if tx.dirty == nil {
		tx.dirty = map[int64]bool{}
	}
	tx.dirty[convID] = true
	return out, nil
}

// upsertConversation finds or creates the conversation a message belongs to.
func (tx *Tx) upsertConversation(ctx context.Context, acct int64, m NewMessage, contact sql.NullInt64) (id int64, state string, created bool, err error) {
	err = tx.queryRow(ctx, `SELECT id, state FROM conversations WHERE account_id = ? AND ext_key = ?`, acct, m.ConvKey).Scan(&id, &state)
	if err == nil {
		if m.Direction == "in" && contact.Valid {
			// A thread started by the brand gets its customer from the first inbound message.
			if _, err := tx.exec(ctx, `UPDATE conversations SET contact_id = ? WHERE id = ? AND contact_id IS NULL`, contact, id); err != nil {
				return 0, "", false, fmt.Errorf("set conversation author: %w", err)
			}
		}
		return id, state, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, fmt.Errorf("look up conversation %s: %w", m.ConvKey, err)
	}
	state = "new"
	switch {
	case m.Spam:
		state = "spam"
	case m.Direction == "out":
		state = "waiting"
	}
	var cid any
	if m.Direction == "in" && contact.Valid {
		cid = contact.Int64
	}
	err = tx.queryRow(ctx, `INSERT INTO conversations (account_id, ext_key, channel, kind, contact_id, state,
		priority, since_at, last_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		acct, m.ConvKey, m.Channel, m.Kind, cid, state, max(m.Priority, 0), m.CreatedAt, m.CreatedAt, m.CreatedAt).Scan(&id)
	if err != nil {
		return 0, "", false, fmt.Errorf("create conversation %s: %w", m.ConvKey, err)
	}
	return id, state, true, nil
}

// linkAnswers keeps answered_by/answered_at true to the definition: an inbound message is
// answered by the first outbound message of its conversation at or after its own time.
func (tx *Tx) linkAnswers(ctx context.Context, convID, msgID int64, direction string, at int64) error {
	if direction == "in" {
		// Usually nothing answers a message yet when it arrives; look before writing.
		var ansID, ansAt int64
		err := tx.queryRow(ctx, `SELECT o.id, o.created_at FROM messages o INDEXED BY msg_conv
			WHERE o.conversation_id = ? AND o.direction = 'out' AND o.created_at >= ?
			ORDER BY o.created_at, o.id LIMIT 1`, convID, at).Scan(&ansID, &ansAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err == nil {
			_, err = tx.exec(ctx, `UPDATE messages SET answered_by = ?, answered_at = ? WHERE id = ?`, ansID, ansAt, msgID)
		}
		if err != nil {
			return fmt.Errorf("link answer: %w", err)
		}
		return nil
	}
	// INDEXED BY: without it the planner may walk msg_created, every inbound message
	// before this time in the whole inbox, instead of this one conversation's.
	_, err := tx.exec(ctx, `UPDATE messages INDEXED BY msg_conv SET answered_by = ?1, answered_at = ?2
		WHERE conversation_id = ?3 AND direction = 'in' AND created_at <= ?2
		AND (answered_at IS NULL OR answered_at > ?2 OR (answered_at = ?2 AND answered_by > ?1))`,
		msgID, at, convID)
	if err != nil {
		return fmt.Errorf("link answered messages: %w", err)
	}
	return nil
}

// RelinkAnswers recomputes the answers of every inbound message of a conversation, after an
// outbound message was removed (an undone reply).
func (tx *Tx) RelinkAnswers(ctx context.Context, convID int64) error {
	_, err := tx.exec(ctx, `UPDATE messages SET (answered_by, answered_at) = (
		SELECT o.id, o.created_at FROM messages o INDEXED BY msg_conv
		WHERE o.conversation_id = messages.conversation_id AND o.direction = 'out' AND o.created_at >= messages.created_at
		ORDER BY o.created_at, o.id LIMIT 1) WHERE conversation_id = ? AND direction = 'in'`, convID)
	if err != nil {
		return fmt.Errorf("relink answers: %w", err)
	}
	return tx.RefreshConversation(ctx, convID)
}

// RefreshConversation recomputes a conversation's queue columns from its messages: how many
// inbound messages wait for an answer, since when, the earliest SLA due time, the latest
// inbound message. The partial index msg_unanswered keeps this cheap for long threads.
func (tx *Tx) RefreshConversation(ctx context.Context, convID int64) error {
	_, err := tx.exec(ctx, `UPDATE conversations SET
		unanswered = (SELECT count(*) FROM messages WHERE conversation_id = ?1 AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0),
		last_at = (SELECT max(created_at) FROM messages WHERE conversation_id = ?1),
		since_at = coalesce((SELECT min(created_at) FROM messages WHERE conversation_id = ?1 AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0),
			(SELECT max(created_at) FROM messages WHERE conversation_id = ?1)),
		due_at = coalesce((SELECT min(due_at) FROM messages WHERE conversation_id = ?1 AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0), ?2),
		last_inbound_id = (SELECT id FROM messages INDEXED BY msg_conv WHERE conversation_id = ?1 AND direction = 'in'
			ORDER BY created_at DESC, id DESC LIMIT 1)
		WHERE id = ?1`, convID, NoDue)
	if err != nil {
		return fmt.Errorf("refresh conversation %d: %w", convID, err)
	}
	return nil
}

func (tx *Tx) addTag(ctx context.Context, convID int64, name string) error {
	var tagID int64
	err := tx.queryRow(ctx, `INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = tags.name RETURNING id`, name).Scan(&tagID)
	if err != nil {
		return fmt.Errorf("tag %q: %w", name, err)
	}
	if _, err := tx.exec(ctx, `INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id) VALUES (?, ?)`, convID, tagID); err != nil {
		return fmt.Errorf("tag %q: %w", name, err)
	}
	return nil
}

// contactID finds or creates an author, updating a changed name or handle; an author
// seen before costs one read, not a write.
func (tx *Tx) contactID(ctx context.Context, channel, ext, handle, name string) (int64, error) {
	var id int64
	var oldHandle, oldName string
	err := tx.queryRow(ctx, `SELECT id, handle, name FROM contacts WHERE channel = ? AND ext_id = ?`, channel, ext).Scan(&id, &oldHandle, &oldName)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.exec(ctx, `INSERT INTO contacts (channel, ext_id, handle, name) VALUES (?, ?, ?, ?)`, channel, ext, handle, name)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	case err != nil:
		return 0, err
	}
	if (handle != "" && handle != oldHandle) || (name != "" && name != oldName) {
		_, err = tx.exec(ctx, `UPDATE contacts SET handle = CASE WHEN ?1 <> '' THEN ?1 ELSE handle END,
			name = CASE WHEN ?2 <> '' THEN ?2 ELSE name END WHERE id = ?3`, handle, name, id)
	}
	return id, err
}
