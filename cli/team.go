package cli

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"slices"
	"syscall"

	tea "charm.land/bubbletea/v2"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/cli/team"
	"github.com/triage-inbox/triage/ui"
)

// defaultTeamListen is where `triage team` serves SSH without --listen: this machine
// only; a team reaching it from elsewhere says so with --listen.
const defaultTeamListen = "127.0.0.1:2222"

// teamIdleConnections is how many database connections triage team keeps open between
// bursts of reads (see store.DB.KeepConnections): about one per screen reading at once
// on a busy server of fifty.
const teamIdleConnections = 32

// teamCmd is `triage team --listen ADDR [--authorized-keys FILE] [--host-key FILE]`: the
// terminal UI served over SSH to every agent in the team file, each session acting as
// the agent its verified key names, all on one inbox, with one sync engine and one hub
// of live changes and presence for the process.
func (e *cliEnv) teamCmd(ctx context.Context, args []string) error {
	ctx, stopSignals := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stopSignals()
	fs := e.flags("team")
	listen := fs.String("listen", defaultTeamListen, "`address` to serve SSH on")
	keys := fs.String("authorized-keys", "", "the team `file`: authorized_keys lines with agent= and role= (default $XDG_CONFIG_HOME/triage/team_keys)")
	hostKey := fs.String("host-key", "", "the server's SSH host key `file`, created on first start (default $XDG_DATA_HOME/triage/team_host_ed25519)")
	demoFlag := fs.Bool("demo", false, "try it alone: serve the demo inbox on this machine to your own SSH keys (~/.ssh/*.pub, ssh-agent), as an admin named $USER;\nno team file needed or touched")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("team takes no arguments, got %q", rest[0])}
	}
	var demo *demoTeam
	if *demoFlag {
		if demo, err = e.startDemoTeam(ctx, *listen, *keys); err != nil {
			return err
		}
		defer demo.remove()
		*keys = demo.file
	}
	svc, closeDB, err := e.openWith(ctx, e.teamDatabase(demo), nil)
	if err != nil {
		return err
	}
	defer closeDB()
	logger, closeLog, err := openLog()
	if err != nil {
		return err
	}
	defer closeLog()
	cfg := svc.Config()
	accts, err := configuredAccounts(ctx, cfg)
	if err != nil {
		return err
	}
	if demo != nil {
		accts = demoAccounts(defaultSeed, svc.Now) // as triage --demo: invented, never a real service
		// The newcomer is one of the demo's agents, so that a, enter takes a conversation
		// as it would in their team (the picker lists config's agents).
		if !slices.Contains(cfg.Agents, demo.agent) {
			cfg.Agents = append(cfg.Agents, demo.agent)
		}
	}
	names := map[ui.AccountKey]string{}
	for _, a := range accts {
		names[ui.AccountKey{Channel: a.Channel, Handle: a.Handle}] = a.Name
	}
	var mod ui.Moderation
	if m := newModeration(accts); m != nil {
		mod = m
	}
	svc.DB().KeepConnections(teamIdleConnections)
	hub := ui.RunHub(ctx, svc, logger)
	if len(accts) > 0 {
		go func() {
			if err := engine.New(svc, accts, engine.Options{Log: logger}).Run(ctx); err != nil && ctx.Err() == nil {
				logger.Error("sync stopped", "err", err)
			}
		}()
	}
	hostTheme, _ := cfg.UI["theme"].(string)
	s, err := team.Listen(team.Options{
		Listen: *listen, AuthorizedKeys: *keys, HostKey: *hostKey, Log: logger,
		NewProgram: func(sess *team.Session) (tea.Model, []tea.ProgramOption, error) {
			theme := sess.Theme // the team file's theme= for this agent, else the host's [ui] theme
			if theme == "" {
				theme = hostTheme
			}
			m, err := ui.NewSession(sess.Context(), svc, ui.SessionOptions{
				Agent: sess.Agent, Role: sess.Role, Theme: theme, Keys: cfg.Keys,
				Moderation: mod, AccountNames: names, Hub: hub,
				Log: logger.With("agent", sess.Agent),
			})
			return m, nil, err
		},
	})
	if err != nil {
		return &exitError{2, err}
	}
	addr := s.Addr().(*net.TCPAddr)
	if demo != nil {
		demo.printTry(e.stdout, addr)
		return s.Serve(ctx)
	}
	fmt.Fprintf(e.stdout, "serving the inbox over SSH on %s; agents connect with: ssh -p %d %s; ctrl+c stops\n", addr, addr.Port, sshHost(addr))
	return s.Serve(ctx)
}

// sshHost is what to type after ssh -p PORT: the address served on, or this machine's
// name when serving on every address.
func sshHost(addr *net.TCPAddr) string {
	if addr.IP.IsUnspecified() {
		return "HOST"
	}
	return addr.IP.String()
}
