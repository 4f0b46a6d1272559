package store

import (
	"context"
	"path/filepath"
	"testing"
)

// A watch sees a commit made through another handle on the same file, as another
// process's import would be, and a commit made through its own DB's other connections;
// it sees nothing when nothing was written.
func TestSQLiteVersionWatchSeesCommitsFromAnotherConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path) // stands for another process: its own pool, its own connections
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	w, err := a.WatchVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	changed := func() bool {
		t.Helper()
		ok, err := w.Changed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if changed() {
		t.Fatal("changed with nothing written")
	}
	if _, err := a.Meta(ctx, "x"); err != nil { // a read changes nothing
		t.Fatal(err)
	}
	if changed() {
		t.Fatal("changed after a read")
	}
	if err := b.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "1") }); err != nil {
		t.Fatal(err)
	}
	if !changed() {
		t.Fatal("a commit through another handle on the file was not seen")
	}
	if changed() {
		t.Fatal("the same commit was seen twice")
	}
	if err := a.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "2") }); err != nil {
		t.Fatal(err)
	}
	if !changed() {
		t.Fatal("a commit through the watch's own DB (another connection of its pool) was not seen")
	}
}

// OnCommit is called after a commit, and not after a rollback.
func TestOnCommitCalledAfterCommitOnly(t *testing.T) {
	forEngines(t, testOnCommitCalledAfterCommitOnly)
}

func testOnCommitCalledAfterCommitOnly(t *testing.T, e engine) {
	ctx := context.Background()
	db := openOn(t, e)
	n := 0
	db.OnCommit(func() { n++ })
	if err := db.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "1") }); err != nil {
		t.Fatal(err)
	}
	_ = db.Tx(ctx, func(tx *Tx) error { return context.Canceled }) // rolled back
	if n != 1 {
		t.Fatalf("OnCommit called %d times, want 1", n)
	}
}

// Waking snoozed conversations when none is due commits nothing: each screen asks on its
// clock, and a commit makes every open screen read again.
func TestWakeSnoozedWithNothingDueDoesNotCommit(t *testing.T) {
	forEngines(t, testWakeSnoozedWithNothingDueDoesNotCommit)
}

func testWakeSnoozedWithNothingDueDoesNotCommit(t *testing.T, e engine) {
	ctx := context.Background()
	db := openOn(t, e)
	n := 0
	db.OnCommit(func() { n++ })
	ids, err := db.WakeSnoozed(ctx, 1_800_000_000_000)
	if err != nil || len(ids) != 0 {
		t.Fatalf("WakeSnoozed = %v, %v; want nothing", ids, err)
	}
	if n != 0 {
		t.Fatalf("%d commits with nothing to wake, want 0", n)
	}

	// One due: it is woken, in a commit.
	ingestAll(t, db, randomStream(1, 5), 5)
	var id int64
	must(t, db.sql.QueryRowContext(ctx, `SELECT id FROM conversations ORDER BY id LIMIT 1`).Scan(&id))
	must(t, db.Tx(ctx, func(tx *Tx) error { return tx.SetState(ctx, id, "snoozed", 1_700_000_000_000) }))
	n = 0
	ids, err = db.WakeSnoozed(ctx, 1_800_000_000_000)
	if err != nil || len(ids) != 1 || ids[0] != id || n != 1 {
		t.Fatalf("WakeSnoozed = %v, %v with %d commits; want [%d] in one", ids, err, n, id)
	}
}
