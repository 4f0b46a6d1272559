package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ConversationInfo is a conversation's header: who, where, state, tags.
type ConversationInfo struct {
	ConvMeta
	ExtKey       string
	AuthorName   string
	AuthorHandle string
	AuthorExtID  string
	Unanswered   int
	DueAt        int64
	CreatedAt    int64
	LastAt       int64
	Tags         []string
}

// Conversation reads a conversation's header.
func (db *DB) Conversation(ctx context.Context, id int64) (ConversationInfo, error) {
	var c ConversationInfo
	var tags string
	err := db.sql.QueryRowContext(ctx, `SELECT c.id, c.state, coalesce(c.snooze_until, 0), c.priority, c.assignee, c.channel,
		a.handle, c.kind, coalesce(c.contact_id, 0), c.ext_key, coalesce(ct.name, ''), coalesce(ct.handle, ''), coalesce(ct.ext_id, ''),
		c.unanswered, c.due_at, c.created_at, c.last_at,
		coalesce((SELECT string_agg(g.name, '`+tagSep+`' ORDER BY t.tag_id) FROM conversation_tags t JOIN tags g ON g.id = t.tag_id
			WHERE t.conversation_id = c.id), '')
		FROM conversations c JOIN accounts a ON a.id = c.account_id LEFT JOIN contacts ct ON ct.id = c.contact_id
		WHERE c.id = ?`, id).Scan(&c.ID, &c.State, &c.SnoozeUntil, &c.Priority, &c.Assignee, &c.Channel, &c.Account, &c.Kind,
		&c.ContactID, &c.ExtKey, &c.AuthorName, &c.AuthorHandle, &c.AuthorExtID, &c.Unanswered, &c.DueAt, &c.CreatedAt, &c.LastAt, &tags)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("conversation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read conversation %d: %w", id, err)
	}
	if tags != "" {
		c.Tags = strings.Split(tags, tagSep)
	}
	return c, nil
}

// MessageRow is a stored message.
type MessageRow struct {
	ID             int64
	ConversationID int64
	Channel        string
	Account        string
	ExtID          string
	Kind           string
	Direction      string
	AuthorExtID    string
	AuthorHandle   string
	AuthorName     string
	Agent          string
	Text           string
	URL            string
	InReplyTo      string
	CreatedAt      int64
	Sentiment      float64
	Priority       int
	Spam           bool
	AnsweredBy     int64
	AnsweredAt     int64
	AnsweredAgent  string
	ClosedAt       int64
	DueAt          int64
	OutboxStatus   string // for replies written in triage
	Subject        string
	// A store review's stars (0: not a rated review), app version and language.
	Rating               int
	AppVersion, Language string
	OutboxError          string // why the channel refused it, or why the last attempt failed
	OutboxNextAt         int64  // when it may leave the outbox next (the end of the undo window at first)
	OutboxAttempts       int
	// What the channel said of it since (update.go): when its author last edited it and
	// the text it first had, when it was removed, whether it is hidden.
	EditedAt  int64
	Original  string
	RemovedAt int64
	Hidden    bool
}

const messageSelect = `SELECT m.id, m.conversation_id, m.channel, a.handle, m.ext_id, m.kind, m.direction,
	coalesce(ct.ext_id, ''), coalesce(ct.handle, ''), coalesce(ct.name, ''), m.agent, m.text, m.url, m.in_reply_to,
	m.created_at, m.sentiment, m.priority, m.spam, coalesce(m.answered_by, 0), coalesce(m.answered_at, 0),
	coalesce(ans.agent, ''), coalesce(m.closed_at, 0), coalesce(m.due_at, 0), coalesce(ob.status, ''), m.subject,
	coalesce(m.rating, 0), coalesce(m.app_version, ''), coalesce(m.language, ''),
	coalesce(ob.last_error, ''), coalesce(ob.next_attempt_at, 0), coalesce(ob.attempts, 0),
	coalesce(m.edited_at, 0), CASE WHEN m.edited_at IS NULL THEN '' ELSE coalesce((SELECT v.text FROM message_versions v
		WHERE v.message_id = m.id ORDER BY v.written_at LIMIT 1), '') END, coalesce(m.removed_at, 0), m.hidden
	FROM messages m JOIN accounts a ON a.id = m.account_id
	LEFT JOIN contacts ct ON ct.id = m.contact_id
	LEFT JOIN messages ans ON ans.id = m.answered_by
	LEFT JOIN outbox ob ON ob.message_id = m.id`

func scanMessage(s interface{ Scan(...any) error }) (MessageRow, error) {
	var m MessageRow
	err := s.Scan(&m.ID, &m.ConversationID, &m.Channel, &m.Account, &m.ExtID, &m.Kind, &m.Direction,
		&m.AuthorExtID, &m.AuthorHandle, &m.AuthorName, &m.Agent, &m.Text, &m.URL, &m.InReplyTo,
		&m.CreatedAt, &m.Sentiment, &m.Priority, &m.Spam, &m.AnsweredBy, &m.AnsweredAt,
		&m.AnsweredAgent, &m.ClosedAt, &m.DueAt, &m.OutboxStatus, &m.Subject,
		&m.Rating, &m.AppVersion, &m.Language,
		&m.OutboxError, &m.OutboxNextAt, &m.OutboxAttempts, &m.EditedAt, &m.Original, &m.RemovedAt, &m.Hidden)
	return m, err
}

// Message reads one message.
func (db *DB) Message(ctx context.Context, id int64) (MessageRow, error) {
	m, err := scanMessage(db.sql.QueryRowContext(ctx, messageSelect+` WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("read message %d: %w", id, err)
	}
	return m, nil
}

// Messages returns the newest limit messages of a conversation older than the key
// (beforeAt, beforeID) — (0, 0) for the newest — in time order. Long threads are read a
// page at a time, never whole.
func (db *DB) Messages(ctx context.Context, convID, beforeAt, beforeID int64, limit int) ([]MessageRow, error) {
	if beforeAt == 0 && beforeID == 0 {
		beforeAt, beforeID = NoDue, NoDue
	}
	rows, err := db.sql.QueryContext(ctx, messageSelect+` WHERE m.conversation_id = ? AND (m.created_at, m.id) < (?, ?)
		ORDER BY m.created_at DESC, m.id DESC LIMIT ?`, convID, beforeAt, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("read messages of conversation %d: %w", convID, err)
	}
	defer rows.Close()
	var out []MessageRow
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("read messages of conversation %d: %w", convID, err)
		}
		out = append(out, m)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, rows.Err()
}

// Note is an internal note on a conversation.
type Note struct {
	ID        int64
	Agent     string
	Text      string
	CreatedAt int64
}

// Notes returns a conversation's notes, oldest first.
func (db *DB) Notes(ctx context.Context, convID int64) ([]Note, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, agent, text, created_at FROM notes WHERE conversation_id = ? AND deleted = 0 ORDER BY created_at, id`, convID)
	if err != nil {
		return nil, fmt.Errorf("read notes: %w", err)
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		var n Note
		if err := rows.Scan(&n.ID, &n.Agent, &n.Text, &n.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Escalations returns a conversation's escalations, oldest first.
func (db *DB) Escalations(ctx context.Context, convID int64) ([]Escalation, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, conversation_id, reason, priority, note, agent, status, arrived_at, created_at,
		coalesce(resolved_at, 0), external_ref FROM escalations WHERE conversation_id = ? ORDER BY created_at, id`, convID)
	if err != nil {
		return nil, fmt.Errorf("read escalations: %w", err)
	}
	defer rows.Close()
	var out []Escalation
	for rows.Next() {
		var e Escalation
		if err := rows.Scan(&e.ID, &e.ConversationID, &e.Reason, &e.Priority, &e.Note, &e.Agent, &e.Status, &e.ArrivedAt,
			&e.CreatedAt, &e.ResolvedAt, &e.ExternalRef); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Tags lists every tag name with how many conversations carry it, most used first.
func (db *DB) Tags(ctx context.Context) ([]TagCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT g.name, count(t.conversation_id) FROM tags g
		LEFT JOIN conversation_tags t ON t.tag_id = g.id GROUP BY g.id ORDER BY count(t.conversation_id) DESC, g.name`)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	defer rows.Close()
	var out []TagCount
	for rows.Next() {
		var t TagCount
		if err := rows.Scan(&t.Name, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TagCount is a tag and how many conversations carry it.
type TagCount struct {
	Name  string
	Count int
}

// Meta reads a value of the meta table ("" when absent).
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta writes a value of the meta table.
func (tx *Tx) SetMeta(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// MessageCount is how many messages the database holds.
func (db *DB) MessageCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n)
	return n, err
}

// ConversationID finds a conversation by channel, account handle and conversation key.
func (db *DB) ConversationID(ctx context.Context, channel, account, key string) (int64, error) {
	var id int64
	err := db.sql.QueryRowContext(ctx, `SELECT c.id FROM conversations c JOIN accounts a ON a.id = c.account_id
		WHERE a.channel = ? AND a.handle = ? AND c.ext_key = ?`, channel, account, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("conversation %s %s %s: %w", channel, account, key, ErrNotFound)
	}
	return id, err
}
