package store

import (
	"context"
	"fmt"
	"strings"
)

// QueueKey is a position in the queue: the sort key of a row. Pages continue after it,
// so page 10,000 costs what page 1 costs.
type QueueKey struct {
	PrioRank, DueAt, SinceAt, ID int64
}

// QueueRequest asks for one page of conversations.
type QueueRequest struct {
	States []string // the view's states; none means every state
	Filter Cond     // the query on top, nil for none
	Env    Env
	After  *QueueKey // nil for the first page
	Before *QueueKey // page backwards: rows before this key, returned in queue order
	Limit  int
}

// QueueRow is one conversation as the queue shows it.
type QueueRow struct {
	Key          QueueKey
	ID           int64
	Channel      string
	Account      string
	Kind         string
	State        string
	Priority     int
	Assignee     string
	Unanswered   int
	DueAt        int64 // NoDue when nothing waits
	SinceAt      int64
	LastAt       int64
	SnoozeUntil  int64
	AuthorName   string
	AuthorHandle string
	LastText     string // the latest inbound message; "(removed)" when its author removed it
	LastInAt     int64
	Subject      string // the latest inbound message's subject: email only, "" elsewhere
	HasDraft     bool   // the agent (Env.Me) began a reply and kept it as a draft
	Tags         []string
	Failed       int // replies the channel refused, not yet sent again or taken back
	Rating       int // the stars of its latest review, 1 to 5; 0 when it has none
}

const tagSep = "\x1f"

// queueSelect dresses a page of conversation ids (the subquery "page", in queue order)
// with what a row shows. The page is chosen first and only its rows are looked up: when a
// search narrows the view through the full-text index, SQLite takes the matching
// conversations in no order and sorts them, and looking up author, last message and tags
// of fifty thousand of them to keep fifty cost most of a keystroke.
const queueSelect = `SELECT c.prio_rank, c.due_at, c.since_at, c.id, c.channel, a.handle, c.kind, c.state, c.priority,
	c.assignee, c.unanswered, c.last_at, coalesce(c.snooze_until, 0),
	coalesce(ct.name, ''), coalesce(ct.handle, ''),
	CASE WHEN lm.removed_at IS NULL THEN coalesce(lm.text, '') ELSE '(removed)' END, -- its author took it back (update.go)
	coalesce(lm.created_at, 0),
	coalesce(lm.subject, ''), EXISTS (SELECT 1 FROM drafts d WHERE d.conversation_id = c.id AND d.agent IN (?, '')),
	coalesce((SELECT string_agg(g.name, '` + tagSep + `' ORDER BY t.tag_id) FROM conversation_tags t JOIN tags g ON g.id = t.tag_id
		WHERE t.conversation_id = c.id), ''),
	(SELECT count(*) FROM outbox o INDEXED BY outbox_due WHERE o.kind = 'reply' AND o.status = 'failed' AND o.conversation_id = c.id),
	coalesce(c.rating, 0)
	FROM page JOIN conversations c ON c.id = page.id
	JOIN accounts a ON a.id = c.account_id
	LEFT JOIN contacts ct ON ct.id = c.contact_id
	LEFT JOIN messages lm ON lm.id = c.last_inbound_id`

// Channels lists the channels the inbox has accounts on, sorted.
func (db *DB) Channels(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT DISTINCT channel FROM accounts ORDER BY channel`)
	if err != nil {
		return nil, fmt.Errorf("read channels: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ch string
		if err := rows.Scan(&ch); err != nil {
			return nil, fmt.Errorf("read channels: %w", err)
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// viewWhere narrows to the view's states in a way that uses one of the queue indexes.
func viewWhere(states []string) (string, []any) {
	switch {
	case len(states) == 0:
		return "TRUE", nil
	case len(states) == 2 && ((states[0] == "new" && states[1] == "open") || (states[0] == "open" && states[1] == "new")):
		return "c.needs_action = 1", nil
	case len(states) == 1:
		return "c.state = ?", []any{states[0]}
	}
	args := make([]any, len(states))
	for i, s := range states {
		args[i] = s
	}
	return "c.state IN (" + placeholders(len(states)) + ")", args
}

// QueuePage returns up to Limit conversations in queue order (priority, SLA due, age).
func (db *DB) QueuePage(ctx context.Context, r QueueRequest) ([]QueueRow, error) {
	use, err := db.textUse(ctx, r.Filter, r.Env)
	if err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	q, args := queueQuery(db.d, r, use)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	defer rows.Close()
	var out []QueueRow
	for rows.Next() {
		var q QueueRow
		var tags string
		if err := rows.Scan(&q.Key.PrioRank, &q.Key.DueAt, &q.Key.SinceAt, &q.Key.ID, &q.Channel, &q.Account, &q.Kind,
			&q.State, &q.Priority, &q.Assignee, &q.Unanswered, &q.LastAt, &q.SnoozeUntil,
			&q.AuthorName, &q.AuthorHandle, &q.LastText, &q.LastInAt, &q.Subject, &q.HasDraft, &tags, &q.Failed, &q.Rating); err != nil {
			return nil, fmt.Errorf("read queue: %w", err)
		}
		q.ID, q.DueAt, q.SinceAt = q.Key.ID, q.Key.DueAt, q.Key.SinceAt
		if tags != "" {
			q.Tags = strings.Split(tags, tagSep)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	if r.Before != nil {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// queueQuery builds the statement of a queue page: the view, the filter and the keyset
// choose the page's ids (pageQuery), queueSelect shows them.
func queueQuery(d dialect, r QueueRequest, use ftsUse) (string, []any) {
	page, args, order := pageQuery(d, r, use)
	// queueSelect's one parameter, whose drafts to mark, follows the page's.
	return "WITH page AS MATERIALIZED (" + page + ") " + queueSelect +
		fmt.Sprintf(" ORDER BY c.prio_rank %[1]s, c.due_at %[1]s, c.since_at %[1]s, c.id %[1]s", order), append(args, r.Env.Me)
}

// pageQuery selects the ids of a page of conversations in queue order, and says which
// way ("ASC" or "DESC") the order runs. use says how the filter's words narrow it.
func pageQuery(d dialect, r QueueRequest, use ftsUse) (string, []any, string) {
	where, args := viewWhere(r.States)
	conds := []string{where}
	var match string
	if r.Filter != nil {
		var f string
		var fargs []any
		f, fargs, match = conversationWhere(d, r.Filter, r.Env, use)
		conds = append(conds, f)
		args = append(args, fargs...)
	}
	order := "ASC"
	switch {
	case r.After != nil:
		conds = append(conds, "(c.prio_rank, c.due_at, c.since_at, c.id) > (?, ?, ?, ?)")
		args = append(args, r.After.PrioRank, r.After.DueAt, r.After.SinceAt, r.After.ID)
	case r.Before != nil:
		conds = append(conds, "(c.prio_rank, c.due_at, c.since_at, c.id) < (?, ?, ?, ?)")
		args = append(args, r.Before.PrioRank, r.Before.DueAt, r.Before.SinceAt, r.Before.ID)
		order = "DESC"
	}
	limit := r.Limit
	if limit <= 0 {
		limit = 50
	}
	q := "SELECT c.id FROM conversations c WHERE " + strings.Join(conds, " AND ") +
		fmt.Sprintf(" ORDER BY c.prio_rank %[1]s, c.due_at %[1]s, c.since_at %[1]s, c.id %[1]s LIMIT %d", order, limit)
	if use == ftsProbe {
		q, args = withFTSPlan(d, q, args, match)
	}
	return q, args, order
}

// QueueCount counts the conversations of a view and filter. A limit above zero stops the
// count there: a search being typed shows "1,000+" rather than wait for the exact figure.
func (db *DB) QueueCount(ctx context.Context, states []string, filter Cond, env Env, limit int) (int, error) {
	q, args := countQuery(db.d, states, filter, env, limit)
	var n int
	if err := db.sql.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count queue: %w", err)
	}
	return n, nil
}

// countQuery builds QueueCount's statement. A limited count of a search reads the
// matching conversations from the full-text index in id order and stops at the limit,
// never building the whole list of matches: at a million messages "refund" counts to
// 1,000 in 9 ms, and to its 53,000 in 50. (On PostgreSQL the candidates come from
// fts_words in order, and ftsConfirm tests each; see dialect_postgres.go.)
func countQuery(d dialect, states []string, filter Cond, env Env, limit int) (string, []any) {
	where, args := viewWhere(states)
	use := ftsLookup
	if limit > 0 {
		use = ftsDriven
	}
	var match string
	if filter != nil {
		var f string
		var fargs []any
		f, fargs, match = conversationWhere(d, filter, env, use)
		where += " AND " + f
		args = append(args, fargs...)
	}
	if limit <= 0 {
		return "SELECT count(*) FROM conversations c WHERE " + where, args
	}
	from := "conversations c"
	if match != "" {
		cands := d.ftsCandidates()
		conv := "c.id"
		if where == "TRUE AND (TRUE)" { // the view is All, the filter only words (conversationWhere)
			// Every conversation is in the view: the candidates need no look into
			// conversations (on PostgreSQL a step down its index and a row read each).
			from, conv = "("+cands+") f", "f.id"
		} else {
			from = "(" + cands + ") f " + d.joinInOrder() + " conversations c ON c.id = f.id"
		}
		args = append(ftsArgs(cands, match), args...)
		if confirm := d.ftsConfirm(conv); confirm != "" {
			where += " AND " + confirm
			args = append(args, ftsArgs(confirm, match)...)
		}
	}
	return withFTSPlan(d, "SELECT count(*) FROM (SELECT 1 FROM "+from+" WHERE "+where+" LIMIT ?) AS n", append(args, limit), match)
}

// WakeSnoozed reopens the snoozed conversations whose time has come and returns their ids.
// Most calls find nothing to wake, and a read says so without taking the write lock or
// committing: every commit makes every open screen read again, and each screen calls
// this on its clock, so under `triage team` fifty sessions made three empty commits a
// second that reloaded all fifty screens each time (bench/teamload).
func (db *DB) WakeSnoozed(ctx context.Context, now int64) ([]int64, error) {
	var due bool
	if err := db.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE state = 'snoozed' AND snooze_until <= ?)`,
		now).Scan(&due); err != nil {
		return nil, fmt.Errorf("wake snoozed conversations: %w", err)
	}
	if !due {
		return nil, nil
	}
	var ids []int64
	err := db.Tx(ctx, func(tx *Tx) error {
		ids = ids[:0]
		rows, err := tx.query(ctx, `SELECT id FROM conversations WHERE state = 'snoozed' AND snooze_until <= ?`, now)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if err := tx.SetState(ctx, id, "open", 0); err != nil {
				return err
			}
			if err := tx.Audit(ctx, AuditEvent{At: now, Actor: "system", Action: "state", ConversationID: id, From: "snoozed", To: "open"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("wake snoozed conversations: %w", err)
	}
	return ids, nil
}

// Explain returns SQLite's query plan for a statement, one step per line; tests use it to
// prove that the queue and stats queries run on indexes.
func (db *DB) Explain(ctx context.Context, query string, args ...any) (string, error) {
	if db.d.engine() != "sqlite" {
		return "", fmt.Errorf("query plans: only SQLite's are read (this database is %s)", db.d.engine())
	}
	rows, err := db.sql.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		b.WriteString(detail + "\n")
	}
	return b.String(), rows.Err()
}
