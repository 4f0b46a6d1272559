package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
	"github.com/triage-inbox/triage/ui"
)

// cliEnv is what every subcommand shares: its streams and the common flags.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dbPath         string
	configPath     string
	now            func() time.Time // nil means time.Now
	terminal       func() bool      // whether stderr is a terminal; nil means ask the system
	configWarned   bool             // the config's mode was warned about (once per command)
	version        string           // what a release build set (main.version), or ""
}

// flags makes a flag set with the flags every subcommand takes. Its usage is the
// command's line of the synopsis, then its flags.
func (e *cliEnv) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.dbPath, "db", os.Getenv("TRIAGE_DB"), "database: a SQLite file `path` or a postgres:// URL (default $XDG_DATA_HOME/triage/triage.db; env TRIAGE_DB)")
	fs.StringVar(&e.configPath, "config", os.Getenv("TRIAGE_CONFIG"), "config `path` (default $XDG_CONFIG_HOME/triage/config.toml; env TRIAGE_CONFIG)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\n", synopsis(name))
		fs.PrintDefaults()
	}
	return fs
}

// synopsis is the line of the usage text that shows how to call a command.
func synopsis(name string) string {
	for _, line := range strings.Split(usage, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "triage" && f[1] == name {
			return strings.TrimSpace(line)
		}
	}
	return "triage " + name
}

// parse reads flags wherever they stand among the arguments, so both
// `triage import --dry-run a.jsonl` and `triage import a.jsonl --dry-run` work. Asked for
// with -h or --help, the usage goes to standard output (it is what was asked for, and
// `triage stats --help | less` should work); beside a mistake it goes to standard error.
func (e *cliEnv) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	out := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	defer fs.SetOutput(out)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				e.stdout.Write(buf.Bytes())
				return nil, err
			}
			out.Write(buf.Bytes())
			return nil, &exitError{2, err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// stderrTerminal says whether the command's standard error is a terminal, where an import
// may draw its progress.
func (e *cliEnv) stderrTerminal() bool {
	if e.terminal != nil {
		return e.terminal()
	}
	return stderrIsTerminal(e.stderr)
}

func (e *cliEnv) clock() time.Time {
	if e.now != nil {
		return e.now()
	}
	return time.Now()
}

// dataDir is $XDG_DATA_HOME/triage (or ~/.local/share/triage).
func dataDir() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "triage")
}

func (e *cliEnv) databasePath() string {
	if e.dbPath != "" {
		return e.dbPath
	}
	return filepath.Join(dataDir(), "triage.db")
}

func (e *cliEnv) loadConfig() (*inbox.Config, error) {
	path := e.configPath
	if path == "" {
		path = inbox.DefaultConfigPath()
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	e.warnConfigMode(path)
	return inbox.LoadConfig(path, ui.CheckConfig)
}

// openInbox opens the database and the inbox over it with the right config.
func (e *cliEnv) openInbox(ctx context.Context) (*inbox.Service, func(), error) {
	return e.openWith(ctx, e.databasePath(), nil)
}

// openExisting opens the database for a command that only reads it (stats, export): a
// path where there is no database is an error naming it, and nothing is created there —
// no file, no folder, no -wal or -shm — so a mistyped --db cannot leave an empty inbox
// behind that a later command would take for the real one. A PostgreSQL database
// without triage's tables is refused the same way (checkURLHasInbox).
func (e *cliEnv) openExisting(ctx context.Context) (*inbox.Service, func(), error) {
	path := e.databasePath()
	if store.IsPostgresURL(path) {
		if err := checkURLHasInbox(ctx, path); err != nil {
			return nil, nil, err
		}
	} else if err := existingFile(path); err != nil {
		return nil, nil, err
	}
	svc, closeDB, err := e.openWith(ctx, path, nil)
	if err == nil {
		return svc, closeDB, nil
	}
	// A full disk (SQLite cannot grow the -shm file) or a file system that cannot be
	// written: reading needs neither, so read the database as it is.
	db, rerr := store.OpenReadOnly(ctx, path)
	if rerr != nil {
		return nil, nil, err
	}
	return e.serviceOver(ctx, db, nil)
}

// existingFile says why there is no SQLite database at path, or nil when there is one.
func existingFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("no database at %s (check --db or TRIAGE_DB; triage import, sync or demo make one)", path)
	case err != nil:
		return fmt.Errorf("open database %s: %w", path, err)
	case fi.IsDir():
		return fmt.Errorf("open database %s: it is a folder, not a database file", path)
	}
	return nil
}

// openWith opens the database at path and the inbox over it. With cfg nil the config is
// --config's, else the demo brand's for a demo database, else the user's.
func (e *cliEnv) openWith(ctx context.Context, path string, cfg *inbox.Config) (*inbox.Service, func(), error) {
	db, err := store.OpenWith(ctx, path, store.Options{Upgrading: func(from, to int) {
		fmt.Fprintf(e.stderr, "triage: updating %s for this version of triage (schema %d to %d); a large inbox takes a while, a minute or more at a million messages\n", shownDB(path), from, to)
	}})
	if err != nil {
		return nil, nil, err
	}
	return e.serviceOver(ctx, db, cfg)
}

// serviceOver is the inbox over an open database; it closes db when it fails.
func (e *cliEnv) serviceOver(ctx context.Context, db *store.DB, cfg *inbox.Config) (*inbox.Service, func(), error) {
	var err error
	if cfg == nil {
		cfg, err = e.configFor(ctx, db)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	var opts []inbox.Option
	if e.now != nil {
		opts = append(opts, inbox.WithClock(e.now))
	}
	svc, err := inbox.New(ctx, db, cfg, opts...)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, func() { db.Close() }, nil
}

// configFor picks the config for a database: --config when given; the demo brand's for a
// demo database, so its figures match what the demo was built with, with the person's own
// [ui] and [keys] (their terminal and their fingers are theirs in the demo too); else the
// user's.
func (e *cliEnv) configFor(ctx context.Context, db *store.DB) (*inbox.Config, error) {
	if e.configPath == "" {
		seed, err := db.Meta(ctx, "demo_seed")
		if err != nil {
			return nil, err
		}
		if seed != "" {
			cfg, err := inbox.ParseConfig("demo config", demo.ConfigTOML())
			if err != nil {
				return nil, err
			}
			user, err := e.loadConfig()
			if err != nil {
				return nil, err
			}
			if len(user.UI) > 0 {
				cfg.UI = user.UI
			}
			if len(user.Keys) > 0 {
				cfg.Keys = user.Keys
			}
			return cfg, nil
		}
	}
	return e.loadConfig()
}

// parseTime reads --since/--until: a span back from now ("7d", "12h"), an RFC 3339
// time, or a date (midnight UTC).
func parseTime(flagName, v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if d, err := inbox.ParseSpan(v); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, &exitError{2, fmt.Errorf("--%s %q: want a span back from now (7d, 12h), an RFC 3339 time or a date (2026-11-20)", flagName, v)}
}
