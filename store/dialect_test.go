package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`UPDATE t SET a = ?2 WHERE id = ?1 OR b = ?1`, `UPDATE t SET a = $2 WHERE id = $1 OR b = $1`},
		{`SELECT ?3, ?`, `SELECT $3, $4`}, // SQLite's rule: after ?N, a bare ? is N+1
		{`SELECT '?', "a?b", x FROM t WHERE y = ?`, `SELECT '?', "a?b", x FROM t WHERE y = $1`},
		{`SELECT 'it''s ?' || ?`, `SELECT 'it''s ?' || $1`},
		{"SELECT x -- why?\nFROM t WHERE a = ?", "SELECT x -- why?\nFROM t WHERE a = $1"},
		{`SELECT /* ? */ ?`, `SELECT /* ? */ $1`},
		{`SELECT id FROM messages INDEXED BY msg_conv WHERE conversation_id = ?`, `SELECT id FROM messages  WHERE conversation_id = $1`},
		{"UPDATE messages indexed\n by msg_unanswered SET x = ?", "UPDATE messages  SET x = $1"},
		{`SELECT reindexed, indexed_by FROM t`, `SELECT reindexed, indexed_by FROM t`},
		{`SELECT 'INDEXED BY x' FROM t`, `SELECT 'INDEXED BY x' FROM t`},
	} {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// Both engines' migrations end at the same version: the numbering is one.
func TestMigrationsShareNumbering(t *testing.T) {
	for _, d := range []dialect{sqliteDialect{}, postgresDialect{}} {
		ms, err := migrationsFor(d)
		if err != nil {
			t.Fatalf("%s: %v", d.engine(), err)
		}
		if got := ms[len(ms)-1].version; got != SchemaVersion() {
			t.Errorf("%s migrations end at %d, SQLite's at %d", d.engine(), got, SchemaVersion())
		}
	}
}

func TestIsPostgresURL(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://u@h:5432/db?sslmode=disable": true, "postgresql://h/db": true,
		"/home/me/triage.db": false, "postgres.db": false, "file:postgres://x": false, "": false,
	} {
		if got := isPostgresURL(s); got != want {
			t.Errorf("isPostgresURL(%q) = %v", s, got)
		}
	}
}

// A password never shows in an error: not from the URL, not from PGPASSWORD. The error
// names the database by its URL without the password. No server is needed: port 1
// refuses, and a URL that does not parse fails before any connection.
func TestPostgresErrorsHideThePassword(t *testing.T) {
	const pw = "s3cr3t-Pw_93"
	t.Setenv("PGPASSWORD", pw+"-env")
	t.Setenv("PGCONNECT_TIMEOUT", "3")
	ctx := context.Background()
	for _, tt := range []struct{ url, shows string }{
		{"postgres://triage:" + pw + "@127.0.0.1:1/inbox?sslmode=disable", "postgres://triage@127.0.0.1:1/inbox?sslmode=disable"},
		{"postgresql://triage@127.0.0.1:1/inbox?sslmode=disable", "postgresql://triage@127.0.0.1:1/inbox?sslmode=disable"},
		{"postgres://127.0.0.1:1/inbox?sslmode=disable&password=" + pw, "postgres://127.0.0.1:1/inbox?sslmode=disable"},
		{"postgres://triage:" + pw + "@127.0.0.1:notaport/inbox", ""},
		{"postgres://triage:" + pw + "@127.0.0.1/inbox?sslmode=bogus", "postgres://triage@127.0.0.1/inbox?sslmode=bogus"},
	} {
		db, err := Open(ctx, tt.url)
		if err == nil {
			db.Close()
			t.Fatalf("Open(%s) succeeded", tt.shows)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("the error shows the password: %v", err)
		}
		if tt.shows != "" && !strings.Contains(err.Error(), tt.shows) {
			t.Errorf("the error does not name %s: %v", tt.shows, err)
		}
	}
}

// The URL shown for a database (Path, errors) is the URL without the password, also
// when the connection succeeds.
func TestPostgresPathHasNoPassword(t *testing.T) {
	url := dsnOn(t, onPostgres)
	withPw := strings.Replace(url, "postgres@", "postgres:Secret-77@", 1)
	db, err := Open(context.Background(), withPw)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != url {
		t.Errorf("Path() = %q, want %q", db.Path(), url)
	}
}

// A database written by a newer triage is refused, and left as it was, on PostgreSQL as
// on SQLite (TestOpenRefusesNewerSchema).
func TestPostgresOpenRefusesNewerSchema(t *testing.T) {
	url := dsnOn(t, onPostgres)
	ctx := context.Background()
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`UPDATE triage_schema SET version = 99`); err != nil {
		t.Fatal(err)
	}
	shape := func() string {
		var s string
		if err := db.sql.QueryRow(`SELECT string_agg(table_name || '.' || column_name, ' ' ORDER BY table_name, column_name)
			FROM information_schema.columns WHERE table_schema = 'public'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := shape()
	for _, open := range []func(context.Context, string) (*DB, error){Open, OpenReadOnly} {
		if _, err := open(ctx, url); !errors.Is(err, ErrNewerSchema) {
			t.Errorf("open = %v, want ErrNewerSchema", err)
		}
	}
	var v int
	if err := db.sql.QueryRow(`SELECT version FROM triage_schema`).Scan(&v); err != nil || v != 99 {
		t.Errorf("version after the refusal = %d, %v; want 99", v, err)
	}
	if after := shape(); after != before {
		t.Error("the refused database was changed")
	}
	db.Close()
}

// Two triages opening one new PostgreSQL database at once: one migrates it, the other
// waits and finds it up to date.
func TestPostgresConcurrentOpensMigrateOnce(t *testing.T) {
	url := dsnOn(t, onPostgres)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := Open(context.Background(), url)
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// A write that waits for another host's lock longer than the busy timeout is refused
// with ErrWriterBusy, naming the database, as SQLite's "database is locked" is.
func TestPostgresLockWaitIsWriterBusy(t *testing.T) {
	defer func(old int) { busyTimeoutMS = old }(busyTimeoutMS)
	busyTimeoutMS = 200
	url := dsnOn(t, onPostgres)
	dbs := hosts(t, url, 2)
	ctx := context.Background()
	must(t, dbs[0].Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "k", "a") }))
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- dbs[0].Tx(ctx, func(tx *Tx) error {
			if err := tx.SetMeta(ctx, "k", "b"); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	err := dbs[1].Tx(ctx, func(tx *Tx) error { return tx.SetMeta(ctx, "k", "c") })
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(err, ErrWriterBusy) || !strings.Contains(err.Error(), url) {
		t.Fatalf("a write behind another's lock: %v, want ErrWriterBusy naming %s", err, url)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"/home/me/.local/share/triage/triage.db":            "/home/me/.local/share/triage/triage.db",
		"postgres://ann:hunter2@db.example:5432/triage":     "postgres://ann@db.example:5432/triage",
		"postgresql://ann@db.example/triage?sslmode=verify": "postgresql://ann@db.example/triage?sslmode=verify",
		"postgres://db.example/triage?password=hunter2":     "postgres://db.example/triage",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
