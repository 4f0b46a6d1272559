package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// defaultSeed makes every newcomer's demo the same inbox.
const defaultSeed = 1

// demo is `triage demo`: seed a demo inbox, by default at $XDG_DATA_HOME/triage/demo.db.
func (e *cliEnv) demo(ctx context.Context, args []string) error {
	fs := e.flags("demo")
	seed := fs.Int64("seed", defaultSeed, "seed; the same seed gives the same inbox")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("demo takes no arguments, got %q", rest[0])}
	}
	path := filepath.Join(dataDir(), "demo.db")
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			path = e.dbPath
		}
	})
	if err := e.seedDemo(ctx, path, *seed); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo inbox seeded at %s (seed %d)\nopen it with: triage --db %s\n", path, *seed, path)
	return nil
}

// seedDemo (re)creates a demo database at path. A database that holds anything but a
// demo is refused and left exactly as it was.
func (e *cliEnv) seedDemo(ctx context.Context, path string, seed int64) error {
	if _, err := os.Stat(path); err == nil {
		if err := refuseNonDemo(ctx, path); err != nil {
			return err
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("replace demo database %s: %w", path, err)
			}
		}
	}
	cfg, err := inbox.ParseConfig("demo config", demo.ConfigTOML())
	if err != nil {
		return err
	}
	svc, closeDB, err := e.openWith(ctx, path, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	if _, err := demo.Seed(ctx, svc, seed, e.clock()); err != nil {
		return fmt.Errorf("seed demo inbox: %w", err)
	}
	return nil
}

func refuseNonDemo(ctx context.Context, path string) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("%w; triage demo will not overwrite it", err)
	}
	defer db.Close()
	seed, err := db.Meta(ctx, "demo_seed")
	if err != nil {
		return err
	}
	n, err := db.MessageCount(ctx)
	if err != nil {
		return err
	}
	if seed == "" && n > 0 {
		return fmt.Errorf("%s is not a demo database (it holds %d messages); triage demo will not overwrite it", path, n)
	}
	return nil
}
