package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

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
