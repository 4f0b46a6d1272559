// Package instagram is the adapter for one Instagram professional account: it polls the
// comments on the account's recent posts through the Graph API (adapters/meta) and
// answers them. Direct messages, and comments on older posts, arrive by `triage serve`'s
// Meta webhook; the messages of both ways are the same (meta.DecodeWebhook's conventions),
// so a comment that comes both ways is stored once.
//
//	[[account]]
//	name        = "instagram"
//	channel     = "instagram"
//	ig_user_id  = "17841400000000001"
//	token_env   = "IG_TOKEN"                    # or token_cmd
//	graph_url   = "https://graph.instagram.com" # Instagram Login; graph.facebook.com for Facebook Login
//	watch_posts = 10                            # optional: how many recent posts are polled
//
// The token needs instagram_business_basic and instagram_business_manage_comments
// (Instagram Login), or instagram_basic, instagram_manage_comments and
// pages_read_engagement (Facebook Login).
package instagram

import (
	"context"
	"fmt"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/meta"
)

// Channel is the channel name in config and in inbox messages.
const Channel = "instagram"

// DefaultWatchPosts is how many of the account's most recent posts are polled for comments.
const DefaultWatchPosts = 10

// FirstLookback is how far back the first fetch reads comments: older ones are history.
const FirstLookback = 7 * 24 * time.Hour

// Adapter is one Instagram account. It satisfies adapters.Adapter and adapters.Checker.
type Adapter struct {
	cfg   meta.Config
	graph *meta.Client
	watch int
	now   func() time.Time
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]] with channel instagram, reading its token.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	cfg, err := meta.ParseAccount(acct)
	if err != nil {
		return nil, err
	}
	watch := DefaultWatchPosts
	switch v := acct.Keys["watch_posts"].(type) {
	case nil:
	case int64:
		if v < 1 || v > 100 {
			return nil, fmt.Errorf("account %q: watch_posts: %d is not between 1 and 100", acct.Name, v)
		}
		watch = int(v)
	default:
		return nil, fmt.Errorf("account %q: watch_posts: want a number of posts, like watch_posts = 10", acct.Name)
	}
	c, err := cfg.Client(ctx)
	if err != nil {
		return nil, err
	}
	return NewWithClient(cfg, c, watch, time.Now), nil
}

// NewWithClient builds the adapter around a Graph client (tests point it at metatest).
func NewWithClient(cfg meta.Config, c *meta.Client, watchPosts int, now func() time.Time) *Adapter {
	return &Adapter{cfg: cfg, graph: c, watch: max(watchPosts, 1), now: now}
}

// Handle is the account as its messages name it: the IG user id, as Meta's webhook names it.
func (a *Adapter) Handle() string { return a.cfg.ID }

// Capabilities: replies to comments. Not Idempotent: Graph takes no idempotency key, so a
// reply interrupted mid-send is looked for instead (Sent).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true}
}
