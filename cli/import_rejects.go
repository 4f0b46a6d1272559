package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// rejectsFile is where `import --skip-invalid` writes the rejected lines, untouched,
// beside the first JSON Lines input (or in the current folder for standard input), so they
// can be fixed and imported again. It is made at the first rejected line and written as
// the import goes, never held in memory, and closed before the import commits: if it
// cannot be written, nothing is imported. Its name is new each time: a second import in
// the same second gets "-2" after the time.
type rejectsFile struct {
	first string    // the first JSON Lines input, "-" for standard input
	now   time.Time // the time in the name
	path  string
	f     *os.File
	w     *bufio.Writer
	err   error
	done  bool
}

// rejectsError is a failure to write the rejected lines: the import stops, rolled back.
type rejectsError struct {
	path string
	err  error
}

func (e *rejectsError) Error() string {
	return fmt.Sprintf("import: cannot write the rejected lines to %s: %v; nothing was imported (make room or allow writing there, or import without --skip-invalid)", e.path, e.err)
}

func (e *rejectsError) Unwrap() error { return e.err }

// write adds one rejected line. A nil rejectsFile writes nothing (no --skip-invalid, or a
// dry run).
func (r *rejectsFile) write(line []byte) error {
	if r == nil {
		return nil
	}
	if r.err != nil {
		return r.err
	}
	if r.f == nil {
		if r.err = r.create(); r.err != nil {
			return r.err
		}
	}
	r.w.Write(line)
	if err := r.w.WriteByte('\n'); err != nil {
		r.err = &rejectsError{r.path, err}
	}
	return r.err
}

// create makes the file under a name no other file has.
func (r *rejectsFile) create() error {
	dir, base := ".", "stdin"
	if r.first != "-" {
		dir, base = filepath.Dir(r.first), filepath.Base(r.first)
	}
	stamp := r.now.UTC().Format("20060102T150405")
	for n := 1; ; n++ {
		name := fmt.Sprintf("%s.rejected-%s.jsonl", base, stamp)
		if n > 1 {
			name = fmt.Sprintf("%s.rejected-%s-%d.jsonl", base, stamp, n)
		}
		r.path = filepath.Join(dir, name)
		f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && n < 1000 {
			continue
		}
		if err != nil {
			return &rejectsError{r.path, err}
		}
		r.f, r.w = f, bufio.NewWriterSize(f, 1<<16)
		return nil
	}
}

// close flushes the file to disk; nil when there is none.
func (r *rejectsFile) close() error {
	if r == nil || r.f == nil || r.done {
		return nil
	}
	r.done = true
	if r.err != nil {
		r.f.Close()
		return r.err
	}
	err := r.w.Flush()
	if err == nil {
		err = r.f.Sync()
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.err = &rejectsError{r.path, err}
	}
	return r.err
}

// remove deletes the file after a failed import (nothing was imported, so the whole input
// is to be imported again); it reports whether there was one.
func (r *rejectsFile) remove() bool {
	if r == nil || r.f == nil {
		return false
	}
	r.close()
	os.Remove(r.path)
	r.path = ""
	return true
}

// written is the file's path once written, else "".
func (r *rejectsFile) written() string {
	if r == nil || r.f == nil || r.err != nil {
		return ""
	}
	return r.path
}
