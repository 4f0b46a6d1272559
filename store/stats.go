package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Window selects inbound messages by their time, with an optional query on top.
type Window struct {
	SinceMS, UntilMS int64 // [since, until)
	Filter           Cond
	Env              Env
	WithTags         bool // fill StatRow.Tags (costs a lookup per row, so only when grouping by tag)
	WithAgent        bool // fill StatRow.Agent (likewise, only when grouping by agent)
	WithKind         bool // fill StatRow.Kind
}

// StatRow is what response-time statistics need of one inbound message.
type StatRow struct {
	Channel    string
	Kind       string // with Window.WithKind
	CreatedAt  int64
	AnsweredAt int64 // 0 when unanswered
	ClosedAt   int64 // 0 unless closed without reply
	Priority   int
	Sentiment  float64
	Agent      string // with Window.WithAgent: who answered (UnknownAgent when the reply names none), else the assignee, else ""
	Tags       []string
}

// StatRows streams the inbound messages in the window (spam left out) to fn, in time order.
// Nothing is collected here: the caller keeps only what its figures need.
func (db *DB) StatRows(ctx context.Context, w Window, fn func(StatRow) error) error {
	return db.statRows(ctx, w, fn)
}

// StatRowsSplit reads the window as parts slices of equal time at once, each on its own
// connection and goroutine, and calls fn with the number of the slice (from 0, oldest
// first) from as many goroutines; within a slice the rows come in time order. Reading
// rows through the driver costs most of the time of statistics, so two cores read a
// month of a large inbox in about half the time.
func (db *DB) StatRowsSplit(ctx context.Context, w Window, parts int, fn func(part int, r StatRow) error) error {
	parts = max(1, min(parts, int(w.UntilMS-w.SinceMS)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, parts)
	var wg sync.WaitGroup
	step := (w.UntilMS - w.SinceMS) / int64(parts)
	for i := range parts {
		slice := w
		slice.SinceMS = w.SinceMS + int64(i)*step
		if i < parts-1 {
			slice.UntilMS = slice.SinceMS + step
		}
		wg.Go(func() {
			errs[i] = db.statRows(ctx, slice, func(r StatRow) error { return fn(i, r) })
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// statsQuery is the query StatRows runs, with its arguments.
func statsQuery(d dialect, w Window) (string, []any) {
	where, args := messageWhere(d, w.Filter, w.Env)
	// Every join is a lookup per message: only those the figures or the filter need are
	// made, so plain statistics read msg_created alone (it holds every column below). A
	// conversation a person marked as spam is left out through the (short) list of them.
	cols := "m.channel, m.created_at, coalesce(m.answered_at, 0), coalesce(m.closed_at, 0), m.priority, m.sentiment"
	joins := ""
	if w.WithAgent || usesAlias(where, "c") {
		joins += " JOIN conversations c ON c.id = m.conversation_id"
	}
	if usesAlias(where, "ct") {
		joins += " LEFT JOIN contacts ct ON ct.id = m.contact_id"
	}
	if w.WithKind {
		cols += ", m.kind"
	}
	if w.WithAgent {
		// An answered message counts for whoever answered it; one still waiting, or
		// closed without a reply, for the conversation's assignee.
		cols += `, CASE WHEN m.answered_by IS NULL THEN c.assignee WHEN ans.agent <> '' THEN ans.agent ELSE '` + UnknownAgent + `' END`
		joins += " LEFT JOIN messages ans ON ans.id = m.answered_by"
	}
	if w.WithTags {
		cols += `, coalesce((SELECT string_agg(g.name, '` + tagSep + `' ORDER BY t.tag_id) FROM conversation_tags t JOIN tags g ON g.id = t.tag_id
			WHERE t.conversation_id = m.conversation_id), '')`
	}
	return `SELECT ` + cols + `
		FROM messages m INDEXED BY msg_created` + joins + `
		WHERE m.direction = 'in' AND m.created_at >= ? AND m.created_at < ? AND m.spam = 0
		AND m.conversation_id NOT IN (SELECT id FROM conversations WHERE state = 'spam')
		AND (` + where + `) ORDER BY m.created_at`, append([]any{w.SinceMS, w.UntilMS}, args...)
}

// UnknownAgent is who answered a message, for statistics, when the reply names no agent
// (one sent from the channel's own app and imported without "agent").
const UnknownAgent = "(unknown)"

// EscalationRow is one escalation as statistics count it.
type EscalationRow struct {
	Channel, Kind, Agent, Reason string
	CreatedAt, ArrivedAt         int64
	Tags                         []string
}

// EscalationRows streams, for every conversation escalated in the window, its first
// escalation there: a conversation counts once however often it was escalated. Cancelled
// escalations (an undone one) and conversations in state spam are left out, as are
// conversations with no message matching the filter.
func (db *DB) EscalationRows(ctx context.Context, w Window, fn func(EscalationRow) error) error {
	where, args, _ := conversationWhere(db.d, w.Filter, w.Env, ftsLookup)
	q := `SELECT c.channel, c.kind, e.agent, e.reason, e.created_at, e.arrived_at,
		coalesce((SELECT string_agg(g.name, '` + tagSep + `' ORDER BY t.tag_id) FROM conversation_tags t JOIN tags g ON g.id = t.tag_id
			WHERE t.conversation_id = c.id), '')
		FROM escalations e JOIN conversations c ON c.id = e.conversation_id
		WHERE e.status <> 'cancelled' AND e.created_at >= ?1 AND e.created_at < ?2 AND c.state <> 'spam'
		AND e.id = (SELECT f.id FROM escalations f WHERE f.conversation_id = e.conversation_id AND f.status <> 'cancelled'
			AND f.created_at >= ?1 AND f.created_at < ?2 ORDER BY f.created_at, f.id LIMIT 1)
		AND (` + where + `)
		ORDER BY e.created_at`
	rows, err := db.sql.QueryContext(ctx, q, append([]any{w.SinceMS, w.UntilMS}, args...)...)
	if err != nil {
		return fmt.Errorf("read escalations for stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r EscalationRow
		var tagList string
		if err := rows.Scan(&r.Channel, &r.Kind, &r.Agent, &r.Reason, &r.CreatedAt, &r.ArrivedAt, &tagList); err != nil {
			return fmt.Errorf("read escalations for stats: %w", err)
		}
		if tagList != "" {
			r.Tags = strings.Split(tagList, tagSep)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ExportRow is a message with its conversation's state, tags and latest escalation.
type ExportRow struct {
	MessageRow
	ConvKey          string
	State            string
	SnoozeUntil      int64
	Assignee         string
	Tags             []string
	EscalationReason string
	EscalationStatus string
	Orphan           bool // a reply still waiting for its parent (see ingest_merge.go)
	Marks            MessageMarks
}

// ExportRows streams the messages (inbound and outbound) created in the window that match
// the filter, in time order.
func (db *DB) ExportRows(ctx context.Context, w Window, fn func(ExportRow) error) error {
	where, args := messageWhere(db.d, w.Filter, w.Env)
	q := `SELECT m.id, m.conversation_id, m.channel, a.handle, m.ext_id, m.kind, m.direction,
		coalesce(ct.ext_id, ''), coalesce(ct.handle, ''), coalesce(ct.name, ''), m.agent, m.text, m.url, m.in_reply_to,
		m.created_at, m.sentiment, m.priority, m.spam, coalesce(m.answered_by, 0), coalesce(m.answered_at, 0),
		'', coalesce(m.closed_at, 0), coalesce(m.due_at, 0), coalesce((SELECT status FROM outbox WHERE message_id = m.id), ''), m.subject,
		coalesce(m.rating, 0), coalesce(m.app_version, ''), coalesce(m.language, ''),
		c.ext_key, c.state, coalesce(c.snooze_until, 0), c.assignee, EXISTS (SELECT 1 FROM orphans WHERE message_id = m.id),
		coalesce((SELECT string_agg(g.name, '` + tagSep + `' ORDER BY t.tag_id) FROM conversation_tags t JOIN tags g ON g.id = t.tag_id
			WHERE t.conversation_id = c.id), ''),
		coalesce(e.reason, ''), coalesce(e.status, ''),
		coalesce(m.edited_at, 0), coalesce(m.removed_at, 0), m.hidden, coalesce(m.hidden_at, 0),
		CASE WHEN m.edited_at IS NULL THEN '' ELSE coalesce((SELECT ` + db.d.jsonRows("v.written_at", "v.text") + `
			FROM (SELECT written_at, text FROM message_versions WHERE message_id = m.id ORDER BY written_at) v), '') END
		FROM messages m INDEXED BY msg_all_created
		JOIN accounts a ON a.id = m.account_id
		JOIN conversations c ON c.id = m.conversation_id
		LEFT JOIN contacts ct ON ct.id = m.contact_id
		LEFT JOIN escalations e ON e.id = (SELECT max(id) FROM escalations WHERE conversation_id = c.id AND status <> 'cancelled')
		WHERE m.created_at >= ? AND m.created_at < ? AND (` + where + `)
		ORDER BY m.created_at, m.id`
	rows, err := db.sql.QueryContext(ctx, q, append([]any{w.SinceMS, w.UntilMS}, args...)...)
	if err != nil {
		return fmt.Errorf("read messages for export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ExportRow
		var tagList, versions string
		m := &r.MessageRow
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.Channel, &m.Account, &m.ExtID, &m.Kind, &m.Direction,
			&m.AuthorExtID, &m.AuthorHandle, &m.AuthorName, &m.Agent, &m.Text, &m.URL, &m.InReplyTo,
			&m.CreatedAt, &m.Sentiment, &m.Priority, &m.Spam, &m.AnsweredBy, &m.AnsweredAt,
			&m.AnsweredAgent, &m.ClosedAt, &m.DueAt, &m.OutboxStatus, &m.Subject,
			&m.Rating, &m.AppVersion, &m.Language,
			&r.ConvKey, &r.State, &r.SnoozeUntil, &r.Assignee, &r.Orphan, &tagList, &r.EscalationReason, &r.EscalationStatus,
			&r.Marks.EditedAt, &r.Marks.RemovedAt, &r.Marks.Hidden, &r.Marks.HiddenAt, &versions); err != nil {
			return fmt.Errorf("read messages for export: %w", err)
		}
		if versions != "" {
			if r.Marks.Versions, err = parseVersions(versions); err != nil {
				return fmt.Errorf("read the earlier texts of message %d for export: %w", m.ID, err)
			}
		}
		if tagList != "" {
			r.Tags = strings.Split(tagList, tagSep)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UnansweredRow is an inbound message still waiting, for recomputing SLA due times.
type UnansweredRow struct {
	ID, ConversationID int64
	Channel            string
	Priority           int
	CreatedAt          int64
}

// Unanswered streams every inbound message that still waits for a reply.
func (db *DB) Unanswered(ctx context.Context, fn func(UnansweredRow) error) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, conversation_id, channel, priority, created_at FROM messages INDEXED BY msg_unanswered
		WHERE direction = 'in' AND answered_at IS NULL AND closed_at IS NULL AND spam = 0`)
	if err != nil {
		return fmt.Errorf("read unanswered messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r UnansweredRow
		if err := rows.Scan(&r.ID, &r.ConversationID, &r.Channel, &r.Priority, &r.CreatedAt); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SetDue sets the SLA due time of a message (RefreshConversation must follow for its conversation).
func (tx *Tx) SetDue(ctx context.Context, msgID, due int64) error {
	if err := tx.leaveIngest(ctx); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE messages SET due_at = ? WHERE id = ?`, due, msgID)
	return err
}

// usesAlias reports whether SQL from MessageWhere names a column of the table it calls
// alias ("c." for conversations, "ct." for contacts).
func usesAlias(sql, alias string) bool {
	for i := 0; ; {
		j := strings.Index(sql[i:], alias+".")
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || !isIdentByte(sql[j-1]) {
			return true
		}
		i = j + 1
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
