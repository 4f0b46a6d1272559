package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Two DBs on one PostgreSQL database stand for two hosts: each has its own pool and its
// own origin, as two triage processes would.

// waitChanged polls w as the hub does (every millisecond here) until it reports a change, and
// says how long that took; it fails the test after within.
func waitChanged(t *testing.T, w *VersionWatch, within time.Duration) time.Duration {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	for time.Since(start) < within {
		ok, err := w.Changed(ctx)
		if err != nil {
			t.Fatalf("Changed: %v", err)
		}
		if ok {
			return time.Since(start)
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no change reported within %v", within)
	return 0
}

// stillFor fails the test if w reports a change within d.
func stillFor(t *testing.T, w *VersionWatch, d time.Duration, what string) {
	t.Helper()
	time.Sleep(d)
	if ok, err := w.Changed(context.Background()); err != nil || ok {
		t.Fatalf("%s: Changed = %v, %v; want false", what, ok, err)
	}
}

func openWatch(t *testing.T, db *DB) *VersionWatch {
	t.Helper()
	w, err := db.WatchVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// A commit on one host reaches the other's watch within a second; the watch's own DB's
// commits, told by OnCommit, and reads and transactions that wrote nothing are not
// reported; a commit is reported once.
func TestPostgresWatchHearsOtherHosts(t *testing.T) {
	dbs := hosts(t, dsnOn(t, onPostgres), 2)
	a, b := dbs[0], dbs[1]
	ctx := context.Background()
	w := openWatch(t, a)
	stillFor(t, w, 100*time.Millisecond, "nothing written")

	must(t, b.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "1") }))
	took := waitChanged(t, w, time.Second)
	t.Logf("B's commit reached A's watch in %v", took)
	stillFor(t, w, 100*time.Millisecond, "the same commit again")

	told := 0
	a.OnCommit(func() { told++ })
	must(t, a.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "2") }))
	if told != 1 {
		t.Fatalf("OnCommit told %d times, want 1", told)
	}
	stillFor(t, w, 200*time.Millisecond, "a commit of the watch's own DB")

	if _, err := b.Meta(ctx, "x"); err != nil { // a read
		t.Fatal(err)
	}
	must(t, b.Tx(ctx, func(tx *Tx) error { // a Tx that only read
		var v string
		return tx.queryRow(ctx, `SELECT value FROM meta WHERE key = 'x'`).Scan(&v)
	}))
	_ = b.Tx(ctx, func(tx *Tx) error { // rolled back
		if err := tx.SetMeta(ctx, "x", "3"); err != nil {
			return err
		}
		return context.Canceled
	})
	stillFor(t, w, 200*time.Millisecond, "a read, a Tx that wrote nothing, and a rollback on another host")

	// Many commits between two looks are one change.
	for i := range 5 {
		must(t, b.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", strings.Repeat("y", i)) }))
	}
	time.Sleep(200 * time.Millisecond) // all heard by now
	waitChanged(t, w, time.Second)
	stillFor(t, w, 100*time.Millisecond, "five commits, once reported")
}

// A host that may only read (OpenReadOnly) still hears the others' commits.
func TestPostgresReadOnlyWatchHearsOtherHosts(t *testing.T) {
	dsn := dsnOn(t, onPostgres)
	b := hosts(t, dsn, 1)[0] // makes the schema
	a, err := OpenReadOnly(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	w := openWatch(t, a)
	ctx := context.Background()
	must(t, b.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "1") }))
	waitChanged(t, w, time.Second)
}

// Seen, which the hub calls before telling of a commit of its own, must not take
// another host's commit heard meanwhile: on PostgreSQL only Changed reports it.
func TestPostgresWatchSeenKeepsOtherHostsCommits(t *testing.T) {
	dbs := hosts(t, dsnOn(t, onPostgres), 2)
	a, b := dbs[0], dbs[1]
	ctx := context.Background()
	w := openWatch(t, a)
	must(t, b.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "1") }))
	time.Sleep(200 * time.Millisecond) // heard by now
	must(t, a.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "2") }))
	must(t, w.Seen(ctx))
	if ok, err := w.Changed(ctx); err != nil || !ok {
		t.Fatalf("another host's commit after Seen: Changed = %v, %v; want true", ok, err)
	}
}

// A watch whose connection the server ends connects again by itself and reports a
// change (what was committed meanwhile went unheard); then it hears commits again.
func TestPostgresWatchComesBackAfterItsConnectionDies(t *testing.T) {
	dbs := hosts(t, dsnOn(t, onPostgres), 2)
	a, b := dbs[0], dbs[1]
	ctx := context.Background()
	w := openWatch(t, a)
	pid := w.pg.pid.Load()
	if pid == 0 {
		t.Fatal("the watch has no connection")
	}
	var ended bool
	must(t, b.sql.QueryRowContext(ctx, `SELECT pg_terminate_backend(?)`, int64(pid)).Scan(&ended))
	if !ended {
		t.Fatalf("pg_terminate_backend(%d) = false", pid)
	}
	took := waitChanged(t, w, 2*time.Second)
	t.Logf("the watch was back and reported a change %v after its connection was ended", took)
	if p := w.pg.pid.Load(); p == 0 || p == pid {
		t.Fatalf("the watch's connection is %d after %d was ended", p, pid)
	}
	stillFor(t, w, 100*time.Millisecond, "back, nothing written")
	must(t, b.Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "x", "1") }))
	t.Logf("then a commit on B reached it in %v", waitChanged(t, w, time.Second))
}

// While the database refuses connections the watch keeps trying, reports nothing, and
// Close stops it; let in again, it is back and reports a change.
func TestPostgresWatchRetriesUntilLetIn(t *testing.T) {
	dsn := dsnOn(t, onPostgres)
	db := hosts(t, dsn, 1)[0]
	ctx := context.Background()
	// A database's connections are allowed or not from another one.
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	allow := func(yes bool) {
		t.Helper()
		if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %q ALLOW_CONNECTIONS %v`, name, yes)); err != nil {
			t.Fatal(err)
		}
	}
	for _, closeWhileDown := range []bool{false, true} {
		w, err := db.WatchVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		allow(false)
		var ended bool
		must(t, db.sql.QueryRowContext(ctx, `SELECT pg_terminate_backend(?)`, int64(w.pg.pid.Load())).Scan(&ended))
		time.Sleep(500 * time.Millisecond) // several attempts
		if ok, _ := w.Changed(ctx); ok {
			t.Fatal("reported a change while it could not connect")
		}
		if closeWhileDown {
			done := make(chan struct{})
			go func() { w.Close(); close(done) }()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				t.Fatal("Close did not return while the watch was trying to connect")
			}
			allow(true)
			continue
		}
		allow(true)
		t.Logf("let in again, the watch reported a change in %v", waitChanged(t, w, 3*time.Second))
		w.Close()
	}
}

// A DB's origin is its own: two DBs never share one, and a DB keeps its own.
func TestPostgresOriginsDiffer(t *testing.T) {
	var a, b pgLive
	if a.origin() == b.origin() || a.origin() != a.origin() || len(a.origin()) != 24 {
		t.Fatalf("origins %q and %q", a.origin(), b.origin())
	}
}
