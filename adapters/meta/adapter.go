package meta

import (
	"context"
	"fmt"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// Account is a configured Instagram, Facebook or WhatsApp account before its channel's
// adapter is built: its config is checked and its token read at start, it polls nothing
// (messages on these channels arrive through `triage serve`'s webhooks or, later, a
// channel's own poller) and it offers no action, so the UI offers no reply on it.
type Account struct {
	Config Config
	Client *Client
}

var (
	_ adapters.Adapter     = (*Account)(nil)
	_ adapters.Constructor = New
)

// New reads an [[account]] of channel instagram, facebook or whatsapp (see Config) and its
// token.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	cfg, err := ParseAccount(acct)
	if err != nil {
		return nil, err
	}
	c, err := cfg.Client(ctx)
	if err != nil {
		return nil, err
	}
	return &Account{Config: cfg, Client: c}, nil
}

// Handle is the account as Meta's messages name it: the IG user id, page id or phone
// number id (see DecodeWebhook), so replies to messages that came by webhook find it.
func (a *Account) Handle() string { return a.Config.ID }

// Capabilities: none yet.
func (a *Account) Capabilities() adapters.Capabilities { return adapters.Capabilities{} }

// Fetch brings nothing and keeps the cursor.
func (a *Account) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	return adapters.Batch{Cursor: cursor}, nil
}

// Send refuses: replying on the channel is not built yet.
func (a *Account) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	return "", adapters.Permanent(fmt.Errorf("account %s: replying on %s is not supported yet", a.Config.Account, a.Config.Channel))
}
