//go:build linux || darwin || freebsd || dragonfly

package store

import (
	"os"
	"syscall"
)

// freeSpace is the room left on the disk that holds dir, in bytes, as statfs(2) tells
// it: what an ordinary user may still write, and for root also the blocks kept in
// reserve. ok is false when statfs fails.
func freeSpace(dir string) (free uint64, ok bool) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, false
	}
	blocks := nonNegative(st.Bavail)
	if os.Geteuid() == 0 {
		blocks = nonNegative(st.Bfree)
	}
	return blocks * uint64(st.Bsize), true
}

// nonNegative reads a block count, signed on the BSDs (where Bavail goes below zero once
// the reserve is in use) and unsigned elsewhere.
func nonNegative[T ~int64 | ~uint64](n T) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}
