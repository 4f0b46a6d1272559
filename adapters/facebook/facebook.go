// Package facebook is the adapter for one Facebook Page, through the Graph API
// (adapters/meta): it polls the Page's feed (visitor posts, and the comments on posts with
// activity) and its Messenger conversations, answers comments, Messenger messages and
// commenters privately, finds a reply already posted after a crash, and hides, unhides
// and deletes comments. Its messages follow meta.DecodeWebhook's conventions (account the
// page id, comments in post:<post id>, Messenger in dm:<PSID>, the Page's own messages
// outbound by meta.NativeAgent), so what arrives both by `triage serve`'s webhook and by
// polling is stored once.
//
//	[[account]]
//	name        = "facebook"
//	channel     = "facebook"
//	page_id     = "100000000000002"
//	token_env   = "FB_PAGE_TOKEN"              # or token_cmd; a Page access token
//	graph_url   = "https://graph.facebook.com" # optional
//	watch_posts = 10                           # optional: posts with activity read per sync
//	human_agent = true                         # optional: the app has the HUMAN_AGENT tag
//	poll_messenger = false                     # optional: poll the feed only
//
// The token needs pages_read_engagement, pages_read_user_content, pages_manage_engagement
// and pages_messaging.
package facebook

import (
	"context"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/meta"
)

// Channel is the channel name in config and in inbox messages.
const Channel = meta.ChannelFacebook

// DefaultWatchPosts is how many posts with new activity a sync reads comments of.
const DefaultWatchPosts = 10

// FirstLookback is how far back the first fetch reads: older posts, comments and
// messages are history.
const FirstLookback = 7 * 24 * time.Hour

// Options are an account's settings beyond meta.Config.
type Options struct {
	WatchPosts    int  // watch_posts: at most this many posts' comments are read per sync
	HumanAgent    bool // human_agent: retry a refused Messenger reply with the HUMAN_AGENT tag
	SkipMessenger bool // poll_messenger = false: a token without pages_messaging polls the feed only
	Now           func() time.Time
}

// Adapter is one Facebook Page. It satisfies adapters.Adapter, adapters.Checker and
// adapters.Moderator.
type Adapter struct {
	cfg   meta.Config
	graph *meta.Client
	opts  Options
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Moderator   = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]] with channel facebook, reading its token.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	cfg, err := meta.ParseAccount(acct)
	if err != nil {
		return nil, err
	}
	opts := Options{Now: time.Now}
	if opts.WatchPosts, err = acct.Int("watch_posts", DefaultWatchPosts, 1, 100, "posts"); err != nil {
		return nil, err
	}
	if opts.HumanAgent, err = acct.Bool("human_agent", false); err != nil {
		return nil, err
	}
	messenger, err := acct.Bool("poll_messenger", true)
	if err != nil {
		return nil, err
	}
	opts.SkipMessenger = !messenger
	c, err := cfg.Client(ctx)
	if err != nil {
		return nil, err
	}
	return NewWithClient(cfg, c, opts), nil
}

// NewWithClient builds the adapter around a Graph client (tests point it at metatest).
func NewWithClient(cfg meta.Config, c *meta.Client, opts Options) *Adapter {
	if opts.WatchPosts < 1 {
		opts.WatchPosts = DefaultWatchPosts
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Adapter{cfg: cfg, graph: c, opts: opts}
}

// Handle is the account as its messages name it: the page id, as Meta's webhook does.
func (a *Adapter) Handle() string { return a.cfg.ID }

// Capabilities: replies to comments and Messenger, private replies, and hiding,
// unhiding and deleting comments. Not Idempotent: Graph takes no idempotency key, so a reply
// interrupted mid-send is looked for instead (Sent).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, DM: true, Hide: true, Unhide: true, Delete: true}
}
