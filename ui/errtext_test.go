package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// errDiskFull is what SQLite answers when the disk is full; storeFull wraps it the way
// the store does, with the database's path.
var errDiskFull = errors.New("database or disk is full (13)")

func storeFull(path string) error { return fmt.Errorf("commit to %s: %w", path, errDiskFull) }

func TestCauseFirst(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{storeFull("/data/triage.db"), "database or disk is full (13) — commit to /data/triage.db"},
		{fmt.Errorf("tagged x: %w", storeFull("/d.db")), "database or disk is full (13) — tagged x: commit to /d.db"},
		{errDiskFull, "database or disk is full (13)"},
		// Not wrapped with %w: nothing says where the cause starts, so it reads as it is.
		{fmt.Errorf("commit to /d.db: %v", errDiskFull), "commit to /d.db: database or disk is full (13)"},
	} {
		if got := causeFirst(tc.err); got != tc.want {
			t.Errorf("causeFirst(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestErrorLines(t *testing.T) {
	path := "/home/someone/.local/share/triage/" + strings.Repeat("deep/", 8) + "triage.db"
	err := storeFull(path)
	// Room enough: the whole text, wrapped (paths break at '/'), nothing lost.
	lines := errorLines(err, 40, 10)
	if got := strings.Join(lines, ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(err.Error(), " ", "") {
		t.Errorf("wrapped error lost text:\n%s", strings.Join(lines, "\n"))
	}
	// Too little room: the cause comes first, and the path is what is cut.
	for _, rows := range []int{1, 2} {
		lines = errorLines(err, 40, rows)
		if len(lines) != rows || !strings.HasPrefix(lines[0], "database or disk is full (13) — ") ||
			!strings.HasSuffix(lines[rows-1], "…") {
			t.Errorf("%d rows: %q", rows, lines)
		}
	}
	for _, w := range []int{1, 5, 40} {
		for _, l := range errorLines(err, w, 3) {
			if ansi.StringWidth(l) > w {
				t.Errorf("width %d: line %q is %d wide", w, l, ansi.StringWidth(l))
			}
		}
	}
	// An error quoting outside text is made safe.
	evil := fmt.Errorf("tag %q: %w", "x\x1b]8;;http://evil\x07y\u202e", errDiskFull)
	for _, l := range errorLines(evil, 30, 1) {
		if strings.ContainsAny(l, "\x1b\x07\u202e") {
			t.Errorf("unsafe text in %q", l)
		}
	}
}
