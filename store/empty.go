package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Empty deletes everything the inbox holds and keeps its schema: how `triage demo
// --reset` starts a PostgreSQL demo afresh, where the database is not triage's to drop
// (a SQLite demo is a file, replaced instead). The tables are the ones triage's
// migrations create, so another program's tables in the same database are not touched.
func (db *DB) Empty(ctx context.Context) error {
	if db.d.engine() != "postgres" {
		return fmt.Errorf("empty an inbox: only on PostgreSQL; a SQLite inbox is replaced by a new file")
	}
	tables, err := migratedTables(db.d)
	if err != nil {
		return err
	}
	_, err = db.sql.ExecContext(ctx, `TRUNCATE `+strings.Join(tables, ", ")+` RESTART IDENTITY`)
	if err != nil {
		return fmt.Errorf("empty the inbox: %w", err)
	}
	return nil
}

var (
	createTable = regexp.MustCompile(`(?im)^\s*CREATE TABLE (?:IF NOT EXISTS )?(\w+)`)
	dropTable   = regexp.MustCompile(`(?im)^\s*DROP TABLE (?:IF EXISTS )?(\w+)`)
)

// migratedTables lists the tables d's migrations leave, but the schema version's.
func migratedTables(d dialect) ([]string, error) {
	ms, err := migrationsFor(d)
	if err != nil {
		return nil, err
	}
	var tables []string
	for _, m := range ms {
		for _, c := range createTable.FindAllStringSubmatch(m.sql, -1) {
			tables = append(tables, c[1])
		}
		for _, c := range dropTable.FindAllStringSubmatch(m.sql, -1) {
			for i, t := range tables {
				if t == c[1] {
					tables = append(tables[:i], tables[i+1:]...)
					break
				}
			}
		}
	}
	for i, t := range tables {
		if t == "triage_schema" {
			tables = append(tables[:i], tables[i+1:]...)
			break
		}
	}
	return tables, nil
}
