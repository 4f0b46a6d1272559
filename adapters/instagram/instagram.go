// Package instagram is the adapter for one Instagram professional account, through the
// Graph API (adapters/meta). It polls the comments on the account's recent posts, its
// direct messages (the Conversations API) and the posts it is tagged in; it answers
// comments under them, DMs with the Send API (within Instagram's 24-hour window, 7 days
// with the HUMAN_AGENT tag when the app has it), and a commenter privately (one private
// reply per comment, within 7 days); it hides, unhides and deletes comments. Meta's
// webhook (`triage serve`) brings the same messages faster: both ways follow
// meta.DecodeWebhook's conventions, so a message that comes both ways is stored once.
//
//	[[account]]
//	name          = "instagram"
//	channel       = "instagram"
//	ig_user_id    = "17841400000000001"
//	token_env     = "IG_TOKEN"                    # or token_cmd
//	graph_url     = "https://graph.instagram.com" # Instagram Login; graph.facebook.com for Facebook Login
//	watch_posts   = 10                            # optional: how many recent posts are polled
//	poll_dms      = true                          # optional: poll direct messages
//	poll_mentions = false                         # optional: poll the posts the account is tagged in (default true)
//	human_agent   = false                         # optional: the app has Human Agent: retry outside 24 h with the tag
//
// The token needs instagram_business_basic, instagram_business_manage_comments and
// instagram_business_manage_messages (Instagram Login), or instagram_basic,
// instagram_manage_comments, instagram_manage_messages and pages_read_engagement
// (Facebook Login).
package instagram

import (
	"context"
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

// Options are an account's choices beyond meta.Config.
type Options struct {
	WatchPosts int  // how many recent posts are polled for comments
	DMs        bool // poll the direct messages
	Mentions   bool // poll the posts the account is tagged in
	// HumanAgent: the app has Meta's Human Agent feature, so a DM that Meta refuses
	// outside the 24-hour window is sent again once with the HUMAN_AGENT tag (7 days).
	HumanAgent bool
}

// DefaultOptions are the options of an account that sets none.
func DefaultOptions() Options {
	return Options{WatchPosts: DefaultWatchPosts, DMs: true, Mentions: true}
}

// Adapter is one Instagram account. It satisfies adapters.Adapter, adapters.Checker and
// adapters.Moderator.
type Adapter struct {
	cfg   meta.Config
	graph *meta.Client
	opts  Options
	now   func() time.Time
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Moderator   = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]] with channel instagram, reading its token.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	cfg, err := meta.ParseAccount(acct)
	if err != nil {
		return nil, err
	}
	opts, err := parseOptions(acct, cfg)
	if err != nil {
		return nil, err
	}
	c, err := cfg.Client(ctx)
	if err != nil {
		return nil, err
	}
	return NewWithOptions(cfg, c, opts, time.Now), nil
}

// parseOptions reads watch_posts, poll_dms, poll_mentions and human_agent. Mentions are
// polled by default with either login: Meta documents GET /{ig-user-id}/tags for
// Instagram Login (instagram_business_basic) and Facebook Login alike; a token refused
// them says so and names poll_mentions = false.
func parseOptions(acct adapters.Account, cfg meta.Config) (Options, error) {
	o := DefaultOptions()
	var err error
	if o.WatchPosts, err = acct.Int("watch_posts", DefaultWatchPosts, 1, 100, "posts"); err != nil {
		return o, err
	}
	for _, b := range []struct {
		key string
		to  *bool
	}{{"poll_dms", &o.DMs}, {"poll_mentions", &o.Mentions}, {"human_agent", &o.HumanAgent}} {
		if *b.to, err = acct.Bool(b.key, *b.to); err != nil {
			return o, err
		}
	}
	return o, nil
}

// NewWithClient builds the adapter around a Graph client with the default options and
// watchPosts (tests point it at metatest).
func NewWithClient(cfg meta.Config, c *meta.Client, watchPosts int, now func() time.Time) *Adapter {
	o := DefaultOptions()
	o.WatchPosts = watchPosts
	return NewWithOptions(cfg, c, o, now)
}

// NewWithOptions builds the adapter around a Graph client with opts.
func NewWithOptions(cfg meta.Config, c *meta.Client, opts Options, now func() time.Time) *Adapter {
	opts.WatchPosts = max(opts.WatchPosts, 1)
	return &Adapter{cfg: cfg, graph: c, opts: opts, now: now}
}

// Handle is the account as its messages name it: the IG user id, as Meta's webhook names it.
func (a *Adapter) Handle() string { return a.cfg.ID }

// Capabilities: replies to comments, DMs and private replies, hiding, unhiding and
// deleting comments. Not Idempotent: Graph takes no idempotency key, so a reply
// interrupted mid-send is looked for instead (Sent).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, DM: true, Hide: true, Unhide: true, Delete: true}
}
