package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// Writers side by side on one PostgreSQL database (hosts, or serve's writers), each
// storing batches of one stream in whatever order they reach the database, store what
// one writer storing the stream in order stores: the same threads, answers, queue
// columns, orphans and full text. Without ingest's locks, two batches of one conversation
// each miss the other's rows.
func TestWritersSideBySideStoreWhatOneWriterStores(t *testing.T) {
	ctx := context.Background()
	for _, seed := range []uint64{21, 22, 23} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			var msgs []threadedMsg
			seen := map[string]bool{}
			for _, m := range threadedStream(seed, 300) {
				// Of two copies of one id the first stored wins, and side by side nothing
				// says which is first: keep one copy of each.
				if !seen[m.ExtID] {
					msgs = append(msgs, m)
					seen[m.ExtID] = true
				}
			}
			one := openOn(t, onPostgres)
			storeThreaded(t, one, msgs, 1)
			want := dumpThreads(t, one)

			url := pgtest.URL(t)
			const writers, per = 4, 7
			dbs := make([]*DB, writers)
			for i := range dbs {
				db, err := Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				dbs[i] = db
			}
			order := shuffled(msgs, seed)
			var wg sync.WaitGroup
			errs := make([]error, writers)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for start := w * per; start < len(order) && errs[w] == nil; start += writers * per {
						errs[w] = storeBatchAsServeDoes(ctx, dbs[w], order[start:min(start+per, len(order))])
					}
				}()
			}
			wg.Wait()
			for w, err := range errs {
				if err != nil {
					t.Fatalf("writer %d: %v (%v)", w, err, errors.Unwrap(err))
				}
			}
			if got := dumpThreads(t, dbs[0]); got != want {
				t.Errorf("side by side:\n%s\none writer in order:\n%s", got, want)
			}
			checkFTSWords(t, dbs[0])
		})
	}
}

// storeBatchAsServeDoes stores msgs in one transaction as inbox's Batch does: Prefetch of
// every message (those threaded by their parent without a key), then each threaded and
// stored.
func storeBatchAsServeDoes(ctx context.Context, db *DB, msgs []threadedMsg) error {
	return db.Tx(ctx, func(tx *Tx) error {
		var all []NewMessage
		for _, tm := range msgs {
			m := tm.NewMessage
			switch {
			case tm.explicit:
			case m.InReplyTo == "":
				m.ConvKey = "msg:" + m.ExtID
			default:
				m.ConvKey = ""
			}
			all = append(all, m)
		}
		if err := tx.Prefetch(ctx, all); err != nil {
			return err
		}
		return ingestThreaded(ctx, tx, msgs)
	})
}

// A reply a person sends on one host while another host stores an older message of the
// same conversation waits for that store, and answers the message: without the locks it
// committed first, saw no such message, and left it unanswered for good.
func TestReplyWaitsForAnotherHostsIngestOfItsConversation(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	hostA, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer hostA.Close()
	hostB, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer hostB.Close()
	first := NewMessage{Channel: "x", Account: "@acme", ExtID: "q1", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "hello?", CreatedAt: 1000, Priority: 1}
	ingestAll(t, hostA, []NewMessage{first}, 1)
	var convID int64
	if err := hostA.sql.QueryRow(`SELECT id FROM conversations WHERE ext_key = 'dm:ana'`).Scan(&convID); err != nil {
		t.Fatal(err)
	}

	late := NewMessage{Channel: "x", Account: "@acme", ExtID: "q2", ConvKey: "dm:ana", Kind: "dm", Direction: "in", AuthorID: "ana", Text: "and my address changed", CreatedAt: 2000, Priority: 1}
	stored, commit := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		must(t, hostB.IngestTx(ctx, func(tx *Tx) error {
			if err := tx.Prefetch(ctx, []NewMessage{late, late}); err != nil {
				return err
			}
			if _, err := tx.Ingest(ctx, late); err != nil {
				return err
			}
			close(stored)
			<-commit
			return nil
		}))
	})
	<-stored
	replied := make(chan error, 1)
	wg.Go(func() {
		replied <- hostA.Tx(ctx, func(tx *Tx) error {
			_, err := tx.AddReply(ctx, Reply{ConversationID: convID, Agent: "maria", Text: "on it", At: 3000, Key: "k1"})
			return err
		})
	})
	select {
	case err := <-replied:
		t.Fatalf("the reply committed while another host was storing a message it answers (%v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	close(commit)
	if err := <-replied; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	got := queryLines(t, hostA, `SELECT m.ext_id || ' answered=' || coalesce(CAST(m.answered_at AS TEXT), 'no') FROM messages m
		WHERE m.direction = 'in' ORDER BY m.ext_id`, `SELECT 'unanswered=' || unanswered FROM conversations`)
	if got != "q1 answered=3000\nq2 answered=3000\nunanswered=0\n" {
		t.Errorf("after the reply and the other host's message:\n%s", got)
	}
}
