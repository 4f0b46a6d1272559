package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Writers of one process wait their turn, in order, however long the one before them
// takes: a write is refused only when another process holds the lock past the busy
// timeout, never because other sessions of this process were writing.
func TestWritersOfOneProcessWaitTheirTurn(t *testing.T) {
	forEngines(t, testWritersOfOneProcessWaitTheirTurn)
}

func testWritersOfOneProcessWaitTheirTurn(t *testing.T, e engine) {
	defer func(old int) { busyTimeoutMS = old }(busyTimeoutMS)
	busyTimeoutMS = 50
	ctx := context.Background()
	db, err := Open(ctx, dsnOn(t, e))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE w (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	write := func(tx *Tx, n int) error {
		_, err := tx.exec(ctx, `INSERT INTO w VALUES (?)`, n)
		return err
	}

	holding := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := db.Tx(ctx, func(tx *Tx) error {
			close(holding)
			time.Sleep(300 * time.Millisecond) // six busy timeouts
			return write(tx, 1)
		})
		if err != nil {
			t.Errorf("the long write: %v", err)
		}
	}()
	<-holding
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Tx(ctx, func(tx *Tx) error { return write(tx, 2+i) })
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d behind the long one was refused: %v", i, err)
		}
	}

	// Waiting ends with the caller's context, having written nothing.
	release, err := db.queueWriter(ctx, db.writers)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	err = db.Tx(short, func(tx *Tx) error { return write(tx, 99) })
	release()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a write whose context ended while waiting: %v, want the context's error", err)
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM w`).Scan(&n); err != nil || n != 9 {
		t.Fatalf("%d rows written (%v), want the 9 that had their turn", n, err)
	}
}

// On PostgreSQL two ingest transactions of one process run at once, and any other write
// of the process waits for them (and they for it): the other writes do not take ingest's
// locks, so one beside an ingest of the same conversation could leave an answer unlinked.
func TestIngestTransactionsRunTogetherButApartFromOtherWrites(t *testing.T) {
	db := openOn(t, onPostgres)
	ctx := context.Background()
	if db.IngestWriters() != 2 {
		t.Fatalf("%d ingest writers, want 2", db.IngestWriters())
	}
	inside := make(chan string, 3)
	leave := make(chan struct{})
	var wg sync.WaitGroup
	for _, name := range []string{"ingest 1", "ingest 2"} {
		wg.Go(func() {
			must(t, db.IngestTx(ctx, func(tx *Tx) error {
				inside <- name
				<-leave
				return nil
			}))
		})
	}
	for range 2 {
		select {
		case <-inside:
		case <-time.After(10 * time.Second):
			t.Fatal("two ingest transactions did not run at once")
		}
	}
	wg.Go(func() {
		must(t, db.Tx(ctx, func(tx *Tx) error {
			inside <- "other write"
			return nil
		}))
	})
	select {
	case name := <-inside:
		t.Fatalf("%s ran while two ingests were in flight", name)
	case <-time.After(300 * time.Millisecond):
	}
	close(leave)
	select {
	case <-inside:
	case <-time.After(10 * time.Second):
		t.Fatal("the other write never ran after the ingests ended")
	}
	wg.Wait()
}
