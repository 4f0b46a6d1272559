package store

import (
	"context"
	"errors"
	"testing"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// A PostgreSQL database without triage's schema, opened read-only, is refused with
// ErrNoSchema; opened for writing, it gets the schema, and a
// read-only open then succeeds.
func TestOpenReadOnlyNoSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	if db, err := OpenReadOnly(ctx, url); !errors.Is(err, ErrNoSchema) || errors.Is(err, ErrOlderSchema) {
		if db != nil {
			db.Close()
		}
		t.Fatalf("read-only open of an empty database: %v, want ErrNoSchema", err)
	}
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatalf("the writable open made no schema: %v", err)
	}
	db.Close()
	ro, err := OpenReadOnly(ctx, url)
	if err != nil {
		t.Fatalf("read-only open after the schema was made: %v", err)
	}
	ro.Close()
}
