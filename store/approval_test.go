package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

// A database at version 11 with replies and an escalation in its outbox comes through
// migration 12 with every row as it was; the outbox then takes the approval statuses for
// replies, and refuses them for an escalation.
func TestSQLiteMigration12KeepsTheOutboxAndAddsApproval(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	old := openAtVersion(t, path, 11)
	for _, q := range []string{
		`INSERT INTO accounts (id, channel, handle) VALUES (1, 'mastodon', '@acme')`,
		`INSERT INTO conversations (id, account_id, ext_key, channel, kind, since_at, last_at, created_at)
			VALUES (7, 1, 'msg:100', 'mastodon', 'mention', 1000, 2000, 1000)`,
		`INSERT INTO messages (id, conversation_id, account_id, channel, ext_id, kind, direction, text, created_at)
			VALUES (10, 7, 1, 'mastodon', '100', 'mention', 'in', 'hello', 1000),
			(11, 7, 1, 'mastodon', 'triage:k1', 'mention', 'out', 'Hi Ana!', 2000),
			(12, 7, 1, 'mastodon', 'triage:k2', 'mention', 'out', 'Anything else?', 3000)`,
		`INSERT INTO escalations (id, conversation_id, reason, priority, agent, arrived_at, created_at)
			VALUES (5, 7, 'bug', 1, 'maria', 1000, 2500)`,
		`INSERT INTO outbox (id, message_id, conversation_id, status, idempotency_key, attempts, last_error, next_attempt_at, created_at, updated_at)
			VALUES (3, 11, 7, 'failed', 'k1', 2, '503 Service Unavailable', 5000, 2000, 4000)`,
		`INSERT INTO outbox (id, message_id, conversation_id, status, idempotency_key, attempts, remote_id, next_attempt_at, created_at, updated_at)
			VALUES (4, 12, 7, 'sent', 'k2', 1, '109876', 3000, 3000, 3100)`,
		`INSERT INTO outbox (id, kind, escalation_id, conversation_id, idempotency_key, next_attempt_at, created_at, updated_at)
			VALUES (6, 'escalation', 5, 7, 'e5', 2500, 2500, 2500)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", firstLine(q), err)
		}
	}
	const all = `SELECT id, kind, coalesce(message_id, 0), coalesce(escalation_id, 0), status, idempotency_key, attempts,
		last_error, remote_id, next_attempt_at, created_at, updated_at FROM outbox ORDER BY id`
	before := outboxDump(t, old, all)
	old.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if after := outboxDump(t, db.sql, all); !reflect.DeepEqual(before, after) {
		t.Fatalf("outbox changed by migration 12:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := db.sql.Exec(`UPDATE outbox SET status = 'awaiting_approval' WHERE id = 3`); err != nil {
		t.Fatalf("a reply cannot await approval: %v", err)
	}
	if _, err := db.sql.Exec(`UPDATE outbox SET status = 'returned' WHERE id = 6`); err == nil {
		t.Fatal("an escalation was sent back for approval")
	}
	if _, err := db.sql.Exec(`UPDATE outbox SET status = 'approved' WHERE id = 3`); err == nil {
		t.Fatal("the outbox took a status that does not exist")
	}
}

// outboxDump is every row a query reads, as values.
func outboxDump(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}, query string) [][]any {
	t.Helper()
	rows, err := q.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	return out
}

// A reply written awaiting approval answers nothing and is never due to be sent; sent
// back once, it cannot be sent back again.
func TestAwaitingApprovalAnswersNothing(t *testing.T) {
	forEngines(t, testAwaitingApprovalAnswersNothing)
}

func testAwaitingApprovalAnswersNothing(t *testing.T, e engine) {
	ctx := context.Background()
	db, err := Open(ctx, dsnOn(t, e))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.sql.Exec(`INSERT INTO accounts (id, channel, handle) VALUES (1, 'x', '@acme');
		INSERT INTO conversations (id, account_id, ext_key, channel, kind, since_at, last_at, created_at)
			VALUES (7, 1, 'c', 'x', 'mention', 1000, 1000, 1000);
		INSERT INTO messages (id, conversation_id, account_id, channel, ext_id, kind, direction, text, created_at, due_at)
			VALUES (10, 7, 1, 'x', 'm1', 'mention', 'in', 'hello', 1000, 3601000);`); err != nil {
		t.Fatal(err)
	}
	var msg int64
	err = db.Tx(ctx, func(tx *Tx) error {
		if err := tx.RefreshConversation(ctx, 7); err != nil {
			return err
		}
		msg, err = tx.AddReply(ctx, Reply{ConversationID: 7, Agent: "newbie", Text: "hi", At: 2000, SendAt: 2000, Key: "k1", AwaitingApproval: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var answered any
	db.sql.QueryRow(`SELECT answered_at FROM messages WHERE id = 10`).Scan(&answered)
	if answered != nil {
		t.Fatalf("a reply awaiting approval answers at %v", answered)
	}
	if due, err := db.DueOutbox(ctx, 1<<40, 10); err != nil || len(due) != 0 {
		t.Fatalf("due: %+v, %v", due, err)
	}
	if n, err := db.AwaitingApproval(ctx); err != nil || n != 1 {
		t.Fatalf("awaiting approval: %d, %v", n, err)
	}
	err = db.Tx(ctx, func(tx *Tx) error { return tx.ReturnReply(ctx, msg, "too casual", 3000) })
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *Tx) error { return tx.ReturnReply(ctx, msg, "again", 3100) })
	if !errors.Is(err, ErrOutboxState) {
		t.Fatalf("sent back twice: %v", err)
	}
	var status, note string
	db.sql.QueryRow(`SELECT status, last_error FROM outbox WHERE message_id = ?`, msg).Scan(&status, &note)
	if status != StatusReturned || note != "too casual" {
		t.Fatalf("after send back: %s %q", status, note)
	}
}
