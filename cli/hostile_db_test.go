package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 12, a busy or unwritable database and queries too large: what a person sees.

func TestQueryTooLargeIsACommandError(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, goodLines, "import", "-"); err != nil {
		t.Fatal(err)
	}
	words := func(n int, f string) []string {
		var w []string
		for i := range n {
			w = append(w, fmt.Sprintf(f, i))
		}
		return w
	}
	for name, q := range map[string]string{
		"1,000 NOTs":         strings.Repeat("NOT ", 1000) + "refund",
		"1,000 OR'd words":   strings.Join(words(1000, "w%d"), " OR "),
		"1,000 OR'd tags":    strings.Join(words(1000, "tag:t%d"), " OR "),
		"1,000 negated tags": strings.Join(words(1000, "-tag:t%d"), " "),
		"100 nested parens":  strings.Repeat("(", 100) + "refund" + strings.Repeat(")", 100),
	} {
		for _, cmd := range []string{"stats", "export"} {
			_, _, err := triage(t, db, "", cmd, "--query", q)
			if exitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), "query too large") || strings.Contains(fmt.Sprint(err), "SQL") {
				t.Errorf("%s --query with %s: %v (exit %d), want exit 2 saying the query is too large", cmd, name, err, exitCode(err))
			}
		}
	}
	// The largest queries allowed still run.
	for name, q := range map[string]string{
		"128 NOT'd words OR'd": strings.Join(words(128, "NOT w%d"), " OR "),
		"255 OR'd tags":        strings.Join(words(255, "tag:t%d"), " OR "),
		"63 NOTs in parens":    strings.Repeat("NOT (", 32) + strings.Join(words(150, "tag:t%d"), " OR ") + strings.Repeat(")", 32),
	} {
		for _, cmd := range []string{"stats", "export"} {
			if _, _, err := triage(t, db, "", cmd, "--query", q); err != nil {
				t.Errorf("%s --query with %s: %v, want it to run", cmd, name, err)
			}
		}
	}
}

// holdWriteLock takes the write lock of the database at path, as another triage in the
// middle of an import holds it, until the test ends.
func holdWriteLock(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "INSERT INTO meta(key, value) VALUES('writer', 'another triage')"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		raw.Close()
	})
}

func TestBusyWriterSaysSoInWords(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the busy timeout")
	}
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, goodLines, "import", "-"); err != nil {
		t.Fatal(err)
	}
	holdWriteLock(t, db)
	file := writeFile(t, "more.jsonl", strings.ReplaceAll(goodLines, `"id":"`, `"id":"b`))
	_, _, err := triage(t, db, "", "import", file)
	want := "another triage is writing to " + db + "; try again when it has finished"
	if exitCode(err) != 1 || !strings.Contains(fmt.Sprint(err), want) || strings.Contains(fmt.Sprint(err), "SQLITE_BUSY") {
		t.Fatalf("import while another writes: %v (exit %d), want exit 1 saying %q", err, exitCode(err), want)
	}
}

func TestImportDryRunTakesNoWriteLock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, goodLines, "import", "-"); err != nil {
		t.Fatal(err)
	}
	holdWriteLock(t, db)
	file := writeFile(t, "more.jsonl", goodLines+strings.ReplaceAll(goodLines, `"id":"`, `"id":"b`)+badLine+"\n")
	start := time.Now()
	out, _, err := triage(t, db, "", "import", "--dry-run", "--skip-invalid", file)
	if err != nil || out != "dry run, nothing written; would import: 4 new, 4 already present, 1 rejected\n" {
		t.Fatalf("import --dry-run while another writes = %q, %v", out, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("dry run took %v: it waited for the write lock", d)
	}
	// Twice the same new message in one file: new once, then present.
	twice := writeFile(t, "twice.jsonl", strings.ReplaceAll(goodLines, `"id":"`, `"id":"c`)+strings.ReplaceAll(goodLines, `"id":"`, `"id":"c`))
	if out, _, err := triage(t, db, "", "import", "--dry-run", twice); err != nil || !strings.Contains(out, "would import: 4 new, 4 already present, 0 rejected") {
		t.Errorf("dry run of a file with each message twice = %q, %v", out, err)
	}
}

// readOnlyBind makes a read-only view of dir (a read-only bind mount) and removes it when
// the test ends; it skips the test where that cannot be done (not root, no mount).
func readOnlyBind(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a read-only view of a folder")
	}
	view := t.TempDir()
	if out, err := exec.Command("mount", "--bind", dir, view).CombinedOutput(); err != nil {
		t.Skipf("cannot bind-mount here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", view).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", view, err, out)
		}
	})
	if out, err := exec.Command("mount", "-o", "remount,ro,bind", view).CombinedOutput(); err != nil {
		t.Skipf("cannot make the bind mount read-only: %v %s", err, out)
	}
	return view
}

func TestStatsAndExportOnAReadOnlyFileSystem(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := triage(t, filepath.Join(dir, "t.db"), goodLines, "import", "-"); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(readOnlyBind(t, dir), "t.db")
	out, _, err := triage(t, ro, "", "stats", "--since", "30d", "--json")
	if err != nil || !strings.Contains(out, `"inbound":3`) {
		t.Errorf("stats on a read-only file system = %q, %v", out, err)
	}
	for _, format := range []string{"jsonl", "csv"} {
		out, _, err = triage(t, ro, "", "export", "--format", format)
		if err != nil || !strings.Contains(out, "it ships today") {
			t.Errorf("export --format %s on a read-only file system = %q, %v", format, out, err)
		}
	}
	_, _, err = triage(t, ro, goodLines, "import", "-")
	if exitCode(err) != 1 || !strings.Contains(fmt.Sprint(err), ro) {
		t.Errorf("import on a read-only file system: %v, want exit 1 naming %s", err, ro)
	}
}

func TestStatsAndExportOnAFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	db := filepath.Join(mnt, "t.db")
	if _, _, err := triage(t, db, goodLines, "import", "-"); err != nil {
		t.Fatal(err)
	}
	// Fill every byte left.
	f, err := os.Create(filepath.Join(mnt, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	out, _, err := triage(t, db, "", "stats", "--since", "30d", "--json")
	if err != nil || !strings.Contains(out, `"inbound":3`) {
		t.Errorf("stats on a full disk = %q, %v", out, err)
	}
	out, _, err = triage(t, db, "", "export")
	if err != nil || strings.Count(out, "\n") != 4 {
		t.Errorf("export on a full disk = %q, %v", out, err)
	}
}
