package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// The store's tests run on both engines: a test of what the store does (not of how
// SQLite or PostgreSQL keeps it) runs once per engine, as subtests named sqlite and
// postgres. The PostgreSQL ones use a throwaway cluster that pgtest starts once per
// test process; without PostgreSQL installed they are skipped and say why, unless CI
// is set, when they fail. Tests of one engine's own behaviour (SQLite's WAL, file modes,
// data_version, the migration of old SQLite files, query plans) carry its name.

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// engine is an engine the store runs on, by the name of its subtests.
type engine string

const (
	onSQLite   engine = "sqlite"
	onPostgres engine = "postgres"
)

var engines = []engine{onSQLite, onPostgres}

// onEngines runs fn once per engine, each a subtest with a new empty database.
func onEngines(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) { fn(t, openOn(t, e)) })
	}
}

// openOn opens a new, empty database on e, closed when the test ends.
func openOn(t testing.TB, e engine) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsnOn(t, e))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if e == onPostgres {
		t.Cleanup(func() { checkFTSWords(t, db) }) // runs before the close above
	}
	return db
}

// dsnOn is where a new, empty database on e is: a file in the test's folder, or a
// database of its own on the test cluster.
func dsnOn(t testing.TB, e engine) string {
	t.Helper()
	if e == onPostgres {
		return pgtest.URL(t)
	}
	return filepath.Join(t.TempDir(), "triage.db")
}

// forEngines runs fn once per engine, each a subtest; fn opens what it needs with openOn.
func forEngines(t *testing.T, fn func(t *testing.T, e engine)) {
	t.Helper()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// indexAllText fills the full-text index from the messages table, as ingest would have:
// for fixtures written straight into the tables.
func indexAllText(t testing.TB, db *DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `SELECT m.conversation_id, m.id, m.text,
			CASE WHEN m.direction = 'out' THEN m.agent ELSE trim(coalesce(ct.name, '') || ' ' || coalesce(ct.handle, '')) END
			FROM messages m LEFT JOIN contacts ct ON ct.id = m.contact_id ORDER BY m.id`)
		if err != nil {
			return err
		}
		type row struct {
			conv, id     int64
			text, author string
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.conv, &r.id, &r.text, &r.author); err != nil {
				rows.Close()
				return err
			}
			rs = append(rs, r)
		}
		rows.Close()
		for _, r := range rs {
			if err := tx.indexText(ctx, r.conv, r.id, r.text, r.author); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("index the fixture's text: %v", err)
	}
}

// ftsLiteral is the dialect's full-text match of word with the query written in, for
// the fixed queries of a dump (which take no arguments).
func ftsLiteral(db *DB, word string) string {
	q := db.d.ftsQuery([]textUnit{{s: word}})
	return strings.Replace(db.d.ftsMatch(), "?", "'"+strings.ReplaceAll(q, "'", "''")+"'", 1)
}

// seeds is how many of a property test's n random streams run on e. PostgreSQL runs the
// first three: every stream runs the same statements, and what the others add is proof of
// ingest's logic, which is SQLite's run as much as PostgreSQL's; each stream there costs
// a dozen databases and thousands of round trips.
func seeds(e engine, n uint64) uint64 {
	if e == onPostgres {
		return min(n, 3)
	}
	return n
}
