// Package demo builds the demo inbox of `triage demo` and `triage --demo`: the config of
// an invented coffee-gear shop, Kettlebird (ConfigTOML), two weeks of its customers'
// messages on twelve channels, the reviews of its app on Google Play and the App Store
// among them (Messages), and the history a team would have left on them
// (Seed). Everything follows from a seed and a time, so the same seed and time give the
// same inbox, byte for byte.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// targetMessages is roughly how many messages the demo holds: enough to page through and
// to make statistics meaningful, few enough to seed in well under a second.
const targetMessages = 600

// window is how far back the demo reaches.
const window = 14 * 24 * time.Hour

// stream tells the generator's random stream apart from Seed's, so that changing the
// history never reshuffles the messages.
const (
	messageStream = 0x6b65_7474_6c65 // "kettle"
	historyStream = 0x6869_7374_6f72 // "histor"
)

// Messages returns the demo's messages: about 600 over the 14 days before now, across
// every channel, oldest first. The same seed and now give the same messages.
func Messages(seed int64, now time.Time) []inbox.Message {
	return generate(seed, now).messages()
}

// conv is one generated conversation and what Seed needs to know about it.
type conv struct {
	key, channel, account string
	kind                  inbox.Kind
	topic                 *topic
	who                   *person // nil for a spammer
	author                inbox.Author
	agent                 string // who answers it
	slots                 [][2]string
	answer                string // the team's answer to the opener, "" for a general one
	follow                string // the customer's follow-up to that answer, "" for none
	msgs                  []inbox.Message
	prio                  inbox.Priority // the highest any of its messages got from the rules
	post                  string         // on Instagram and Facebook, the media or post it is under; on YouTube, the video
	review                *review        // on the app stores, the review as its author last left it
	visitor               bool           // on Facebook, a visitor's post on the Page (a comment, as Meta has it)
	spam, sneaky          bool           // spam; sneaky spam carries no spam word
	noReply               bool           // praise that needed only a like, then closing
	closer                bool           // ends with the customer's thanks, which needs no reply
}

// first and last are the times of a conversation's first and last messages.
func (c *conv) first() time.Time { return c.msgs[0].CreatedAt }
func (c *conv) last() time.Time  { return c.msgs[len(c.msgs)-1].CreatedAt }

// answered reports whether every inbound message has a reply after it.
func (c *conv) answered() bool { return c.msgs[len(c.msgs)-1].Direction == inbox.Out }

// firstReply is the time of the first outbound message, zero if none.
func (c *conv) firstReply() time.Time {
	for _, m := range c.msgs {
		if m.Direction == inbox.Out {
			return m.CreatedAt
		}
	}
	return time.Time{}
}

// world is everything generated for one seed and time.
type world struct {
	now   time.Time
	convs []*conv
}

func (w *world) messages() []inbox.Message {
	var out []inbox.Message
	for _, c := range w.convs {
		out = append(out, c.msgs...)
	}
	slices.SortStableFunc(out, func(a, b inbox.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// gen carries the state of one generation.
type gen struct {
	r     *rand.Rand
	now   time.Time
	cfg   *inbox.Config
	rules *inbox.Rules
	mood  *inbox.Sentiment
	voice *inbox.Voice
	seq   int // running number for ids
	// recentIn counts the last three days' inbound messages that want a reply, and
	// recentWaiting those of them left waiting; see neglected.
	recentIn, recentWaiting int
	count                   int             // messages so far
	keys                    map[string]bool // conversation keys in use, per channel and account
	groupIDs                map[int]bool    // message numbers used in the Telegram group
	w                       *world
}

func generate(seed int64, now time.Time) *world {
	cfg := demoConfig()
	rules, err := inbox.NewRules(cfg.Rules)
	if err != nil {
		panic(fmt.Sprintf("demo config rules: %v", err)) // the embedded config is tested
	}
	now = now.UTC().Truncate(time.Second)
	g := &gen{
		r:   rand.New(rand.NewPCG(uint64(seed), messageStream)),
		now: now, cfg: cfg, rules: rules, mood: inbox.NewSentiment(cfg.Sentiment),
		voice: inbox.NewVoice(cfg.Voice),
		keys:  map[string]bool{}, groupIDs: map[int]bool{}, w: &world{now: now},
	}
	for g.count < targetMessages {
		g.conversation()
	}
	return g.w
}

// demoConfig parses the embedded config; it is tested, so failing here is a build bug.
func demoConfig() *inbox.Config {
	cfg, err := inbox.ParseConfig("demo config", configTOML)
	if err != nil {
		panic(err)
	}
	return cfg
}

// agents answer in proportion to their shifts: maria works the busy European day.
var agentWeights = []struct {
	name   string
	weight int
}{{"maria", 45}, {"dev", 30}, {"sam", 25}}

func (g *gen) pickAgent() string {
	n := g.r.IntN(100)
	for _, a := range agentWeights {
		if n < a.weight {
			return a.name
		}
		n -= a.weight
	}
	return "maria"
}

// kindWeights is how each channel's traffic splits into kinds. Reviews come from
// Facebook, the one social channel here with page reviews, and from the app stores,
// whose reviews appReview sets up; email is only email. On YouTube everything is a
// comment; on Telegram a DM to the bot, or a message in the community group that
// mentions it.
var kindWeights = map[string][]struct {
	kind   inbox.Kind
	weight int
}{
	"x":         {{inbox.KindMention, 55}, {inbox.KindDM, 30}, {inbox.KindComment, 15}},
	"instagram": {{inbox.KindComment, 55}, {inbox.KindDM, 35}, {inbox.KindMention, 10}},
	"facebook":  {{inbox.KindReview, 45}, {inbox.KindComment, 30}, {inbox.KindDM, 20}, {inbox.KindMention, 5}},
	"whatsapp":  {{inbox.KindDM, 100}},
	"reddit":    {{inbox.KindComment, 60}, {inbox.KindMention, 25}, {inbox.KindDM, 15}},
	"mastodon":  {{inbox.KindMention, 70}, {inbox.KindDM, 20}, {inbox.KindComment, 10}},
	"bluesky":   {{inbox.KindMention, 60}, {inbox.KindComment, 25}, {inbox.KindDM, 15}},
	"youtube":   {{inbox.KindComment, 100}},
	"telegram":  {{inbox.KindDM, 75}, {inbox.KindMention, 25}},
	"email":     {{inbox.KindEmail, 100}},
}

func (g *gen) pickKind(channel string) inbox.Kind {
	n := g.r.IntN(100)
	for _, kw := range kindWeights[channel] {
		if n < kw.weight {
			return kw.kind
		}
		n -= kw.weight
	}
	return kindWeights[channel][0].kind
}

// conversation generates one conversation: who writes, where, about what, and the
// exchange that followed.
func (g *gen) conversation() {
	t := pickTopic(g.r)
	c := &conv{topic: t, agent: g.pickAgent(), spam: t == spamTopic}
	if c.spam {
		i := g.r.IntN(len(spammers))
		c.channel = pick(g.r, []string{"instagram", "instagram", "x", "x", "facebook", "email", "reddit", "mastodon", "bluesky", "youtube", "telegram"})
		c.author = spammers[i].author(c.channel, i)
		c.kind = pick(g.r, []inbox.Kind{inbox.KindComment, inbox.KindDM, inbox.KindMention})
	} else {
		c.who = pick(g.r, cast)
		c.channel = c.who.chans[0]
		if len(c.who.chans) > 1 && g.r.IntN(100) < 35 {
			c.channel = c.who.chans[1+g.r.IntN(len(c.who.chans)-1)]
		}
		c.author = c.who.author(c.channel)
		c.kind = g.pickKind(c.channel)
		// A few regulars message the shop on WhatsApp rather than in a DM, one chat each.
		if c.kind == inbox.KindDM && (c.channel == "instagram" || c.channel == "facebook") && c.who.onWhatsApp() &&
			!g.keys["whatsapp\x00wa:"+c.who.phone()] {
			c.channel, c.author = "whatsapp", c.who.author("whatsapp")
		}
	}
	if t == appTroubleTopic || t == appPraiseTopic {
		g.appReview(c) // whoever they are, they review the app where their phone has it
	}
	switch {
	case c.channel == "email":
		c.kind = inbox.KindEmail
	case isStore(c.channel):
	case c.channel == "youtube":
		c.kind = inbox.KindComment
	case c.channel == "telegram" && c.spam && c.kind != inbox.KindDM:
		c.kind = inbox.KindComment // in the group, where the bot, an admin, sees every message
	case c.channel == "telegram" && c.kind == inbox.KindComment:
		c.kind = inbox.KindMention // people in the group name the bot to reach the shop
	case c.kind == inbox.KindReview && (c.channel != "facebook" || len(t.review) == 0):
		c.kind = inbox.KindComment
	case c.kind == inbox.KindDM && g.keys[c.channel+"\x00"+dmKey(c)]:
		// A channel keeps one DM thread per person; a second topic from them arrives
		// in public instead, so the demo never splices two stories into one thread.
		c.kind = inbox.KindMention
	}
	if c.channel == "facebook" && c.kind == inbox.KindMention {
		c.kind, c.visitor = inbox.KindComment, true
	}
	if c.channel == "instagram" {
		c.author.Name = "" // Instagram names people by IGSID and username only
	}
	c.account = accounts[c.channel]
	start := g.startTime()
	g.slots(c)

	var opener string
	if c.review == nil {
		opener = g.openerText(c)
	}
	metaPost(c, g.seq+1)
	youtubeVideo(c, g.seq+1)
	xPost(c, g.seq+1)
	var first *inbox.Message
	if c.review != nil {
		first = g.reviewMessage(c, start)
	} else {
		first = g.message(c, inbox.In, start, opener, "")
	}
	c.key = g.key(c, first)
	for i := range c.msgs {
		c.msgs[i].Conversation = messageKey(c)
	}
	switch {
	case c.review != nil:
		g.reviewExchange(c)
	case c.spam:
		c.sneaky = !g.rules.Apply(inbox.RuleInput{Channel: c.channel, Kind: string(c.kind), Text: opener}).Spam
	case t == praiseTopic && c.kind != inbox.KindDM && c.kind != inbox.KindEmail && g.r.IntN(100) < 20:
		c.noReply = true // a heart on the comment says it all
		g.noReplyNeeded(start)
	default:
		g.exchange(c)
	}
	g.w.convs = append(g.w.convs, c)
}

// startTime spreads first messages over the window, fewer in the small hours (UTC, where
// most of the cast sleeps), never in the last few minutes.
func (g *gen) startTime() time.Time {
	for {
		t := g.now.Add(-time.Duration(g.r.Int64N(int64(window - 5*time.Minute)))).Add(-5 * time.Minute)
		if h := t.Hour(); h >= 1 && h < 6 && g.r.IntN(100) < 60 {
			continue
		}
		return t.Truncate(time.Second)
	}
}

// slots picks what the conversation's texts talk about.
func (g *gen) slots(c *conv) {
	product := pick(g.r, c.topic.products)
	city, carrier, first, full := "Lisbon", "CTT", "", c.author.Name
	if c.who != nil {
		city, carrier, first, full = c.who.city, c.who.carrier(), c.who.firstName(), c.who.name
	}
	c.slots = [][2]string{
		{"product", product}, {"price", products[product]}, {"colour", pick(g.r, colours)},
		{"order", fmt.Sprintf("#KB%05d", 20000+g.r.IntN(60000))}, {"days", fmt.Sprint(3 + g.r.IntN(10))},
		{"city", city}, {"carrier", carrier}, {"first", first}, {"full", full}, {"name", first},
		{"agent", c.agent}, {"agentName", capitalize(c.agent)},
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// key is the conversation key the channel would give: its adapter's own where it keys
// them its own way (Meta's, X's, YouTube's, Telegram's group, the stores'), else a DM
// thread per author, a commenter's thread under one of our posts, otherwise the thread of
// the first message.
func (g *gen) key(c *conv, first *inbox.Message) string {
	k := metaKey(c)
	switch {
	case c.review != nil && c.channel == "googleplay":
		k = "gp:" + c.review.id
	case c.review != nil:
		k = "as:" + c.review.id
	case c.channel == "youtube":
		k = "yt:" + first.ID // a thread's id is its top comment's
	case c.channel == "x" && c.kind == inbox.KindComment:
		k = "x:" + c.post // a reply under the brand's post is in that post's conversation
		first.InReplyTo = c.post
	case c.channel == "x":
		k = "x:" + first.ID // a post naming the brand starts its own
	case telegramGroup(c):
		k = "msg:" + first.ID // the key the inbox gives a message that answers nothing
	}
	switch c.kind {
	case inbox.KindDM:
		k = dmKey(c)
	case inbox.KindComment:
		if c.visitor {
			break
		}
		// Drawn on every channel, so that Meta's own keys left the rest of the demo as it was.
		post := brandPost(c.channel, g.r.IntN(8))
		if k == "" {
			first.InReplyTo = post
			k = "post:" + post + ":" + c.author.ID
		}
	case inbox.KindReview:
		if k == "" {
			k = "review:" + first.ID
		}
	default:
		if k == "" {
			k = "thread:" + first.ID
		}
	}
	// The same person commenting twice under the same post would merge two stories.
	full := c.channel + "\x00" + k
	if g.keys[full] {
		k = "thread:" + first.ID
		full = c.channel + "\x00" + k
	}
	g.keys[full] = true
	return k
}

// messageKey is the conversation key c's messages carry: none in the Telegram group,
// where the adapter leaves threading to the reply chain, else c's.
func messageKey(c *conv) string {
	if telegramGroup(c) {
		return ""
	}
	return c.key
}
