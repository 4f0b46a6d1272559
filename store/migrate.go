package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNewerSchema means the database was written by a newer triage than this one.
var ErrNewerSchema = fmt.Errorf("database was written by a newer version of triage")

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// migrate applies every migration newer than the database's user_version, all in one
// transaction, and refuses a database whose version is newer than ours without writing.
// upgrading (if not nil) hears of it first when the database was not new.
func (db *DB) migrate(ctx context.Context, upgrading func(from, to int)) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	var have int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(ms) {
		return fmt.Errorf("%w (schema version %d, this triage knows up to %d); upgrade triage, the database was not changed",
			ErrNewerSchema, have, len(ms))
	}
	if have == len(ms) {
		return nil
	}
	if have > 0 && upgrading != nil {
		upgrading(have, len(ms))
	}
	defer func() {
		// The connection that changed the schema has the new tables but not the
		// planner statistics of 0005 (SQLite reads them when it loads a schema):
		// close it, so every connection from here on starts with both.
		db.sql.SetMaxIdleConns(0)
		db.sql.SetMaxIdleConns(2)
	}()
	return db.Tx(ctx, func(tx *Tx) error {
		for _, m := range ms[have:] {
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
		}
		// PRAGMA takes no bound parameters; the value is our own integer.
		if _, err := tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
			return fmt.Errorf("record schema version: %w", err)
		}
		return nil
	})
}
