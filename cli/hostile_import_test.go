package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hostile files given to `triage import` (issue 12): a FIFO or a link out of a Maildir,
// mail whose header lines carry terminal escapes, a BOM, CR line ends.

// importWithin runs the import in-process and fails the test, instead of hanging it, when
// the import has not returned within d; unblock is called then to let it finish.
func importWithin(t *testing.T, d time.Duration, unblock func(), db string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	type result struct {
		out, errOut string
		err         error
	}
	done := make(chan result, 1)
	go func() {
		o, e, err := triage(t, db, "", args...)
		done <- result{o, e, err}
	}()
	select {
	case r := <-done:
		return r.out, r.errOut, r.err
	case <-time.After(d):
		unblock()
		<-done
		t.Fatalf("import %v still running after %v: it waits on a file", args, d)
		return "", "", nil
	}
}

func TestImportMaildirSkipsFIFOsAndLinksOut(t *testing.T) {
	dir := handMaildir(t)
	fifo := filepath.Join(dir, "new", "1763609000.M7P1.host")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here: ", err)
	}
	// A mail outside the Maildir, linked in: it must not be read.
	outside := writeFile(t, "secret.eml", "From: eve@customer.test\nMessage-ID: <secret@outside.test>\n\nthe contents of a file outside the Maildir\n")
	linkOut := filepath.Join(dir, "cur", "1763609001.M8P1.host:2,S")
	if err := os.Symlink(outside, linkOut); err != nil {
		t.Fatal(err)
	}
	// A link to a file inside the Maildir is a mail like any other.
	inside := filepath.Join(dir, "tmp", "1763609002.M9P1.host")
	mustWrite(t, inside, "From: kim@customer.test\nMessage-ID: <kim@customer.test>\nSubject: linked\n\nlinked from inside\n")
	if err := os.Symlink(filepath.Join("..", "tmp", filepath.Base(inside)), filepath.Join(dir, "cur", "1763609002.M9P1.host:2,S")); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(t.TempDir(), "t.db")
	unblock := func() { // a writer lets a reader blocked on the FIFO go on
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	}
	out, stderr, err := importWithin(t, 20*time.Second, unblock, db, "import", dir)
	if err != nil {
		t.Fatalf("import of a Maildir with a FIFO and links: %v\n%s", err, stderr)
	}
	if want := "imported: 6 new, 0 already present, 0 rejected, 2 skipped\n"; !strings.HasPrefix(out, want) {
		t.Errorf("stdout = %q, want it to start %q", out, want)
	}
	for _, want := range []string{
		fifo + ": skipped: not a regular file (a FIFO)",
		linkOut + ": skipped: a link to " + outside + ", outside the Maildir",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	recs := byID(exported(t, db))
	if _, ok := recs["<secret@outside.test>"]; ok || strings.Contains(out+stderr, "contents of a file outside") {
		t.Error("a mail outside the Maildir was read through a link")
	}
	if len(recs) != 6 {
		t.Errorf("%d messages stored, want the 5 mails and the one linked from inside", len(recs))
	}
}

// hasEscapes reports a byte a terminal acts on: ESC, BEL, other C0 controls but newline
// and tab, and the C1 controls as UTF-8.
func hasEscapes(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}

func TestImportPrintsNoEscapesFromFiles(t *testing.T) {
	dir := handMaildir(t)
	// A malformed header line that sets the clipboard (OSC 52) and the window title.
	osc := "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x9b31m"
	mustWrite(t, filepath.Join(dir, "new", "1763609100.M1P1.host"), "From: a@b.test\n"+osc+"no colon here\n\nbody\n")
	// A file name from a delivery agent can carry them too.
	mustWrite(t, filepath.Join(dir, "new", "1763609101.M2P1.host"+"\x1b]0;title\x07"), "\x00\x01binary")
	jsonl := writeFile(t, "in.jsonl", goodLines+`{"channel":"x","id":"9","kind":"dm","author":{"id":"1"},"text":"hi","created_at":"`+"\x1b[2J"+`"}`+"\n")

	db := filepath.Join(t.TempDir(), "t.db")
	for _, args := range [][]string{{"import", dir, jsonl}, {"import", "--skip-invalid", dir, jsonl}, {"import", "--dry-run", dir, jsonl}} {
		out, stderr, err := triage(t, db, "", args...)
		msg := out + stderr
		if err != nil {
			msg += err.Error()
		}
		if hasEscapes(msg) {
			t.Errorf("%v printed terminal controls from the files: %q", args, msg)
		}
		if !strings.Contains(msg, "no colon here") {
			t.Errorf("%v does not name the malformed header line: %q", args, msg)
		}
	}
}

func TestSkipInvalidWritesRejectsBeforeItCommits(t *testing.T) {
	// A read-only folder: the rejected lines cannot be written, so nothing is imported.
	src := t.TempDir()
	mustWrite(t, filepath.Join(src, "in.jsonl"), goodLines+badLine+"\n")
	in := filepath.Join(readOnlyBind(t, src), "in.jsonl")
	db := filepath.Join(t.TempDir(), "t.db")
	out, _, err := triage(t, db, "", "import", "--skip-invalid", in)
	if exitCode(err) != 1 || !strings.Contains(fmt.Sprint(err), "cannot write the rejected lines") || !strings.Contains(fmt.Sprint(err), "nothing was imported") {
		t.Fatalf("import --skip-invalid beside a read-only folder: %v (exit %d), want exit 1 saying nothing was imported", err, exitCode(err))
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing: nothing was imported", out)
	}
	if n := messageCount(t, db); n != 0 {
		t.Errorf("%d messages stored, want none: the rejected lines were lost", n)
	}

	// Twice in the same second: two files of rejected lines, both imports whole.
	file := writeFile(t, "in.jsonl", goodLines+badLine+"\n")
	for i, want := range []string{"imported: 4 new, 0 already present, 1 rejected\n", "imported: 0 new, 4 already present, 1 rejected\n"} {
		out, _, err := triage(t, db, "", "import", "--skip-invalid", file)
		if err != nil || !strings.HasPrefix(out, want) {
			t.Fatalf("import %d = %q, %v; want %q", i+1, out, err, want)
		}
	}
	rejects, _ := filepath.Glob(file + ".rejected-*.jsonl")
	if len(rejects) != 2 {
		t.Fatalf("files of rejected lines: %v, want two", rejects)
	}
	for _, r := range rejects {
		if b, _ := os.ReadFile(r); string(b) != badLine+"\n" {
			t.Errorf("%s = %q, want the rejected line", r, b)
		}
	}
}

func TestImportReadsBOMAndCROnlyLineEnds(t *testing.T) {
	crlf := strings.ReplaceAll(goodLines, "\n", "\r\n")
	for name, text := range map[string]string{
		"BOM":             "\ufeff" + goodLines,
		"CR only":         strings.ReplaceAll(goodLines, "\n", "\r"),
		"BOM and CR only": "\ufeff" + strings.ReplaceAll(goodLines, "\n", "\r"),
		"CRLF":            crlf,
	} {
		db := filepath.Join(t.TempDir(), "t.db")
		file := writeFile(t, "in.jsonl", text)
		out, stderr, err := triage(t, db, "", "import", file)
		if err != nil || out != "imported: 4 new, 0 already present, 0 rejected\n" {
			t.Errorf("%s: import = %q, %v\n%s", name, out, err, stderr)
		}
	}
	// Line numbers count CR-only lines: the bad line is line 6.
	db := filepath.Join(t.TempDir(), "t.db")
	file := writeFile(t, "in.jsonl", "\ufeff"+strings.ReplaceAll(goodLines+badLine+"\n", "\n", "\r"))
	_, stderr, _ := triage(t, db, "", "import", file)
	if !strings.Contains(stderr, file+`:6: field "created_at"`) {
		t.Errorf("stderr = %q, want the bad line named as line 6", stderr)
	}
}

// A Maildir whose cur/ is a link to a folder elsewhere is refused by name, and nothing
// there is read.
func TestImportMaildirRefusesAFolderLinkedOut(t *testing.T) {
	dir := handMaildir(t)
	elsewhere := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.MkdirAll(elsewhere, 0o700); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(elsewhere, "1763609003.M1P1.host:2,S"), "From: eve@customer.test\nMessage-ID: <far@outside.test>\n\nnot in the Maildir\n")
	if err := os.RemoveAll(filepath.Join(dir, "cur")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, "cur")); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "t.db")
	_, stderr, err := triage(t, db, "", "import", dir)
	want := filepath.Join(dir, "cur") + " is a link to " + elsewhere + ", outside the Maildir: not read"
	if err == nil || !strings.Contains(err.Error()+stderr, want) {
		t.Fatalf("import = %v %q; want an error saying %q", err, stderr, want)
	}
	if _, statErr := os.Stat(db); statErr == nil {
		if out, _, _ := triage(t, db, "", "export"); strings.Contains(out, "far@outside.test") {
			t.Error("a mail outside the Maildir was read through a linked folder")
		}
	}
}
