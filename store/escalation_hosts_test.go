package store

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Two senders on one inbox (two hosts on PostgreSQL; two processes on a SQLite file, as
// `triage team` beside a `sync` service): a reply or an escalation being sent by one is
// not taken by the other's recovery (which settles what a crash left in sending) while
// the first lives; once it has gone, its entry is there to settle.
func TestRecoveryLeavesAnotherSendersEntryAlone(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			if e == onSQLite && !rangeLocks {
				t.Skipf("no open file description locks on %s: SQLite's send locks are off there", runtime.GOOS)
			}
			ctx := context.Background()
			dsn := dsnOn(t, e)
			sender, other := openURL(t, dsn), openURL(t, dsn)
			reply, escalation := queueBoth(t, sender)
			for _, id := range []int64{reply, escalation} {
				if err := sender.MoveOutbox(ctx, id, "pending", "sending", true, "", "", 0, 150); err != nil {
					t.Fatal(err)
				}
			}
			stuck := func() (replies, escalations int) {
				t.Helper()
				r, err := other.OutboxInStatus(ctx, "sending")
				if err != nil {
					t.Fatal(err)
				}
				es, err := other.EscalationsInStatus(ctx, "sending")
				if err != nil {
					t.Fatal(err)
				}
				return len(r), len(es)
			}
			if r, es := stuck(); r != 0 || es != 0 {
				t.Fatalf("while their sender lives, another sender's recovery lists %d replies and %d escalations, want none", r, es)
			}
			if _, err := other.ClaimOutbox(ctx, reply, 160); err == nil {
				t.Error("another sender claimed a reply on its way")
			}
			sender.Close() // the sender dies; on PostgreSQL its session ends a moment later
			deadline := time.Now().Add(5 * time.Second)
			for r, es := stuck(); (r != 1 || es != 1) && time.Now().Before(deadline); r, es = stuck() {
				time.Sleep(20 * time.Millisecond)
			}
			if r, es := stuck(); r != 1 || es != 1 {
				t.Errorf("after their sender went, recovery lists %d replies and %d escalations, want one of each", r, es)
			}
		})
	}
}

// queueBoth stores a conversation with a reply and an escalation waiting to be sent,
// and returns their outbox ids.
func queueBoth(t *testing.T, db *DB) (reply, escalation int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *Tx) error {
		in, err := tx.Ingest(ctx, NewMessage{Channel: "mastodon", Account: "@acme", ExtID: "m1", ConvKey: "msg:1",
			Kind: "mention", Direction: "in", AuthorID: "u1", Text: "where is my order", CreatedAt: 1, DueAt: 100})
		if err != nil {
			return err
		}
		convID := in.ConversationID
		escID, err := tx.AddEscalation(ctx, Escalation{ConversationID: convID, Reason: "billing", Priority: 2, Agent: "maria", ArrivedAt: 1, CreatedAt: 100})
		if err != nil {
			return err
		}
		if escalation, err = tx.QueueEscalation(ctx, escID, convID, "key-e", 100); err != nil {
			return err
		}
		msgID, err := tx.AddReply(ctx, Reply{ConversationID: convID, Agent: "maria", Text: "On its way!", At: 100, Key: "key-r"})
		if err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT id FROM outbox WHERE message_id = ?`, msgID).Scan(&reply)
	})
	if err != nil {
		t.Fatal(err)
	}
	return reply, escalation
}

func openURL(t *testing.T, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
