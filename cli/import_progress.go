package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/dustin/go-humanize"
)

// progressAfter is how long an import runs before it shows its progress: a small import
// is over before a person would wonder, and should print nothing but its result.
const progressAfter = time.Second

// progressEvery is how often the progress line is redrawn.
const progressEvery = 250 * time.Millisecond

// importProgress is the line an import draws on standard error, when that is a terminal
// and the import takes more than a second: messages read, how many a second, and, when the
// size of every input is known, how far it is and about how long is left. The line is
// redrawn in place and cleared at the end, so what stays is the import's result.
//
// Progress is measured in bytes of input: a JSON Lines file's bytes as they are read, a
// Maildir's bytes by the mail files read (each counted at the folder's average size).
// Standard input from a pipe has no known size, and then neither has the import. A nil
// *importProgress draws nothing.
type importProgress struct {
	w     io.Writer
	now   func() time.Time
	start time.Time
	drawn time.Time // when the line was last drawn
	shown bool      // the line is on the screen

	total    int64 // bytes of every input; -1 when one has no known size
	finished int64 // bytes of the inputs read to the end
	current  func() int64
	n        int // messages (and rejected lines or files) read
}

// newImportProgress starts the progress of an import of sources, or returns nil when w is
// not a terminal. The size of the inputs is looked up only then.
func newImportProgress(w io.Writer, isTerminal bool, now func() time.Time, sources importSourceList, stdin io.Reader) *importProgress {
	if !isTerminal {
		return nil
	}
	p := &importProgress{w: w, now: now, start: now(), current: func() int64 { return 0 }}
	for _, src := range sources {
		size := inputSize(src, stdin)
		if size < 0 || p.total < 0 {
			p.total = -1
		} else {
			p.total += size
		}
	}
	return p
}

// inputSize is the bytes of one input: a file's size, the mail files of a Maildir added
// up, standard input's size when it is a file (triage import - < export.jsonl); -1 for a
// pipe or anything that cannot be looked at.
func inputSize(src importSource, stdin io.Reader) int64 {
	if src.maildir {
		files, size := maildirSize(src.name)
		if files == 0 {
			return 0
		}
		return size
	}
	var fi os.FileInfo
	var err error
	if src.name == "-" {
		f, ok := stdin.(*os.File)
		if !ok {
			return -1
		}
		fi, err = f.Stat()
	} else {
		fi, err = os.Stat(src.name)
	}
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	return fi.Size()
}

// maildirSize counts the mail files of a Maildir and adds up their bytes.
func maildirSize(dir string) (files int, size int64) {
	for _, sub := range []string{"cur", "new"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			if fi, err := e.Info(); err == nil {
				files++
				size += fi.Size()
			}
		}
	}
	return files, size
}

// reader counts the bytes read from r as progress of the input being read.
func (p *importProgress) reader(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	cr := &countingReader{r: r}
	p.current = cr.n.Load
	return cr
}

// maildir counts the mail files of a Maildir as progress of the input being read: each
// file read is the folder's average size.
func (p *importProgress) maildir(dir string) {
	if p == nil {
		return
	}
	files, size := maildirSize(dir)
	start := p.n
	p.current = func() int64 {
		if files == 0 {
			return 0
		}
		return int64(min(p.n-start, files)) * size / int64(files)
	}
}

// done marks the input being read as read to the end.
func (p *importProgress) done() {
	if p == nil {
		return
	}
	p.finished += p.current()
	p.current = func() int64 { return 0 }
}

// message counts one message (or rejected line or file) read, and redraws the line when
// it is time to.
func (p *importProgress) message() {
	if p == nil {
		return
	}
	p.n++
	if p.n%64 != 0 { // the clock is asked once every 64 messages, not for each
		return
	}
	t := p.now()
	if t.Sub(p.start) < progressAfter || (p.shown && t.Sub(p.drawn) < progressEvery) {
		return
	}
	p.draw(t, p.line(t))
}

// line is the progress line at t.
func (p *importProgress) line(t time.Time) string {
	elapsed := t.Sub(p.start)
	rate := float64(p.n) / elapsed.Seconds()
	s := fmt.Sprintf("importing: %s messages · %s/s", humanize.Comma(int64(p.n)), humanize.Comma(int64(rate)))
	if p.total > 0 {
		read := min(p.finished+p.current(), p.total)
		if read > 0 {
			frac := float64(read) / float64(p.total)
			left := time.Duration(float64(elapsed) * (1 - frac) / frac)
			s += fmt.Sprintf(" · %d%% · about %s left", int(frac*100), roundLeft(left))
		}
	}
	return s
}

// roundLeft rounds a time left to what an estimate is worth: seconds under a minute,
// then minutes.
func roundLeft(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	}
	return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
}

// saving says that everything is read and the import is being written (the indexes of a
// first import are built then), when the line is showing.
func (p *importProgress) saving() {
	if p == nil || !p.shown {
		return
	}
	t := p.now()
	p.draw(t, fmt.Sprintf("importing: %s messages read in %s · finishing…", humanize.Comma(int64(p.n)), t.Sub(p.start).Round(100*time.Millisecond)))
}

// clear takes the line off the screen.
func (p *importProgress) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.shown = false
}

func (p *importProgress) draw(t time.Time, line string) {
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.drawn, p.shown = t, true
}

// countingReader counts the bytes read through it; the count is read from another
// goroutine than the one reading.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// stderrIsTerminal says whether w, a command's standard error, is a terminal.
func stderrIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
