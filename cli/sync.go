package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/appstore"
	"github.com/triage-inbox/triage/adapters/bluesky"
	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/adapters/email"
	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/escalate"
	"github.com/triage-inbox/triage/adapters/facebook"
	"github.com/triage-inbox/triage/adapters/googleplay"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/mastodon"
	"github.com/triage-inbox/triage/adapters/telegram"
	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/adapters/whatsapp"
	"github.com/triage-inbox/triage/adapters/x"
	"github.com/triage-inbox/triage/adapters/youtube"
	"github.com/triage-inbox/triage/inbox"
)

// channelAdapters maps a channel name in [[account]] to the adapter that speaks it.
var channelAdapters = map[string]adapters.Constructor{
	"webhook":   webhook.NewOutgoing,
	"mastodon":  mastodon.New,
	"email":     email.New,
	"bluesky":   bluesky.New,
	"instagram": instagram.New,
	"facebook":  facebook.New,
	"whatsapp":  whatsapp.New,
	"telegram":  telegram.New,
	"youtube":   youtube.New,
	"x":         x.New,

	// The reviews of an app in its store, answered by the developer.
	"googleplay": googleplay.New,
	"appstore":   appstore.New,
}

// syncCmd is `triage sync [--once]`: fetch every account and send the outbox (replies, and
// escalations to the [escalation] destination), in the foreground until ctrl+c, or once.
func (e *cliEnv) syncCmd(ctx context.Context, args []string) error {
	fs := e.flags("sync")
	once := fs.Bool("once", false, "fetch and send once, then exit (non-zero if any account failed)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("sync takes no arguments, got %q", rest[0])}
	}
	svc, closeDB, err := e.openInbox(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	accts, err := configuredAccounts(ctx, svc.Config())
	if err != nil {
		return err
	}
	dest, err := escalate.New(ctx, svc.Config().Escalation)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if len(accts) == 0 && dest == nil {
		return &exitError{2, errors.New("no [[account]] in config: add one (see README, Channels) or use triage import")}
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	eng := engine.New(svc, accts, engine.Options{Log: logger, Destination: dest})
	if *once {
		err := eng.Once(ctx)
		for _, s := range eng.States() {
			line := fmt.Sprintf("%-16s %-9s %s, %d new", s.Account, s.Channel, s.Status, s.New)
			if s.Account == engine.CustomerService { // it receives escalations; nothing is new there
				line = fmt.Sprintf("%-16s %-9s %s", s.Account, s.Channel, s.Status)
			}
			if s.Err != "" {
				line += ": " + s.Err
			}
			fmt.Fprintln(e.stdout, line)
		}
		if err != nil {
			return &exitError{1, fmt.Errorf("sync: %w", err)}
		}
		return nil
	}
	if dest != nil {
		fmt.Fprintf(e.stdout, "syncing %d accounts, escalations to %s; ctrl+c stops\n", len(accts), svc.Config().Escalation.Destination)
	} else {
		fmt.Fprintf(e.stdout, "syncing %d accounts; ctrl+c stops\n", len(accts))
	}
	return eng.Run(ctx)
}

// configuredAccounts builds an engine account for every [[account]] of config.
func configuredAccounts(ctx context.Context, cfg *inbox.Config) ([]engine.Account, error) {
	var out []engine.Account
	for i, t := range cfg.Account {
		a, err := adapters.NewAccount(i, t)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		channel := inbox.NormalizeChannel(a.Channel)
		ctor, ok := channelAdapters[channel]
		if !ok {
			return nil, fmt.Errorf("config: account %q: no adapter for channel %q (known: %s)", a.Name, a.Channel, knownChannels())
		}
		handle, err := a.String("address", "")
		if err == nil && handle == "" {
			handle, err = a.String("handle", a.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		poll, err := a.Duration("poll", time.Minute)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		remembered := rememberedHandle(a, channel)
		if remembered != "" {
			a = a.With("handle", remembered) // asked of the channel before (handle_cache.go)
		}
		ad, err := ctor(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		// An adapter that learns its own handle from the channel (Mastodon without a
		// configured handle) names the account as its messages will.
		if h, ok := ad.(interface{ Handle() string }); ok && h.Handle() != "" {
			handle = h.Handle()
			if asksHandle[channel] && remembered == "" && handle != a.Name {
				if configured, _ := a.String("handle", ""); configured == "" {
					rememberHandle(a.Name, handle)
				}
			}
		}
		out = append(out, engine.Account{Name: a.Name, Channel: channel, Handle: handle, Poll: poll, Adapter: ad})
		// A relay (a webhook account) may answer for messages it posts under other
		// channels' names: channels = ["whatsapp", "instagram"].
		also, err := stringList(a, "channels")
		if err != nil {
			return nil, err
		}
		for _, ch := range also {
			out = append(out, engine.Account{Name: a.Name + " (" + ch + ")", Channel: inbox.NormalizeChannel(ch), Handle: handle,
				Poll: time.Hour, Adapter: adapters.SendOnly(ad)})
		}
	}
	return out, nil
}

func knownChannels() string {
	var names []string
	for n := range channelAdapters {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none yet"
	}
	return strings.Join(names, ", ")
}

// demoAccounts are the demo's simulated live channel: one account drips new messages,
// and one per channel accepts replies.
func demoAccounts(seed int64, now func() time.Time) []engine.Account {
	live := demo.NewLive(seed, now(), 6*time.Second, now)
	accts := []engine.Account{{Name: "demo live", Channel: "demo", Handle: "live", Poll: 3 * time.Second, Adapter: live}}
	for _, ch := range demo.Channels {
		accts = append(accts, engine.Account{Name: "demo " + ch, Channel: ch, Handle: "", Poll: time.Hour, Adapter: adapters.SendOnly(live)})
	}
	return accts
}

// stringList reads an optional list of strings from an account table.
func stringList(a adapters.Account, key string) ([]string, error) {
	v, ok := a.Keys[key]
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("config: account %q: %s: want a list of names", a.Name, key)
	}
	var out []string
	for _, e := range list {
		s, ok := e.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("config: account %q: %s: want a list of names", a.Name, key)
		}
		out = append(out, s)
	}
	return out, nil
}
