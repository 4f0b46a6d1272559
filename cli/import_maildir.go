package cli

import (
	"context"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/email"
	"github.com/triage-inbox/triage/inbox"
)

// importSource is one argument of `triage import`: a JSON Lines file ("-" for standard
// input) or a Maildir folder.
type importSource struct {
	name      string
	maildir   bool
	addresses []string // a Maildir's own addresses: mail from them is outbound
}

type importSourceList []importSource

// importSources sorts the arguments into JSON Lines files and Maildir folders before
// anything is read, so a folder that is no Maildir stops the import before it starts. A
// name that cannot be looked at is left to be a file, to fail when it is opened.
func importSources(names []string) (importSourceList, error) {
	var out importSourceList
	for _, name := range names {
		src := importSource{name: name}
		if fi, err := os.Stat(name); name != "-" && err == nil && fi.IsDir() {
			if !email.IsMaildir(name) {
				return nil, &exitError{1, fmt.Errorf("import: %s: %w", name, email.ErrNotMaildir)}
			}
			src.maildir = true
		}
		out = append(out, src)
	}
	return out, nil
}

// firstJSONL is the first JSON Lines argument, beside which rejected lines are written.
func (l importSourceList) firstJSONL() string {
	for _, src := range l {
		if !src.maildir {
			return src.name
		}
	}
	return "-"
}

// resolveAddresses gives every Maildir its own addresses: the --address list as given;
// else the address of every email [[account]], the account whose maildir it is first, so
// its messages name the account that `triage sync` would name.
func (l importSourceList) resolveAddresses(cfg *inbox.Config, flagged []string) error {
	if !slices.ContainsFunc(l, func(s importSource) bool { return s.maildir }) {
		return nil
	}
	var accounts []emailAccount
	if len(flagged) == 0 {
		var err error
		if accounts, err = emailAccounts(cfg); err != nil {
			return err
		}
	}
	for i, src := range l {
		if !src.maildir {
			continue
		}
		if len(flagged) > 0 {
			l[i].addresses = flagged
			continue
		}
		for _, a := range accounts {
			if a.maildir != "" && sameFile(a.maildir, src.name) {
				l[i].addresses = append(l[i].addresses, a.address)
			}
		}
		for _, a := range accounts {
			if !slices.Contains(l[i].addresses, a.address) {
				l[i].addresses = append(l[i].addresses, a.address)
			}
		}
	}
	return nil
}

// emailAccount is what an import needs of an email [[account]].
type emailAccount struct{ address, maildir string }

// emailAccounts reads the address and maildir of every email [[account]] in config. It
// does not build the adapters: an import needs no server and no password.
func emailAccounts(cfg *inbox.Config) ([]emailAccount, error) {
	var out []emailAccount
	for i, t := range cfg.Account {
		a, err := adapters.NewAccount(i, t)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if inbox.NormalizeChannel(a.Channel) != email.Channel {
			continue
		}
		raw, err := a.String("address", "")
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		addr, err := plainAddress(raw)
		if err != nil {
			return nil, fmt.Errorf("config: account %q: address %w", a.Name, err)
		}
		dir, err := a.String("maildir", "")
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		out = append(out, emailAccount{address: addr, maildir: expandHome(strings.TrimSpace(dir))})
	}
	return out, nil
}

// sameFile reports whether two paths name the same folder, however they are spelled.
func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// expandHome turns a leading ~/ into the home folder, as the email adapter reads maildir.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// plainAddress checks an address the way an email account's address is checked (a plain
// address like support@acme.test, no display name) and lowercases it.
func plainAddress(s string) (string, error) {
	parsed, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || parsed.Name != "" || !strings.Contains(parsed.Address, "@") {
		return "", fmt.Errorf("%q is not a plain address like support@acme.test", s)
	}
	return strings.ToLower(parsed.Address), nil
}

// addressList is the --address flag: repeatable, and each value may list several
// addresses separated by commas.
type addressList []string

func (l *addressList) String() string { return strings.Join(*l, ",") }

func (l *addressList) Set(v string) error {
	for s := range strings.SplitSeq(v, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		addr, err := plainAddress(s)
		if err != nil {
			return err
		}
		*l = append(*l, addr)
	}
	return nil
}

// maildir reads one Maildir folder into the batch: the mail files are parsed by the email
// channel's own reader on a goroutine ahead of the writer, as JSON Lines are decoded. A
// file that is no email at all is an invalid input named by its path.
func (im *importer) maildir(ctx context.Context, svc *inbox.Service, src importSource) error {
	im.progress.maildir(src.name)
	defer im.progress.done()
	err := svc.PrepareMessages(ctx, func(yield func(int, inbox.Message, *inbox.LineError) error) error {
		return email.ReadMaildir(ctx, src.name, src.addresses, func(path string, m inbox.Message, err error) error {
			if err != nil {
				return yield(0, inbox.Message{}, &inbox.LineError{File: path, Err: err})
			}
			return yield(0, m, nil)
		})
	}, im.add(src.name))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}
