//go:build !(linux || darwin || freebsd || dragonfly)

package store

// freeSpace cannot tell the free space here (Windows, NetBSD, OpenBSD, illumos, …: no
// syscall.Statfs), so diskFull leaves errors as they are.
func freeSpace(string) (uint64, bool) { return 0, false }
