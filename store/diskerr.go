package store

import (
	"fmt"
	"path/filepath"
)

// openRoom is the free space below which a failed open is put down to a full disk: to
// open a WAL database SQLite must grow its -shm file to 32 KiB, and with less room than
// that it fails with a bare "disk I/O error" (SQLITE_IOERR_SHMSIZE) that names no cause.
const openRoom = 32 << 10

// diskFull explains err, from opening, pinging or migrating the database at path, when
// the disk that holds the database has (almost) no byte free: the message then says so,
// and err stays wrapped for errors.Is and errors.As. Otherwise, and on systems where the
// free space cannot be read (see freeSpace), err is returned as it is.
func diskFull(path string, err error) error {
	if err == nil {
		return nil
	}
	free, ok := freeSpace(filepath.Dir(path))
	return explainFull(path, err, free, ok)
}

// explainFull is diskFull once the free space is known (ok) or not.
func explainFull(path string, err error, free uint64, ok bool) error {
	if err == nil || !ok || free >= openRoom {
		return err
	}
	return fmt.Errorf("the disk holding %s is full (%s free): %w", path, freeBytes(free), err)
}

func freeBytes(n uint64) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
