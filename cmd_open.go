package main

import (
	"context"
	"fmt"
	"path/filepath"
)

// open is `triage` with no subcommand: the terminal UI.
func (e *cliEnv) open(ctx context.Context, args []string) error {
	fs := e.flags("triage")
	demo := fs.Bool("demo", false, "open a freshly seeded demo inbox, kept apart from the real one")
	fs.Usage = func() { fmt.Fprint(e.stderr, usage) }
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("unknown command %q (see triage help)", rest[0])}
	}
	path := e.databasePath()
	if *demo {
		path = filepath.Join(dataDir(), "demo.db")
		if e.dbPath != "" {
			path = e.dbPath
		}
		if err := e.seedDemo(ctx, path, defaultSeed); err != nil {
			return err
		}
	}
	svc, closeDB, err := e.openWith(ctx, path, nil)
	if err != nil {
		return err
	}
	defer closeDB()
	n, _ := svc.DB().MessageCount(ctx)
	fmt.Fprintf(e.stdout, "triage: the terminal UI is not built yet. The inbox at %s holds %d messages;\n"+
		"use `triage stats`, `triage export` and `triage import` meanwhile.\n", path, n)
	return nil
}
