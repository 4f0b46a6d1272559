package email

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// SkipError is a file of a Maildir that is not read, and why: it is not a regular file (a
// FIFO would make the reader wait for ever, a device could be read without end), or it is
// a link to somewhere outside the Maildir. The file is left where it is.
type SkipError struct {
	Reason string
}

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// openMailFile opens one message file of the Maildir dir for reading, refusing what is
// not a regular file inside the Maildir. A link is followed only to a file inside it. The
// file is opened without blocking and checked on the open handle, so a FIFO put in place
// of a mail between the listing and the reading is refused too, never waited on.
func openMailFile(dir, path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		root, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return nil, err
		}
		if outside(root, target) {
			return nil, &SkipError{Reason: fmt.Sprintf("a link to %s, outside the Maildir", target)}
		}
		path = target
	}
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		fh.Close()
		return nil, &SkipError{Reason: "not a regular file (" + fileKind(st.Mode()) + ")"}
	}
	return fh, nil
}

// insideMaildir refuses a folder of the Maildir (new/, cur/) that is a link to somewhere
// outside it: every file in it would be read from there. A folder that does not exist is
// left for the listing to report.
func insideMaildir(dir, sub string) error {
	path := filepath.Join(dir, sub)
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if outside(root, target) {
		return fmt.Errorf("%s is a link to %s, outside the Maildir: not read", path, target)
	}
	return nil
}

// outside reports whether target lies outside the folder root.
func outside(root, target string) bool {
	rel, err := filepath.Rel(root, target)
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// fileKind names what a file that is not a regular one is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	}
	return "mode " + m.String()
}
