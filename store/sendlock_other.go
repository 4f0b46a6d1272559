//go:build !linux

package store

import (
	"errors"
	"os"
)

// Elsewhere there are no open file description locks (POSIX record locks belong to the
// whole process and go when any of its files on the lock file closes), so SQLite's send
// locks are off, as before them: see fileSendLocks.
const rangeLocks = false

var errRangeHeld = errors.New("the range is locked by another open file")

func lockRange(*os.File, int64) error { return nil }

func unlockRange(*os.File, int64) {}

func rangeHeld(*os.File, int64) bool { return false }
