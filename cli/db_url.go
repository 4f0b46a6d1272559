package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/triage-inbox/triage/store"
)

// A --db or TRIAGE_DB value is a SQLite file path, or a PostgreSQL URL (postgres:// or
// postgresql://, see store.IsPostgresURL). What cli may do with the two differs: a path
// is a file to stat, create and name as it is; a URL is a server's database, never looked
// for on disk, and printed only as shownDB makes it, since it may carry a password.

// shownDB is a database fit to print: a path as it is, a URL without its password.
func shownDB(db string) string { return store.Redact(db) }

// dbArg is a database as it is typed after --db in a command triage suggests: a path as
// it is (as before PostgreSQL), a URL without its password and quoted, since its ? and &
// mean something to a shell.
func dbArg(db string) string {
	if !store.IsPostgresURL(db) {
		return db
	}
	return "'" + strings.ReplaceAll(shownDB(db), "'", `'\''`) + "'"
}

// checkURLHasInbox is, for a command that only reads (stats, export), what the os.Stat
// of a path is for a file: a PostgreSQL database without triage's schema is no inbox,
// and is left as it is, without the tables an open would create in it — a mistyped
// database name in the URL must not turn the postgres database into an empty inbox. A
// server that cannot be reached, or a newer schema, is the open's own error.
func checkURLHasInbox(ctx context.Context, url string) error {
	db, err := store.OpenReadOnly(ctx, url)
	if err == nil {
		return db.Close()
	}
	if errors.Is(err, store.ErrNewerSchema) {
		return err
	}
	switch {
	case errors.Is(err, store.ErrNoSchema):
		return fmt.Errorf("no triage inbox in %s: the database is there but holds no triage tables (check --db or TRIAGE_DB; triage import, sync or demo make one)", shownDB(url))
	case errors.Is(err, store.ErrOlderSchema):
		return nil // an older inbox: the writable open brings it up to date, as for a file
	}
	return err
}
