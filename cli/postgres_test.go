package cli

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/internal/pgtest"
	"github.com/triage-inbox/triage/store"
)

// The commands on PostgreSQL (issue 15), through the same in-process command path as the
// tests on SQLite files: a --db or TRIAGE_DB that is a postgres:// URL. pgtest.URL gives
// each test a fresh, empty database on a throwaway cluster (skipped where PostgreSQL is
// not installed, failed under CI).

// pgSQL opens the test's database directly, for what no command does: look at its
// tables, or make it look written by a newer triage.
func pgSQL(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url) // registered by pgtest's import of pgx's stdlib
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pgTables counts the tables in the database's public schema.
func pgTables(t *testing.T, url string) int {
	t.Helper()
	var n int
	if err := pgSQL(t, url).QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The demo seeded into PostgreSQL is the demo seeded into a file: the same export line
// for line, and the same `triage stats` for every window, grouping and query.
func TestPostgresDemoStatsAreTheFileDemo(t *testing.T) {
	url := pgtest.URL(t)
	file := filepath.Join(t.TempDir(), "demo.db")
	for _, db := range []string{url, file} {
		if out, stderr, err := triage(t, db, "", "demo"); err != nil {
			t.Fatalf("demo --db %s: %v\n%s%s", shownDB(db), err, out, stderr)
		}
	}
	onPG, _, err := triage(t, url, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	onFile, _, err := triage(t, file, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(onPG, "\n"); n < 500 {
		t.Fatalf("the demo on PostgreSQL exports %d messages, want about 600", n)
	}
	if onPG != onFile {
		t.Errorf("the demo on PostgreSQL exports differently from the file's:\n%s", firstLineDiff(onPG, onFile))
	}
	if got, want := statsAll(t, url), statsAll(t, file); got != want {
		t.Errorf("stats on PostgreSQL differ from the file's:\n%s", firstLineDiff(got, want))
	}
}

// Moving an inbox up, as the README says: export from a SQLite file, import into
// PostgreSQL; the figures are the same, the export is the same, and importing the export
// once more changes nothing. On the demo inbox, which has every kind of record.
func TestPostgresExportImportFromSQLite(t *testing.T) {
	cfg := writeFile(t, "demo.toml", demo.ConfigTOML()) // the moved inbox is no demo: keep its brand's rules
	file := filepath.Join(t.TempDir(), "demo.db")
	if _, stderr, err := triage(t, file, "", "demo"); err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr)
	}
	exported, stderr, err := triage(t, file, "", "export", "--config", cfg)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	url := pgtest.URL(t)
	out, stderr, err := triage(t, url, exported, "import", "--config", cfg, "-")
	if err != nil || !strings.Contains(out, fmt.Sprintf("imported: %d new, 0 already present", strings.Count(exported, "\n"))) {
		t.Fatalf("import --db URL = %q, %v\n%s", out, err, stderr)
	}
	again, _, err := triage(t, url, "", "export", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again != exported {
		t.Errorf("the inbox moved to PostgreSQL exports differently:\n%s", firstLineDiff(again, exported))
	}
	if got, want := statsAll(t, url, "--config", cfg), statsAll(t, file, "--config", cfg); got != want {
		t.Errorf("figures differ after moving to PostgreSQL:\n%s", firstLineDiff(got, want))
	}
	out, _, err = triage(t, url, exported, "import", "--config", cfg, "-")
	if err != nil || !strings.Contains(out, " 0 new") {
		t.Errorf("importing the export again: %q, %v; want 0 new", out, err)
	}
}

// TRIAGE_DB=postgres://… is --db postgres://…; nothing is made on disk for it: no file
// or folder named after the URL in the working folder, no database under XDG_DATA_HOME.
func TestPostgresTriageDBEnvironment(t *testing.T) {
	url := pgtest.URL(t)
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TRIAGE_DB", url)
	ctx := context.Background()
	out, stderr, err := runCapture(ctx, "import", writeFile(t, "in.jsonl", goodLines))
	if err != nil || !strings.Contains(out, "imported: 4 new") {
		t.Fatalf("TRIAGE_DB=URL triage import = %q, %v\n%s", out, err, stderr)
	}
	out, _, err = runCapture(ctx, "stats", "--since", "2026-11-20", "--json")
	if err != nil || !strings.Contains(out, `"inbound":3,"answered":1`) {
		t.Errorf("TRIAGE_DB=URL triage stats = %q, %v", out, err)
	}
	viaEnv, _, err := runCapture(ctx, "export")
	if err != nil {
		t.Fatal(err)
	}
	viaFlag, _, err := triage(t, url, "", "export")
	if err != nil || viaFlag != viaEnv || strings.Count(viaEnv, "\n") != 4 {
		t.Errorf("export with TRIAGE_DB = %q; with --db = %q, %v", viaEnv, viaFlag, err)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("XDG_DATA_HOME has %v: nothing is stored on disk for a PostgreSQL inbox", entries)
	}
	for _, name := range []string{"postgres:", "postgresql:"} {
		if _, err := os.Stat(name); err == nil {
			t.Errorf("a %q folder was made in the working folder", name)
		}
	}
}

// stats and export only read: on a PostgreSQL database without triage's tables (a
// mistyped database name in the URL) they say there is no inbox there, exit 1, and leave
// it without tables; on one that is not there at all, the server's word is the error.
func TestPostgresReadingCommandsCreateNothing(t *testing.T) {
	url := pgtest.URL(t)
	for _, cmd := range []string{"stats", "export"} {
		_, _, err := triage(t, url, "", cmd)
		if exitCode(err) != 1 || err == nil || !strings.Contains(err.Error(), "no triage inbox in "+url) {
			t.Errorf("%s on an empty PostgreSQL database: %v (exit %d), want exit 1, no triage inbox in %s", cmd, err, exitCode(err), url)
		}
	}
	if n := pgTables(t, url); n != 0 {
		t.Errorf("stats and export made %d tables in an empty database", n)
	}
	missing := strings.Replace(url, "/t", "/nosuch_t", 1)
	if _, _, err := triage(t, missing, "", "stats"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("stats on a database that is not there: %v", err)
	}
}

// A PostgreSQL database written by a newer triage is refused by every command, with exit
// 1 and the reason, and left as it was.
func TestPostgresNewerSchemaIsRefused(t *testing.T) {
	url := pgtest.URL(t)
	if _, _, err := triage(t, url, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	newer := store.SchemaVersion() + 1
	if _, err := pgSQL(t, url).Exec(`UPDATE triage_schema SET version = $1`, newer); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("database was written by a newer version of triage (schema version %d, this triage knows up to %d); upgrade triage, the database was not changed", newer, store.SchemaVersion())
	for _, args := range [][]string{{"stats"}, {"export"}, {"import", writeFile(t, "more.jsonl", goodLines)}, {"demo"}, {}} {
		_, _, err := triage(t, url, "", args...)
		if exitCode(err) != 1 || err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("triage %v on a newer schema: %v (exit %d), want exit 1 with %q", args, err, exitCode(err), want)
		}
	}
	var v int
	if err := pgSQL(t, url).QueryRow(`SELECT version FROM triage_schema`).Scan(&v); err != nil || v != newer {
		t.Errorf("schema version after the refusals = %d, %v; want %d untouched", v, err, newer)
	}
}

// triage demo --db postgres://… follows the file's rules: seeded the first time, kept
// after that, a database holding anything else refused and left as it was. --reset
// empties triage's tables and seeds the same demo again.
func TestPostgresDemoRules(t *testing.T) {
	url := pgtest.URL(t)
	out, _, err := triage(t, url, "", "demo")
	if err != nil || !strings.Contains(out, "demo inbox seeded at "+url) || !strings.Contains(out, "open it with: triage --demo --db '"+url+"'") {
		t.Fatalf("first demo --db URL = %q, %v", out, err)
	}
	out, _, err = triage(t, url, "", "demo")
	if err != nil || !strings.Contains(out, "kept as it was left") {
		t.Errorf("demo on a PostgreSQL demo = %q, %v", out, err)
	}
	// triage --demo --db URL opens it through ensureDemo, which keeps it.
	e := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: func() time.Time { return testNow }}
	if kept, err := e.ensureDemo(context.Background(), url, defaultSeed); err != nil || !kept {
		t.Errorf("ensureDemo on a PostgreSQL demo: kept %v, %v", kept, err)
	}
	before, _, _ := triage(t, url, "", "export")
	if _, _, err := triage(t, url, "", "import", writeFile(t, "more.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	if changed, _, _ := triage(t, url, "", "export"); changed == before {
		t.Fatal("the import changed nothing in the demo")
	}
	out, _, err = triage(t, url, "", "demo", "--reset")
	if err != nil || !strings.Contains(out, "demo inbox seeded at "+url) {
		t.Errorf("demo --reset on a PostgreSQL demo = %q, %v", out, err)
	}
	if after, _, _ := triage(t, url, "", "export"); after != before {
		t.Errorf("after --reset the demo exports differently from the first seed:\n%s", firstLineDiff(after, before))
	}

	real := pgtest.URL(t)
	if _, _, err := triage(t, real, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"demo"}, {"demo", "--reset"}} {
		if _, _, err := triage(t, real, "", args...); err == nil || !strings.Contains(err.Error(), real+" is not a demo database (it holds 4 messages)") {
			t.Errorf("triage %v over a real PostgreSQL inbox = %v", args, err)
		}
	}
	if n := messageCount(t, real); n != 4 {
		t.Errorf("the refused inbox holds %d messages, want its 4", n)
	}
}
