package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// openAtVersion creates a database at path with only the first version migrations
// applied, the way an older triage left it, and returns the raw connection.
func openAtVersion(t *testing.T, path string, version int) *sql.DB {
	t.Helper()
	sqldb, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrationsFor(sqliteDialect{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := sqldb.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:version] {
		if _, err := tx.Exec(m.sql); err != nil {
			t.Fatalf("apply %s: %v", m.name, err)
		}
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return sqldb
}

// v2OutboxColumns are the outbox's columns as version 2 had them.
const v2OutboxColumns = `id, message_id, conversation_id, status, idempotency_key, attempts, last_error, remote_id,
	next_attempt_at, created_at, updated_at`

func outboxRows(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) [][]any {
	t.Helper()
	return outboxDump(t, q, `SELECT `+v2OutboxColumns+` FROM outbox ORDER BY id`)
}

// A database at version 2 with replies in its outbox (one pending, one sent) comes
// through migration 3 with every value as it was, and the replies still send.
func TestSQLiteMigration3KeepsTheOutbox(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	old := openAtVersion(t, path, 2)
	for _, q := range []string{
		`INSERT INTO accounts (id, channel, handle) VALUES (1, 'mastodon', '@acme')`,
		`INSERT INTO conversations (id, account_id, ext_key, channel, kind, since_at, last_at, created_at)
			VALUES (7, 1, 'msg:100', 'mastodon', 'mention', 1000, 2000, 1000)`,
		`INSERT INTO messages (id, conversation_id, account_id, channel, ext_id, kind, direction, text, created_at)
			VALUES (10, 7, 1, 'mastodon', '100', 'mention', 'in', 'hello', 1000),
			(11, 7, 1, 'mastodon', 'triage:k1', 'mention', 'out', 'Hi Ana!', 2000),
			(12, 7, 1, 'mastodon', 'triage:k2', 'mention', 'out', 'Anything else?', 3000)`,
		`INSERT INTO outbox (id, message_id, conversation_id, status, idempotency_key, attempts, last_error, next_attempt_at, created_at, updated_at)
			VALUES (3, 11, 7, 'pending', 'k1', 2, '503 Service Unavailable', 5000, 2000, 4000)`,
		`INSERT INTO outbox (id, message_id, conversation_id, status, idempotency_key, attempts, remote_id, next_attempt_at, created_at, updated_at)
			VALUES (4, 12, 7, 'sent', 'k2', 1, '109876', 3000, 3000, 3100)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", firstLine(q), err)
		}
	}
	before := outboxRows(t, old)
	old.Close()
	if len(before) != 2 {
		t.Fatalf("version 2 outbox holds %d rows, want 2", len(before))
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	db.sql.QueryRow("PRAGMA user_version").Scan(&v)
	if v != SchemaVersion() {
		t.Fatalf("user_version = %d, want %d", v, SchemaVersion())
	}
	if after := outboxRows(t, db.sql); !reflect.DeepEqual(before, after) {
		t.Fatalf("outbox changed by the migration:\nbefore %v\nafter  %v", before, after)
	}
	var kinds string
	db.sql.QueryRow(`SELECT string_agg(kind || ':' || coalesce(CAST(escalation_id AS TEXT), 'null'), ' ') FROM outbox`).Scan(&kinds)
	if kinds != "reply:null reply:null" {
		t.Errorf("kinds = %q, want both replies without an escalation", kinds)
	}
	due, err := db.DueOutbox(ctx, 5000, 10)
	if err != nil || len(due) != 1 || due[0].Key != "k1" || due[0].Text != "Hi Ana!" || due[0].Attempts != 2 {
		t.Fatalf("due after migration = %+v, %v", due, err)
	}
	var idx string
	db.sql.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'outbox_due'`).Scan(&idx)
	if idx == "" {
		t.Error("index outbox_due was not recreated")
	}
	if err := db.sql.QueryRow(`PRAGMA foreign_key_check`).Scan(); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("foreign_key_check after migration: %v", err)
	}
	// Exactly one of message_id and escalation_id, and kind agrees.
	for _, q := range []string{
		`INSERT INTO outbox (kind, conversation_id, idempotency_key, next_attempt_at, created_at, updated_at)
			VALUES ('escalation', 7, 'none', 0, 0, 0)`,
		`INSERT INTO outbox (kind, message_id, conversation_id, idempotency_key, next_attempt_at, created_at, updated_at)
			VALUES ('escalation', 10, 7, 'wrong-kind', 0, 0, 0)`,
	} {
		if _, err := db.sql.Exec(q); err == nil {
			t.Errorf("accepted: %s", q)
		}
	}
}

func TestEscalationDelivery(t *testing.T) { forEngines(t, testEscalationDelivery) }

func testEscalationDelivery(t *testing.T, e engine) {
	ctx := context.Background()
	db := openOn(t, e)
	var convID, escID, obID int64
	err := db.Tx(ctx, func(tx *Tx) error {
		acct, err := tx.AccountID(ctx, "mastodon", "@acme")
		if err != nil {
			return err
		}
		err = tx.queryRow(ctx, `INSERT INTO conversations (account_id, ext_key, channel, kind, since_at, last_at, created_at)
			VALUES (?, 'msg:1', 'mastodon', 'mention', 1, 1, 1) RETURNING id`, acct).Scan(&convID)
		if err != nil {
			return err
		}
		if escID, err = tx.AddEscalation(ctx, Escalation{ConversationID: convID, Reason: "billing", Priority: 2,
			Note: "double charge", Agent: "maria", ArrivedAt: 1, CreatedAt: 100}); err != nil {
			return err
		}
		obID, err = tx.QueueEscalation(ctx, escID, convID, "key-1", 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if replies, _ := db.DueOutbox(ctx, 1000, 10); len(replies) != 0 {
		t.Errorf("an escalation was listed as a reply: %+v", replies)
	}
	due, err := db.DueEscalations(ctx, 1000, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	want := EscalationItem{ID: obID, EscalationID: escID, ConversationID: convID, Status: "pending", Key: "key-1",
		Reason: "billing", Priority: 2, Note: "double charge", Agent: "maria", EscalatedAt: 100, EscalationStatus: "open"}
	if due[0] != want {
		t.Errorf("due[0] = %+v\nwant     %+v", due[0], want)
	}
	if err := db.EscalationDelivered(ctx, obID, "123", 200); !errors.Is(err, ErrOutboxState) {
		t.Errorf("delivered while pending = %v, want ErrOutboxState", err)
	}
	if err := db.MoveOutbox(ctx, obID, "pending", "sending", true, "", "", 0, 150); err != nil {
		t.Fatal(err)
	}
	if err := db.EscalationDelivered(ctx, obID, "123", 200); err != nil {
		t.Fatal(err)
	}
	escs, _ := db.Escalations(ctx, convID)
	got, _ := db.EscalationDeliveries(ctx, convID)
	if len(escs) != 1 || escs[0].ExternalRef != "123" || len(got) != 1 || got[0].Status != "sent" || got[0].RemoteID != "123" {
		t.Fatalf("after delivery: escalations %+v, deliveries %+v", escs, got)
	}
	// Undoing after delivery leaves the sent delivery as it is and says so.
	err = db.Tx(ctx, func(tx *Tx) error {
		it, err := tx.CancelEscalationDelivery(ctx, escID, 300)
		if err == nil && (it.Status != "sent" || it.RemoteID != "123") {
			err = fmt.Errorf("cancel after delivery saw %+v", it)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.EscalationDeliveries(ctx, convID); got[0].Status != "sent" {
		t.Errorf("a sent delivery became %s", got[0].Status)
	}
}
