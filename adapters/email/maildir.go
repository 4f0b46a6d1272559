package email

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// maildirPrefix starts a Maildir cursor, so a cursor left by the IMAP source (or the
// other way round) is recognised as foreign and the account starts over.
const maildirPrefix = "maildir:"

// mdFile is one message file of a Maildir. A file keeps its base name (the part before
// ":2,FLAGS") when a mail reader moves it from new/ to cur/ or changes its flags, so the
// base name is what the cursor remembers.
type mdFile struct {
	path string
	base string
	secs int64 // delivery time: the leading seconds of the name, else the file's mtime
}

// compare orders files by delivery time, then name: the order they arrived in, as far as
// a Maildir can tell.
func (f mdFile) compare(g mdFile) int {
	return cmp.Or(cmp.Compare(f.secs, g.secs), strings.Compare(f.base, g.base))
}

// fetchMaildir returns the files delivered after the cursor "maildir:SECS:BASE".
//
// A file delivered later with a smaller key than the cursor's (same second, smaller
// name; or a clock set back) is not seen; mbsync and offlineimap name files by the time
// of the sync, so that needs a clock going backwards.
func (a *Adapter) fetchMaildir(ctx context.Context, cursor string) (adapters.Batch, error) {
	after, hasAfter := parseMaildirCursor(cursor)
	if !hasAfter {
		cursor = ""
	}
	files, err := listMaildir(a.maildir)
	if err != nil {
		// The folder was there at start: an unmounted disk or a sync tool mid-rename.
		return adapters.Batch{}, a.wrap(adapters.Temporary(err, time.Minute), "", "read Maildir "+a.maildir)
	}
	files = slices.DeleteFunc(files, func(f mdFile) bool { return hasAfter && f.compare(after) <= 0 })
	slices.SortFunc(files, mdFile.compare)
	done := adapters.Batch{Cursor: cursor}
	if len(files) > a.batchSize {
		files, done.More = files[:a.batchSize], true
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return adapters.Batch{}, a.wrap(adapters.Temporary(err, 0), "", "read Maildir "+a.maildir)
		}
		m, ok, err := a.readMaildirFile(f)
		if err != nil {
			return adapters.Batch{}, a.wrap(adapters.Temporary(err, time.Minute), "", "read "+f.path)
		}
		if ok {
			done.Messages = append(done.Messages, m)
		}
		done.Cursor = maildirCursor(f)
	}
	return done, nil
}

// readMaildirFile parses one file. A file that moved since the listing (new/ to cur/, a
// flag change) is looked for again by its base name; one that was deleted is skipped.
func (a *Adapter) readMaildirFile(f mdFile) (inbox.Message, bool, error) {
	p, ok, err := parseMaildirFile(a.maildir, f)
	var skip *SkipError
	if errors.As(err, &skip) {
		return inbox.Message{}, false, nil // never a mail: not waited on, not retried
	}
	if !ok || err != nil {
		return inbox.Message{}, ok, err
	}
	return a.toMessage(p, time.Unix(f.secs, 0)), true, nil
}

// parseMaildirFile reads one file of the Maildir dir, looking for it again by its base
// name if it moved since the listing; ok is false when it was deleted meanwhile. A file
// that is not a regular one, or a link out of the Maildir, is a *SkipError.
func parseMaildirFile(dir string, f mdFile) (p *parsed, ok bool, err error) {
	fh, err := openMailFile(dir, f.path)
	if errors.Is(err, fs.ErrNotExist) {
		if moved := relocate(dir, f.base); moved != "" {
			fh, err = openMailFile(dir, moved)
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer fh.Close()
	return parse(fh), true, nil
}

// listMaildir lists the message files of new/ and cur/ (tmp/ holds deliveries still
// being written).
func listMaildir(dir string) ([]mdFile, error) {
	return listFolders(dir, "new", "cur")
}

// listFolders lists the message files of the named subfolders of dir.
func listFolders(dir string, subs ...string) ([]mdFile, error) {
	var files []mdFile
	for _, sub := range subs {
		if err := insideMaildir(dir, sub); err != nil {
			return nil, err
		}
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			f := mdFile{path: filepath.Join(dir, sub, e.Name()), base: baseName(e.Name())}
			if secs, ok := leadingSeconds(f.base); ok {
				f.secs = secs
			} else if info, err := e.Info(); err == nil {
				f.secs = info.ModTime().Unix()
			}
			files = append(files, f)
		}
	}
	return files, nil
}

// relocate finds the file with that base name in new/ or cur/, or "".
func relocate(dir, base string) string {
	for _, sub := range []string{"cur", "new"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if baseName(e.Name()) == base {
				return filepath.Join(dir, sub, e.Name())
			}
		}
	}
	return ""
}

// baseName drops the ":2,FLAGS" info part of a Maildir file name.
func baseName(name string) string {
	base, _, _ := strings.Cut(name, ":")
	return base
}

// leadingSeconds reads the delivery time that starts a standard Maildir name
// ("1732500000.M1P2.host").
func leadingSeconds(base string) (int64, bool) {
	end := strings.IndexFunc(base, func(r rune) bool { return r < '0' || r > '9' })
	if end == -1 {
		end = len(base)
	}
	if end == 0 {
		return 0, false
	}
	secs, err := strconv.ParseInt(base[:end], 10, 64)
	return secs, err == nil
}

func maildirCursor(f mdFile) string {
	return fmt.Sprintf("%s%d:%s", maildirPrefix, f.secs, f.base)
}

// parseMaildirCursor reads "maildir:SECS:BASE"; anything else means start over.
func parseMaildirCursor(s string) (mdFile, bool) {
	rest, ok := strings.CutPrefix(s, maildirPrefix)
	if !ok {
		return mdFile{}, false
	}
	secs, base, ok := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil || base == "" {
		return mdFile{}, false
	}
	return mdFile{secs: n, base: base}, true
}
