package store

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// fileSendLocks are SQLite's send locks, what sendLocks are on PostgreSQL: one lock per
// outbox entry this DB claimed and has not settled, so that another process's recovery
// (a second `triage` opening, `sync --once`, `team` beside a `sync` service) leaves an
// entry alone while its sender lives, instead of taking it for one a crash left and
// posting it again. They are byte-range locks on a file beside the database (the byte at
// the entry's id), held by this DB's open file: the kernel lets go of them when the file
// is closed or the process dies, so what a dead sender left is still recovered. Where
// the system has no such locks (see sendlock_*.go), there are none, as before.
type fileSendLocks struct {
	mu   sync.Mutex
	f    *os.File
	held map[int64]bool
	off  bool // the lock file could not be opened: no locks, as before
}

// open opens the lock file of the database at path, once; false when there is none.
// mu is held.
func (s *fileSendLocks) open(path string) bool {
	if s.f != nil {
		return true
	}
	if s.off || path == "" || !rangeLocks {
		return false
	}
	f, err := os.OpenFile(path+"-send", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		s.off = true // a read-only folder: the database cannot be written either
		return false
	}
	s.f, s.held = f, map[int64]bool{}
	return true
}

// lock takes the send lock of outbox entry id before it is claimed: ErrOutboxState if
// another process (or another DB of this one) holds it.
func (s *fileSendLocks) lock(path string, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open(path) {
		return nil
	}
	switch err := lockRange(s.f, id); {
	case errors.Is(err, errRangeHeld):
		return ErrOutboxState
	case err != nil:
		return fmt.Errorf("take the send lock: %w", err)
	}
	s.held[id] = true
	return nil
}

// unlock lets go of the send lock of id, if this DB holds it.
func (s *fileSendLocks) unlock(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil || !s.held[id] {
		return
	}
	delete(s.held, id)
	unlockRange(s.f, id)
}

// heldElsewhere says which of ids another process (or another DB of this one) holds the
// send lock of: those are being sent, not left by a crash.
func (s *fileSendLocks) heldElsewhere(path string, ids []int64) map[int64]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open(path) {
		return nil
	}
	held := map[int64]bool{}
	for _, id := range ids {
		if !s.held[id] && rangeHeld(s.f, id) {
			held[id] = true
		}
	}
	return held
}

// close lets go of every lock with the DB.
func (s *fileSendLocks) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f.Close()
	}
	s.f, s.held = nil, nil
}
