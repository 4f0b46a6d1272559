package store

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// A database that is not UTF8 (a cluster made with the C locale gives its databases
// SQL_ASCII) is refused by every open, saying what is wrong and how to make one that is
// right, and nothing is made in it. Before, the first migration failed on a collation:
// `collation "und-x-icu" for encoding "SQL_ASCII" does not exist`.
func TestPostgresDatabaseNotInUTF8IsRefused(t *testing.T) {
	ctx := context.Background()
	admin := pgtest.URL(t)
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adminDB.Close()
	for _, enc := range []string{"SQL_ASCII", "LATIN1"} {
		name := "not_utf8_" + strings.ToLower(enc)
		if _, err := adminDB.Exec(`CREATE DATABASE ` + name + ` ENCODING '` + enc + `' LOCALE 'C' TEMPLATE template0`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { adminDB.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
		u, err := url.Parse(admin)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		for _, open := range []struct {
			how  string
			open func(context.Context, string) (*DB, error)
		}{{"open", Open}, {"read-only open", OpenReadOnly}} {
			db, err := open.open(ctx, u.String())
			if err == nil {
				db.Close()
				t.Fatalf("%s of a %s database: no error", open.how, enc)
			}
			for _, want := range []string{name, "encoding is " + enc, "needs UTF8", "ENCODING 'UTF8'"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s of a %s database: %q does not say %q", open.how, enc, err, want)
				}
			}
		}
		in, err := sql.Open("pgx", u.String())
		if err != nil {
			t.Fatal(err)
		}
		var tables int
		if err := in.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if tables != 0 {
			t.Errorf("%s database: %d tables made in it, want none", enc, tables)
		}
	}

	// The advice, followed on the same cluster (the C locale, as pgtest makes it), gives a
	// database triage opens. The README gives the same statement.
	if _, err := adminDB.Exec(`CREATE DATABASE as_advised ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0`); err != nil {
		if strings.Contains(err.Error(), "locale") {
			t.Skipf("this system has no C.UTF-8 locale (Debian's glibc has): %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { adminDB.Exec(`DROP DATABASE IF EXISTS as_advised WITH (FORCE)`) })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/as_advised"
	db, err := Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open of the database made as advised: %v", err)
	}
	db.Close()
}
