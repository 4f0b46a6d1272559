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

// Migrations are numbered .sql files, one folder per engine (migrations/sqlite,
// migrations/postgres) under one numbering: a number is one version of the schema on
// both engines, and a change of schema adds one file of that number to each folder.
// SQLite's folder starts at 0001; PostgreSQL came at version 13, and its first file is
// that whole schema.
//
//go:embed migrations/*/*.sql
var migrationFiles embed.FS

// ErrNewerSchema means the database was written by a newer triage than this one.
var ErrNewerSchema = fmt.Errorf("database was written by a newer version of triage")

// ErrNoSchema means a PostgreSQL database opened read-only holds no triage schema at all
// (an empty database, or one of another program): it is no inbox, and nothing was made in
// it. (A SQLite file in that state, opened read-only, is refused with ErrReadOnly.)
var ErrNoSchema = fmt.Errorf("database holds no triage schema")

// ErrOlderSchema means a PostgreSQL database opened read-only was written by an older
// triage: a writable open brings it up to date, a read-only one cannot.
var ErrOlderSchema = fmt.Errorf("database schema needs upgrading, which a read-only open cannot do")

// readOnlyUpgrade is the refusal of a read-only open of a database at schema version
// have, older than this triage's.
func readOnlyUpgrade(have int) error {
	if have == 0 {
		return ErrNoSchema
	}
	return fmt.Errorf("schema version %d: %w", have, ErrOlderSchema)
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrationsFor reads the migrations of d's engine, in order. Numbers follow one another
// without a gap; only SQLite's must start at 1.
func migrationsFor(d dialect) ([]migration, error) {
	dir := "migrations/" + d.migrationDir()
	entries, err := fs.ReadDir(migrationFiles, dir)
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
		body, err := migrationFiles.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: d.migrationDir() + "/" + e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		first := 1
		if d.engine() != "sqlite" && len(ms) > 0 {
			first = ms[0].version
		}
		if m.version != first+i {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, first+i)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}

// SchemaVersion is the schema version this build writes (the same on both engines).
func SchemaVersion() int {
	ms, _ := migrationsFor(sqliteDialect{})
	return len(ms)
}

// migrate applies every migration newer than the database's schema version, all in one
// transaction, and refuses a database whose version is newer than ours without writing.
// upgrading (if not nil) hears of it first when the database was not new.
func (db *DB) migrate(ctx context.Context, upgrading func(from, to int)) error {
	ms, err := migrationsFor(db.d)
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	have, err := db.d.schemaVersion(ctx, db.sql)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if err := newerSchema(have, latest); err != nil {
		return err
	}
	if have == latest {
		return nil
	}
	if have > 0 && upgrading != nil {
		upgrading(have, latest)
	}
	if db.d.engine() == "sqlite" {
		defer func() {
			// The connection that changed the schema has the new tables but not the
			// planner statistics of 0005 (SQLite reads them when it loads a schema):
			// close it, so every connection from here on starts with both.
			db.sql.SetMaxIdleConns(0)
			db.sql.SetMaxIdleConns(2)
		}()
	}
	return db.Tx(ctx, func(tx *Tx) error {
		// Another process may have migrated since the read above: read again under
		// the lock that keeps two migrations apart.
		if err := db.d.lockSchema(ctx, tx.tx); err != nil {
			return fmt.Errorf("lock schema: %w", err)
		}
		have, err := db.d.schemaVersion(ctx, tx.tx)
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if err := newerSchema(have, latest); err != nil || have == latest {
			return err
		}
		if have > 0 && have < ms[0].version-1 {
			return fmt.Errorf("schema version %d is older than any this triage can upgrade on %s", have, db.d.engine())
		}
		for _, m := range ms {
			if m.version <= have {
				continue
			}
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
		}
		if err := db.d.setSchemaVersion(ctx, tx.tx, latest); err != nil {
			return fmt.Errorf("record schema version: %w", err)
		}
		return nil
	})
}

func newerSchema(have, latest int) error {
	if have > latest {
		return fmt.Errorf("%w (schema version %d, this triage knows up to %d); upgrade triage, the database was not changed",
			ErrNewerSchema, have, latest)
	}
	return nil
}
