package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// hosts opens n handles on the database at dsn, each with a pool of its own: n
// processes, or n hosts of a team on one PostgreSQL.
func hosts(t *testing.T, dsn string, n int) []*DB {
	t.Helper()
	dbs := make([]*DB, n)
	for i := range dbs {
		db, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs
}

// Of several agents on several hosts taking one unassigned conversation at once, exactly
// one gets it, and every other is told who did.
func TestClaimHasOneWinner(t *testing.T) { forEngines(t, testClaimHasOneWinner) }

func testClaimHasOneWinner(t *testing.T, e engine) {
	ctx := context.Background()
	dsn := dsnOn(t, e)
	dbs := hosts(t, dsn, 6)
	var conv int64
	must(t, dbs[0].Tx(ctx, func(tx *Tx) error {
		in, err := tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: "1", ConvKey: "post:1", Kind: "comment",
			Direction: "in", AuthorID: "u1", Text: "help", CreatedAt: 1000, Priority: 1})
		conv = in.ConversationID
		return err
	}))
	for round := range 5 {
		seen := ""
		if round > 0 {
			seen = fmt.Sprint("agent", round-1, "-0") // last round's winner, as every agent saw it
			must(t, dbs[0].Tx(ctx, func(tx *Tx) error {
				_, err := tx.exec(ctx, `UPDATE conversations SET assignee = ? WHERE id = ?`, seen, conv)
				return err
			}))
		}
		type result struct {
			who, holder string
			ok          bool
			err         error
		}
		results := make([]result, 2*len(dbs))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range results {
			wg.Go(func() {
				db := dbs[i%len(dbs)]
				r := result{who: fmt.Sprint("agent", round, "-", i)}
				<-start
				r.err = db.Tx(ctx, func(tx *Tx) error {
					var err error
					r.holder, r.ok, err = tx.ClaimAssignee(ctx, conv, r.who, seen)
					return err
				})
				results[i] = r
			})
		}
		close(start)
		wg.Wait()
		var winners []string
		for _, r := range results {
			if r.err != nil {
				t.Fatalf("round %d: %s: %v", round, r.who, r.err)
			}
			if r.ok {
				winners = append(winners, r.who)
			}
		}
		if len(winners) != 1 {
			t.Fatalf("round %d: winners %v, want exactly one", round, winners)
		}
		for _, r := range results {
			if !r.ok && r.holder != winners[0] {
				t.Errorf("round %d: %s was told %q holds it, not the winner %s", round, r.who, r.holder, winners[0])
			}
		}
		var assignee string
		must(t, dbs[1].sql.QueryRow(`SELECT assignee FROM conversations WHERE id = ?`, conv).Scan(&assignee))
		if assignee != winners[0] {
			t.Fatalf("round %d: assigned to %q, the winner was %s", round, assignee, winners[0])
		}
		// Make the next round's "seen" true for everyone.
		must(t, dbs[0].Tx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE conversations SET assignee = ? WHERE id = ?`, fmt.Sprint("agent", round, "-0"), conv)
			return err
		}))
	}
}

// Several hosts running sync at once send each reply once: each takes what is due and
// moves it pending -> sending, and only one move of an entry succeeds; the others are
// told ErrOutboxState and leave it.
func TestOutboxHasOneSender(t *testing.T) { forEngines(t, testOutboxHasOneSender) }

func testOutboxHasOneSender(t *testing.T, e engine) {
	ctx := context.Background()
	dsn := dsnOn(t, e)
	dbs := hosts(t, dsn, 4)
	const replies = 20
	must(t, dbs[0].Tx(ctx, func(tx *Tx) error {
		for i := range replies {
			in, err := tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: fmt.Sprint("q", i), ConvKey: fmt.Sprint("post:", i),
				Kind: "comment", Direction: "in", AuthorID: "u1", Text: "help", CreatedAt: 1000, Priority: 1})
			if err != nil {
				return err
			}
			if _, err := tx.AddReply(ctx, Reply{ConversationID: in.ConversationID, Agent: "sam", Text: "on it", At: 2000, Key: fmt.Sprint("k", i)}); err != nil {
				return err
			}
		}
		return nil
	}))
	var mu sync.Mutex
	sent := map[int64]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for h := range 3 * len(dbs) {
		wg.Go(func() {
			db := dbs[h%len(dbs)]
			<-start
			for {
				due, err := db.DueOutbox(ctx, 5000, 5)
				if err != nil {
					t.Error(err)
					return
				}
				if len(due) == 0 {
					return
				}
				for _, it := range due {
					err := db.MoveOutbox(ctx, it.ID, "pending", "sending", true, "", "", 0, 5000)
					if errors.Is(err, ErrOutboxState) {
						continue // another sender took it first
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					sent[it.ID]++
					mu.Unlock()
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if len(sent) != replies {
		t.Errorf("%d replies sent, want %d", len(sent), replies)
	}
	for id, n := range sent {
		if n != 1 {
			t.Errorf("outbox entry %d taken by %d senders", id, n)
		}
	}
}

// Of several leads on several hosts sending back one reply that awaits approval at once,
// exactly one does; the others are told it no longer waits.
func TestReturnReplyHasOneWinner(t *testing.T) { forEngines(t, testReturnReplyHasOneWinner) }

func testReturnReplyHasOneWinner(t *testing.T, e engine) {
	ctx := context.Background()
	dbs := hosts(t, dsnOn(t, e), 4)
	var msg int64
	must(t, dbs[0].Tx(ctx, func(tx *Tx) error {
		in, err := tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: "q", ConvKey: "post:1", Kind: "comment",
			Direction: "in", AuthorID: "u1", Text: "help", CreatedAt: 1000, Priority: 1})
		if err != nil {
			return err
		}
		msg, err = tx.AddReply(ctx, Reply{ConversationID: in.ConversationID, Agent: "new", Text: "hi", At: 2000, Key: "k", AwaitingApproval: true})
		return err
	}))
	errs := make([]error, 3*len(dbs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			errs[i] = dbs[i%len(dbs)].Tx(ctx, func(tx *Tx) error {
				return tx.ReturnReply(ctx, msg, fmt.Sprint("lead ", i), 3000)
			})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrOutboxState):
			t.Errorf("send back: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d leads sent the reply back, want exactly one", won)
	}
}

// Actions of several hosts at once never share an audit batch: one undo takes back one
// action.
func TestAuditBatchesAreDistinctAcrossHosts(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		dbs := hosts(t, dsnOn(t, e), 4)
		batches := make([]int64, 4*len(dbs))
		var wg sync.WaitGroup
		for i := range batches {
			wg.Go(func() {
				must(t, dbs[i%len(dbs)].Tx(ctx, func(tx *Tx) error {
					b, err := tx.NextBatch(ctx)
					if err != nil {
						return err
					}
					batches[i] = b
					return tx.Audit(ctx, AuditEvent{At: 1, Actor: fmt.Sprint("agent", i), Action: "note", Batch: b})
				}))
			})
		}
		wg.Wait()
		seen := map[int64]bool{}
		for _, b := range batches {
			if seen[b] {
				t.Fatalf("batch %d given twice: %v", b, batches)
			}
			seen[b] = true
		}
	})
}
