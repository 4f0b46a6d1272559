// Package whatsapp is the adapter for one WhatsApp Business phone number on Meta's Cloud
// API: it answers customers (POST /{phone-number-id}/messages). The Cloud API has no way
// to read messages back, so customers' messages arrive only by `triage serve`'s Meta
// webhook (meta.DecodeWebhook: channel whatsapp, account the phone number id,
// conversation wa:<customer's wa_id>), and sync fetches nothing here.
//
//	[[account]]
//	name            = "whatsapp"
//	channel         = "whatsapp"
//	phone_number_id = "106540352242922"
//	token_env       = "WA_TOKEN"                   # a System User token; or token_cmd
//	graph_url       = "https://graph.facebook.com"
//
// The token needs whatsapp_business_messaging.
package whatsapp

import (
	"context"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/meta"
)

// Channel is the channel name in config and in inbox messages.
const Channel = meta.ChannelWhatsApp

// Adapter is one WhatsApp Business phone number.
type Adapter struct {
	cfg   meta.Config
	graph *meta.Client
	now   func() time.Time
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]] with channel whatsapp, reading its token.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	cfg, err := meta.ParseAccount(acct)
	if err != nil {
		return nil, err
	}
	c, err := cfg.Client(ctx)
	if err != nil {
		return nil, err
	}
	return NewWithClient(cfg, c), nil
}

// NewWithClient builds the adapter around a Graph client (tests point it at metatest).
func NewWithClient(cfg meta.Config, c *meta.Client) *Adapter {
	return &Adapter{cfg: cfg, graph: c}
}

// Handle is the account as WhatsApp's webhook names it: the phone number id.
func (a *Adapter) Handle() string { return a.cfg.ID }

// Capabilities: replies. Not Idempotent, and not a Checker: the Cloud API takes no
// idempotency key and cannot list what was sent, so a send whose answer was lost is
// left for a person to check (see adapters.Error.MaybeSent) rather than sent twice.
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true}
}

// Fetch brings nothing and keeps the cursor: WhatsApp delivers customers' messages only
// by webhook.
func (a *Adapter) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	return adapters.Batch{Cursor: cursor}, nil
}
