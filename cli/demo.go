package cli

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

// demo is `triage demo [--reset]`: seed the demo inbox, by default at
// $XDG_DATA_HOME/triage/demo.db, the first time; after that it is kept as the person left
// it, unless --reset seeds it afresh.
func (e *cliEnv) demo(ctx context.Context, args []string) error {
	fs := e.flags("demo")
	seed := fs.Int64("seed", defaultSeed, "seed; the same seed gives the same inbox")
	reset := fs.Bool("reset", false, "seed the demo inbox afresh, throwing away what was done in it")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("demo takes no arguments, got %q", rest[0])}
	}
	path := filepath.Join(dataDir(), "demo.db")
	open := "triage --demo"
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			path, open = e.dbPath, "triage --demo --db "+dbArg(e.dbPath)
		}
	})
	if !*reset {
		kept, err := e.ensureDemo(ctx, path, *seed)
		if err != nil {
			return err
		}
		if kept {
			fmt.Fprintf(e.stdout, "the demo inbox at %s is kept as it was left; triage demo --reset seeds it afresh\nopen it with: %s\n", shownDB(path), open)
			return nil
		}
	} else if err := e.seedDemo(ctx, path, *seed); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo inbox seeded at %s (seed %d)\nopen it with: %s\n", shownDB(path), *seed, open)
	return nil
}

// ensureDemo makes sure there is a demo inbox at path: one already there is kept as it is
// (kept is true); else it is seeded. A database that holds anything but a demo is refused
// and left exactly as it was. A PostgreSQL URL always names a database that is there (or
// the open says why not): it is looked into, as a file that exists.
func (e *cliEnv) ensureDemo(ctx context.Context, path string, seed int64) (kept bool, err error) {
	if dbThere(path) {
		isDemo, err := isDemoDB(ctx, path)
		if err != nil {
			return false, err
		}
		if isDemo {
			return true, nil
		}
	}
	return false, e.seedDemo(ctx, path, seed)
}

// isDemoDB says whether the database at path is a demo inbox.
func isDemoDB(ctx context.Context, path string) (bool, error) {
	db, err := store.Open(ctx, path)
	if err != nil {
		return false, err
	}
	defer db.Close()
	seed, err := db.Meta(ctx, "demo_seed")
	return seed != "", err
}

// seedDemo (re)creates a demo database at path. A database that holds anything but a
// demo is refused and left exactly as it was. A file is replaced; a PostgreSQL database
// is not triage's to drop, so a demo there is emptied table by table (triage's tables
// alone) and seeded again.
func (e *cliEnv) seedDemo(ctx context.Context, path string, seed int64) error {
	if store.IsPostgresURL(path) {
		isDemo, err := refuseNonDemo(ctx, path)
		if err != nil {
			return err
		}
		if isDemo {
			if err := emptyDemo(ctx, path); err != nil {
				return err
			}
		}
	} else if _, err := os.Stat(path); err == nil {
		if _, err := refuseNonDemo(ctx, path); err != nil {
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

// emptyDemo empties the PostgreSQL demo inbox at path, which refuseNonDemo checked.
func emptyDemo(ctx context.Context, path string) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Empty(ctx)
}

// refuseNonDemo refuses a database that holds messages and is not a demo; isDemo says
// whether it is one.
func refuseNonDemo(ctx context.Context, path string) (isDemo bool, err error) {
	db, err := store.Open(ctx, path)
	if err != nil {
		return false, fmt.Errorf("%w; triage demo will not overwrite it", err)
	}
	defer db.Close()
	seed, err := db.Meta(ctx, "demo_seed")
	if err != nil {
		return false, err
	}
	n, err := db.MessageCount(ctx)
	if err != nil {
		return false, err
	}
	if seed == "" && n > 0 {
		return false, fmt.Errorf("%s is not a demo database (it holds %d messages); triage demo will not overwrite it", shownDB(path), n)
	}
	return seed != "", nil
}

// dbThere says whether there is a database at path to look into: a file that exists, or
// any PostgreSQL URL (the server says, when it is opened, if there is none).
func dbThere(path string) bool {
	if store.IsPostgresURL(path) {
		return true
	}
	_, err := os.Stat(path)
	return err == nil
}
