package soaktest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A full disk: the database lives on a 2 MiB tmpfs, a filler file takes the rest, and an
// import must fail clearly, exit non-zero and leave every committed message whole. After
// the filler goes, the database checks ok and takes the import. Needs root (mount).
func TestDiskFullImport(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	mnt := mountTmpfs(t)
	work := t.TempDir()
	bin := buildTriage(t, work)
	path := filepath.Join(mnt, "triage.db")
	seedDB(t, path, seedMessages("old", 60, 200))
	in := filepath.Join(work, "new.jsonl")
	writeJSONL(t, in, seedMessages("new", 400, 2000)) // ~800 KB of bodies

	filler := fillDisk(t, mnt)

	home := t.TempDir()
	// 1. No byte free: even opening fails (SQLite cannot grow the -shm file, and says only
	// "disk I/O error"). It must fail, say the disk holding the database is full and
	// change nothing.
	full := "the disk holding " + path + " is full"
	out, errOut, code := runTriage(t, bin, "", home, "import", in, "--db", path)
	t.Logf("import with no byte free: exit %d, stderr %q", code, errOut)
	if code == 0 || !strings.Contains(errOut, full) {
		t.Errorf("import with no byte free: exit %d, %q; want a failure saying %q", code, errOut, full)
	}
	// Export only reads: it reads the database as it is (issue 12).
	out, errOut, code = runTriage(t, bin, "", home, "export", "--db", path)
	t.Logf("export with no byte free: exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errOut)
	if code != 0 || out == "" {
		t.Errorf("export with no byte free: exit %d, %q; want the messages", code, errOut)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if ok, n := checkDB(t, path); ok != "ok" || n != 60 {
		t.Errorf("after the refused open: integrity_check %q, %d messages, want ok and the 60 committed", ok, n)
	}

	// 2. Some space, less than the import needs: the disk fills mid-transaction.
	out, errOut, code = runTriage(t, bin, "", home, "import", in, "--db", path)
	t.Logf("import that outgrows the disk: exit %d, stderr %q", code, errOut)
	if code == 0 {
		t.Fatalf("import of ~800 KB into what is left of 2 MiB succeeded: %s", out)
	}
	if !strings.Contains(errOut, "database or disk is full") || !strings.Contains(errOut, path) {
		t.Errorf("import error %q does not say the disk is full and name %s", errOut, path)
	}
	if ok, n := checkDB(t, path); ok != "ok" || n != 60 {
		t.Errorf("after the failed import: integrity_check %q, %d messages, want ok and exactly the 60 committed (none half-written)", ok, n)
	}

	// 3. The database still works: a small import lands.
	small := filepath.Join(work, "small.jsonl")
	writeJSONL(t, small, seedMessages("small", 5, 20))
	out, errOut, code = runTriage(t, bin, "", home, "import", small, "--db", path)
	if code != 0 || !strings.Contains(out, "5 new") {
		t.Errorf("small import afterwards: exit %d, %s %s", code, out, errOut)
	}
	if ok, n := checkDB(t, path); ok != "ok" || n != 65 {
		t.Errorf("after the small import: integrity_check %q, %d messages, want ok and 65", ok, n)
	}
}

// mountTmpfs mounts a 2 MiB tmpfs on a new folder and unmounts it when the test ends; it
// skips the test where that cannot be done (not root, no mount).
func mountTmpfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
	return mnt
}

// fillDisk writes a file in dir until the disk has no byte left and returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill: %v", err)
			}
			break
		}
	}
	return filler
}
