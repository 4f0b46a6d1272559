package email

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// ErrNotMaildir is returned by ReadMaildir for a folder with neither cur/ nor new/ in it.
var ErrNotMaildir = errors.New("not a Maildir (no cur/ or new/ folder in it)")

// IsMaildir reports whether dir is a Maildir: a folder with cur/ or new/ in it.
func IsMaildir(dir string) bool { return len(maildirFolders(dir)) > 0 }

// maildirFolders lists which of new/ and cur/ dir has.
func maildirFolders(dir string) []string {
	var subs []string
	for _, sub := range []string{"new", "cur"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			subs = append(subs, sub)
		}
	}
	return subs
}

// ReadMaildir reads every message of the Maildir dir as `triage sync` reads an account
// whose maildir it is: the files of new/ and cur/ (not tmp/) in delivery order, with the
// same ids, conversations and times, so importing a mailbox and then syncing it stores
// each message once. Mail from any of addresses is the brand's own (direction out); the
// first of them names the account, as an account's address does. With no address the
// folder's name does, and every message is inbound.
//
// fn gets each file's path with its message, or with the error that makes the file no
// email at all (then the message is empty); a file deleted meanwhile is skipped. An error
// of fn stops the reading and is returned.
func ReadMaildir(ctx context.Context, dir string, addresses []string, fn func(path string, m inbox.Message, err error) error) error {
	subs := maildirFolders(dir)
	if len(subs) == 0 {
		return fmt.Errorf("%s: %w", dir, ErrNotMaildir)
	}
	files, err := listFolders(dir, subs...)
	if err != nil {
		return fmt.Errorf("read Maildir %s: %w", dir, err)
	}
	slices.SortFunc(files, mdFile.compare)
	a := &Adapter{maildir: dir, now: time.Now}
	account := filepath.Base(dir)
	if len(addresses) > 0 {
		a.address, a.also = strings.ToLower(addresses[0]), addresses[1:]
		account = a.address
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, ok, err := parseMaildirFile(dir, f)
		var m inbox.Message
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe):
			err = pe.Err // the path is said once, by the caller
		case err != nil:
		case !ok:
			continue
		case p.notMail != nil:
			err = fmt.Errorf("not an email: %w", p.notMail)
		default:
			m = a.toMessage(p, time.Unix(f.secs, 0))
			m.Account = account
		}
		if err := fn(f.path, m, err); err != nil {
			return err
		}
	}
	return nil
}
