package ui

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// Options are what main hands the UI besides the inbox.
type Options struct {
	Keys  map[string]any // [keys] of config.toml
	Theme string         // "light", "dark", or "" / "auto" to ask the terminal
	// Sync, when set, runs the sync engine for as long as the UI is open; it reports each
	// account's state through notify, which the footer shows.
	Sync func(ctx context.Context, notify func([]inbox.SyncState)) error
	// Moderation, when set, lets the m key act on channels that allow it.
	Moderation Moderation
	// AccountNames are the config's names of the accounts, by channel and handle (as
	// messages name them: "17841400000000001" is "instagram"), shown instead of ids.
	AccountNames map[AccountKey]string
	Log          *slog.Logger // where errors go; never the terminal while the UI runs
}

// Run shows the terminal UI on the inbox until the person quits.
func Run(ctx context.Context, svc *inbox.Service, opts Options) error {
	keys := DefaultKeyMap()
	if err := keys.Remap(opts.Keys); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	logger := opts.Log
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var fixed bool
	dark := true
	switch opts.Theme {
	case "", "auto":
	case "light", "dark":
		fixed, dark = true, opts.Theme == "dark"
	default:
		return fmt.Errorf("config: ui.theme %q: want auto, light or dark", opts.Theme)
	}
	c := &Common{Ctx: ctx, Inbox: svc, Styles: NewStyles(dark), FixedTheme: fixed, Mod: opts.Moderation, AccountNames: opts.AccountNames, Keys: keys, Now: svc.Now, Log: logger, Tick: tickEvery, Width: 80, Height: 24}
	// One person, but live all the same: a sync, a serve or an import in another process
	// shows within a second (presence_live.go).
	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	c.Session = joinHub(liveCtx, RunHub(liveCtx, svc, logger), svc.Agent())
	p := tea.NewProgram(New(c), tea.WithContext(ctx))
	if opts.Sync != nil {
		syncCtx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			err := opts.Sync(syncCtx, func(states []inbox.SyncState) { p.Send(syncMsg{States: states}) })
			if err != nil && syncCtx.Err() == nil {
				logger.Error("sync stopped", "err", err)
				p.Send(statusMsg{Err: fmt.Errorf("sync stopped: %w", err)})
			}
		}()
	}
	start := time.Now()
	_, err := p.Run()
	logger.Info("ui closed", "after", time.Since(start).Round(time.Second).String(), "err", err)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("terminal UI: %w", err)
	}
	return nil
}
