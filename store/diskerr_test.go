package store

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestSQLiteExplainFull(t *testing.T) {
	cause := errors.New("disk I/O error (4874)")
	for _, tc := range []struct {
		free uint64
		ok   bool
		want string // "" when err must come back unchanged
	}{
		{0, true, "the disk holding /d/triage.db is full (0 bytes free): disk I/O error (4874)"},
		{1000, true, "the disk holding /d/triage.db is full (1000 bytes free): disk I/O error (4874)"},
		{20 << 10, true, "the disk holding /d/triage.db is full (20 KiB free): disk I/O error (4874)"},
		{openRoom, true, ""},
		{1 << 30, true, ""},
		{0, false, ""}, // free space unknown (no statfs here): nothing is claimed
	} {
		got := explainFull("/d/triage.db", cause, tc.free, tc.ok)
		switch {
		case tc.want == "" && got != cause:
			t.Errorf("free %d, ok %v: %v, want the error unchanged", tc.free, tc.ok, got)
		case tc.want != "" && (got.Error() != tc.want || !errors.Is(got, cause)):
			t.Errorf("free %d, ok %v: %q (wraps the cause: %v), want %q", tc.free, tc.ok, got, errors.Is(got, cause), tc.want)
		}
	}
	if explainFull("/d/triage.db", nil, 0, true) != nil || diskFull("/d/triage.db", nil) != nil {
		t.Error("no error became one")
	}
}

// On a disk with room, diskFull leaves the error alone; where statfs is known to work it
// reads the free space at all.
func TestSQLiteDiskFullWithRoom(t *testing.T) {
	dir := t.TempDir()
	cause := errors.New("no such table: x")
	if got := diskFull(dir+"/triage.db", cause); got != cause {
		t.Errorf("diskFull on a disk with room = %v", got)
	}
	free, ok := freeSpace(dir)
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd", "dragonfly":
		if !ok || free < openRoom {
			t.Errorf("freeSpace(%s) = %d, %v; want the room of a disk with room", dir, free, ok)
		}
	default:
		if ok {
			t.Errorf("freeSpace reports %d bytes on %s, which has no statfs", free, runtime.GOOS)
		}
	}
	if _, ok := freeSpace(dir + "/" + strings.Repeat("missing/", 2)); ok {
		t.Error("freeSpace read a directory that does not exist")
	}
}
