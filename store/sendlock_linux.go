package store

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Linux has open file description locks: held by one open file, not by the whole
// process, so two DBs of one process (tests, or two inboxes) keep theirs apart, and
// closing one file does not let go of another's.
const rangeLocks = true

var errRangeHeld = errors.New("the range is locked by another open file")

func lockRange(f *os.File, at int64) error {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: at, Len: 1}
	err := unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
		return errRangeHeld
	}
	return err
}

func unlockRange(f *os.File, at int64) {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: 0, Start: at, Len: 1}
	unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
}

// rangeHeld says whether another open file holds a lock on the byte at.
func rangeHeld(f *os.File, at int64) bool {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: at, Len: 1}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		return false
	}
	return lk.Type != unix.F_UNLCK
}
