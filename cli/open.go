package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/escalate"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/ui"
)

// open is `triage` with no subcommand: the terminal UI.
func (e *cliEnv) open(ctx context.Context, args []string) error {
	fs := e.flags("triage")
	demoFlag := fs.Bool("demo", false, "open the demo inbox, kept apart from the real one: seeded the first time, then as you left it\n(triage demo --reset seeds it afresh)")
	versionFlag := fs.Bool("version", false, "print which triage this is and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage+"\nflags of triage itself:\n")
		fs.PrintDefaults()
	}
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if *versionFlag {
		return e.printVersion()
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("unknown command %q (see triage help)", rest[0])}
	}
	path := e.databasePath()
	if *demoFlag {
		path = filepath.Join(dataDir(), "demo.db")
		if e.dbPath != "" {
			path = e.dbPath
		}
		if _, err := e.ensureDemo(ctx, path, defaultSeed); err != nil {
			return err
		}
	}
	svc, closeDB, err := e.openWith(ctx, path, nil)
	if err != nil {
		return err
	}
	defer closeDB()
	logger, closeLog, err := openLog()
	if err != nil {
		return err
	}
	defer closeLog()
	logger.Info("ui opened", "db", shownDB(path)) // a URL may carry a password
	theme, _ := svc.Config().UI["theme"].(string)
	opts := ui.Options{Keys: svc.Config().Keys, Theme: theme, Log: logger}
	accts, err := configuredAccounts(ctx, svc.Config())
	if err != nil {
		return err
	}
	// The demo never reaches a real customer service: its escalations stay in triage.
	var dest escalate.Destination
	if *demoFlag {
		accts = demoAccounts(defaultSeed, svc.Now)
	} else if dest, err = escalate.New(ctx, svc.Config().Escalation); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if mod := newModeration(accts); mod != nil {
		opts.Moderation = mod
	}
	opts.AccountNames = map[ui.AccountKey]string{}
	for _, a := range accts {
		opts.AccountNames[ui.AccountKey{Channel: a.Channel, Handle: a.Handle}] = a.Name
	}
	if len(accts) == 0 && dest == nil {
		return ui.Run(ctx, svc, opts)
	}
	opts.Sync = func(ctx context.Context, notify func([]inbox.SyncState)) error {
		return engine.New(svc, accts, engine.Options{Log: logger, Notify: notify, Destination: dest}).Run(ctx)
	}
	if err := ui.Run(ctx, svc, opts); err != nil {
		return err
	}
	return e.sendBeforeLeaving(ctx, svc, engine.New(svc, accts, engine.Options{Log: logger, Destination: dest}))
}

// leavingSendLimit bounds how long quitting waits for the replies sent just before it.
const leavingSendLimit = 30 * time.Second

// sendBeforeLeaving sends the replies still in their undo window when the person quits:
// they pressed send, and nobody is left to undo them. Whatever cannot be sent in time
// stays in the outbox for the next sync, and the terminal says so.
func (e *cliEnv) sendBeforeLeaving(ctx context.Context, svc *inbox.Service, eng *engine.Engine) error {
	n, err := svc.EndUndoWindows(ctx)
	if err != nil || n == 0 {
		return err
	}
	fmt.Fprintf(e.stderr, "sending %d %s before closing…\n", n, pluralWord(n, "reply", "replies"))
	ctx, cancel := context.WithTimeout(ctx, leavingSendLimit)
	defer cancel()
	if err := eng.SendOutbox(ctx); err != nil {
		fmt.Fprintf(e.stderr, "not all sent (%v); the rest leaves with the next triage sync\n", err)
	}
	return nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// openLog opens the log file, $XDG_STATE_HOME/triage/triage.log (0600, folder 0700): the
// UI owns the terminal, so nothing may be printed there while it runs.
func openLog() (*slog.Logger, func(), error) {
	dir, err := adapters.StateDir()
	if err != nil {
		return nil, nil, fmt.Errorf("log folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("log folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "triage.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
}
