package store

import (
	"context"
	"testing"
	"time"
)

// On PostgreSQL an escalation being delivered by one host is not taken by another
// host's recovery (which settles the deliveries a crash left in sending) while the
// first lives; once it has died, its delivery is there to settle.
func TestPostgresRecoveryLeavesAnotherHostsDeliveryAlone(t *testing.T) {
	ctx := context.Background()
	url := dsnOn(t, onPostgres)
	sender, other := openURL(t, url), openURL(t, url)
	var obID int64
	err := sender.Tx(ctx, func(tx *Tx) error {
		acct, err := tx.AccountID(ctx, "mastodon", "@acme")
		if err != nil {
			return err
		}
		var convID int64
		if err := tx.queryRow(ctx, `INSERT INTO conversations (account_id, ext_key, channel, kind, since_at, last_at, created_at)
			VALUES (?, 'msg:1', 'mastodon', 'mention', 1, 1, 1) RETURNING id`, acct).Scan(&convID); err != nil {
			return err
		}
		escID, err := tx.AddEscalation(ctx, Escalation{ConversationID: convID, Reason: "billing", Priority: 2, Agent: "maria", ArrivedAt: 1, CreatedAt: 100})
		if err != nil {
			return err
		}
		obID, err = tx.QueueEscalation(ctx, escID, convID, "key-1", 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.MoveOutbox(ctx, obID, "pending", "sending", true, "", "", 0, 150); err != nil {
		t.Fatal(err)
	}
	stuck := func() int {
		t.Helper()
		items, err := other.EscalationsInStatus(ctx, "sending")
		if err != nil {
			t.Fatal(err)
		}
		return len(items)
	}
	if n := stuck(); n != 0 {
		t.Fatalf("while its sender lives, another host's recovery lists %d deliveries, want none", n)
	}
	sender.Close() // the sending host dies; its session ends a moment later
	deadline := time.Now().Add(5 * time.Second)
	for stuck() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := stuck(); n != 1 {
		t.Errorf("after its sender died, recovery lists %d deliveries, want the one", n)
	}
}

func openURL(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
