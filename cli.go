package main

import (
	"context"
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
	configWarned   bool             // the config's mode was warned about (once per command)
}

// flags makes a flag set with the flags every subcommand takes.
func (e *cliEnv) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.dbPath, "db", os.Getenv("TRIAGE_DB"), "database `path` (default $XDG_DATA_HOME/triage/triage.db; env TRIAGE_DB)")
	fs.StringVar(&e.configPath, "config", os.Getenv("TRIAGE_CONFIG"), "config `path` (default $XDG_CONFIG_HOME/triage/config.toml; env TRIAGE_CONFIG)")
	return fs
}

// parse reads flags wherever they stand among the arguments, so both
// `triage import --dry-run a.jsonl` and `triage import a.jsonl --dry-run` work.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
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

// openWith opens the database at path and the inbox over it. With cfg nil the config is
// --config's, else the demo brand's for a demo database, else the user's.
func (e *cliEnv) openWith(ctx context.Context, path string, cfg *inbox.Config) (*inbox.Service, func(), error) {
	db, err := store.OpenWith(ctx, path, store.Options{Upgrading: func(from, to int) {
		fmt.Fprintf(e.stderr, "triage: updating %s for this version of triage (schema %d to %d); a large inbox takes a while, about 20 s at a million messages\n", path, from, to)
	}})
	if err != nil {
		return nil, nil, err
	}
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
