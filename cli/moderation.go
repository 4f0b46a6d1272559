package cli

import (
	"context"
	"fmt"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/engine"
)

// channelModeration lets the UI moderate through the configured accounts whose adapters
// allow it, offering only what each declares.
type channelModeration struct{ accts []engine.Account }

// newModeration returns nil when no account can moderate, so the UI offers no m key.
func newModeration(accts []engine.Account) *channelModeration {
	for _, a := range accts {
		if _, ok := a.Adapter.(adapters.Moderator); ok {
			return &channelModeration{accts: accts}
		}
	}
	return nil
}

func (m *channelModeration) find(channel, account string) (adapters.Adapter, adapters.Moderator) {
	var only adapters.Adapter
	n := 0
	for _, a := range m.accts {
		if a.Channel != channel {
			continue
		}
		if a.Handle == account {
			only, n = a.Adapter, 1
			break
		}
		only = a.Adapter
		n++
	}
	if n != 1 {
		return nil, nil
	}
	mod, _ := only.(adapters.Moderator)
	return only, mod
}

// Actions lists what the channel allows, in a fixed order.
func (m *channelModeration) Actions(channel, account string) []string {
	ad, mod := m.find(channel, account)
	if mod == nil {
		return nil
	}
	c := ad.Capabilities()
	var out []string
	for _, a := range []struct {
		ok   bool
		name string
	}{{c.Hide, "hide"}, {c.Unhide, "unhide"}, {c.Delete, "delete"}, {c.MarkSpam, "spam"}, {c.Mute, "mute"}, {c.Block, "block"}, {c.Report, "report"}} {
		if a.ok {
			out = append(out, a.name)
		}
	}
	return out
}

// Moderate applies an action through the channel.
func (m *channelModeration) Moderate(ctx context.Context, channel, account, action, messageID string) error {
	_, mod := m.find(channel, account)
	if mod == nil {
		return fmt.Errorf("no account on %s can moderate", channel)
	}
	return mod.Moderate(ctx, action, messageID)
}
