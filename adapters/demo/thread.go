package demo

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// maxPerConversation keeps threads to what a glance can take in.
const maxPerConversation = 5

// message appends a message to c and returns it. Inbound messages go through the same
// sentiment and rules as ingest, so the generator knows their priority and SLA target.
func (g *gen) message(c *conv, dir inbox.Direction, at time.Time, text, inReplyTo string) *inbox.Message {
	g.seq++
	g.count++
	domain := "kettlebird.example"
	if dir == inbox.In {
		if _, d, ok := strings.Cut(c.author.ID, "@"); ok {
			domain = d
		}
	}
	m := inbox.Message{
		Channel: c.channel, Account: c.account, Conversation: messageKey(c), Kind: c.kind, Direction: dir,
		ID: messageID(c, dir, at, g.seq, domain), Text: text, CreatedAt: at, InReplyTo: inReplyTo,
		Subject: c.subject(),
	}
	switch {
	case c.channel == "telegram":
		m.ID = g.telegramID(c, dir, at)
	case c.review != nil:
		m.ID = reviewID(c, dir, at, text)
	}
	if dir == inbox.In && !c.spam && g.now.Sub(at) < recent {
		g.recentIn++
	}
	if dir == inbox.In {
		a := c.author
		if c.channel == "instagram" && c.kind == inbox.KindMention && len(c.msgs) == 0 {
			a.ID = "" // a post that tags the brand names its author by username alone
		}
		m.Author = &a
		m.URL = postURL(c, a, m.ID)
		if c.review != nil {
			m.URL = reviewURL(c)
		}
		if p := g.priority(c, text); p > c.prio {
			c.prio = p
		}
	} else {
		m.Agent = c.agent
		if native(c, g.seq) {
			// A colleague answered in the channel's own app (Meta's, YouTube Studio, the
			// Play Console, App Store Connect): it comes back as an echo, unsigned.
			m.Agent, m.Text = meta.NativeAgent, strings.TrimSuffix(text, " ^"+c.agent)
			if c.review != nil {
				// The stores name no review a reply answers; the id hashes the text it has.
				m.InReplyTo, m.ID = "", reviewID(c, dir, at, m.Text)
			}
		}
	}
	switch {
	case c.channel == "x" && c.kind != inbox.KindDM:
		m.Kind = inbox.KindMention // X calls every post that names the account a mention
	case c.channel == "youtube" && len(c.msgs) > 0:
		m.InReplyTo = c.msgs[0].ID // every reply is under the thread's top comment
	case telegramGroup(c) && len(c.msgs) > 0:
		m.Kind = inbox.KindComment // a reply in the group, which need not name the bot
	case c.review != nil && dir == inbox.In:
		m.InReplyTo = "" // an edit of the review answers nothing
	}
	if isMeta(c.channel) {
		m.InReplyTo = metaInReplyTo(c, dir, m.Agent, inReplyTo)
		if c.kind == inbox.KindMention && len(c.msgs) > 0 {
			m.Kind = inbox.KindComment // what follows a post that tags the brand is comments under it
		}
	}
	c.msgs = append(c.msgs, m)
	return &c.msgs[len(c.msgs)-1]
}

// priority is what ingest's rules will make of an inbound text.
func (g *gen) priority(c *conv, text string) inbox.Priority {
	in := inbox.RuleInput{Channel: c.channel, Kind: string(c.kind), Text: text, Sentiment: g.mood.Score(text),
		AuthorHandle: c.author.Handle, AuthorName: c.author.Name}
	return g.rules.Apply(in).Priority
}

// target is the first-response target of a text on c's channel.
func (g *gen) target(c *conv, text string) time.Duration {
	return g.cfg.SLATarget(c.channel, g.priority(c, text))
}

// openerText writes the first message in the form its channel and kind take.
func (g *gen) openerText(c *conv) string {
	t := c.topic
	if c.spam {
		// Spam that mentions the brand names it like any mention, or the brand would not see it.
		if g.r.IntN(100) < 20 {
			return mention(c) + pick(g.r, sneakySpam)
		}
		return mention(c) + pick(g.r, t.short)
	}
	var tpl string
	switch {
	case c.kind == inbox.KindReview:
		tpl = pick(g.r, t.review)
	case c.kind != inbox.KindEmail && c.who.lang != "" && len(t.intl[c.who.lang]) > 0 && g.r.IntN(100) < 60:
		tpl = pick(g.r, t.intl[c.who.lang])
	case len(t.long) > 0 && (c.kind == inbox.KindEmail || roomy(c) && g.r.IntN(100) < 55):
		tpl = pick(g.r, t.long)
	case len(t.short) > 0:
		tpl = pick(g.r, t.short)
	default:
		tpl = pick(g.r, t.long)
	}
	tpl = g.mark(c, tpl)
	tpl, c.answer, c.follow = splitAnswer(tpl)
	text := fill(tpl, c.slots)
	if c.kind == inbox.KindEmail {
		return g.customerEmail(c, text)
	}
	text = mention(c) + text
	// A long opener that does not fit the channel is one the customer would have cut.
	if limit := g.voice.Limit(c.channel); limit > 0 && inbox.Length(c.channel, text) > limit && len(t.short) > 0 {
		tpl, c.answer, c.follow = splitAnswer(g.mark(c, pick(g.r, t.short)))
		text = mention(c) + fill(tpl, c.slots)
	}
	return text
}

// mark resolves the product markers of an opener: the product becomes the
// conversation's, and the marker an ordinary {product} slot.
func (g *gen) mark(c *conv, tpl string) string {
	for _, m := range markers {
		if !strings.Contains(tpl, "{"+m.name+"}") {
			continue
		}
		product := pick(g.r, m.products)
		for i := range c.slots {
			switch c.slots[i][0] {
			case "product":
				c.slots[i][1] = product
			case "price":
				c.slots[i][1] = products[product]
			}
		}
		tpl = strings.ReplaceAll(tpl, "{"+m.name+"}", "{product}")
	}
	return tpl
}

// roomy channels and kinds take paragraphs.
func roomy(c *conv) bool {
	return c.kind == inbox.KindDM || c.channel == "reddit" || c.channel == "facebook" || c.channel == "mastodon"
}

// mention is how a public post names the brand; on X a reply under the brand's post
// starts with its @handle too.
func mention(c *conv) string {
	if c.kind != inbox.KindMention && !(c.channel == "x" && c.kind == inbox.KindComment) {
		return ""
	}
	return brandHandles[c.channel] + " "
}

// customerEmail wraps a body in the greeting and sign-off people put on email.
func (g *gen) customerEmail(c *conv, body string) string {
	for _, hi := range []string{"Hi", "Hello", "Hi there", "Hello Kettlebird team", "Hi Kettlebird team"} {
		if rest, ok := cutGreeting(body, hi); ok {
			body = rest
			break
		}
	}
	return pick(g.r, emailGreetings) + "\n\n" + body + "\n\n" + fill(pick(g.r, emailSignoffs), c.slots)
}

// cutGreeting removes a greeting ("Hi Ana, ", "Hello! ") that opens a template, since
// an email has its own, and capitalizes what is left.
func cutGreeting(body, greeting string) (string, bool) {
	for _, sep := range []string{", ", "! ", ". "} {
		if rest, ok := strings.CutPrefix(body, greeting+sep); ok && rest != "" {
			r, n := utf8.DecodeRuneInString(rest)
			return string(unicode.ToUpper(r)) + rest[n:], true
		}
	}
	return body, false
}

// teamText writes a reply in the house voice: on email with greeting and sign-off.
func (g *gen) teamText(c *conv, tpl string) string {
	text := fill(tpl, c.slots)
	if c.kind != inbox.KindEmail {
		return text
	}
	name := fill("{name}", c.slots)
	body := strings.TrimSuffix(text, " ^"+c.agent)
	// The greeting names them, so the first sentence need not again.
	if rest, ok := cutGreeting(body, "Hi "+name); ok {
		body = rest
	} else if i := strings.Index(body, ", "+name); i >= 0 && i < 40 {
		body = body[:i] + body[i+len(", "+name):]
	}
	return "Hi " + name + ",\n\n" + body + "\n\nWarmly,\n" + c.agent + "\n— The Kettlebird team"
}

// exchange plays out the conversation after its opener: replies that come within
// minutes or days, follow-ups, chasers when the answer is slow, the occasional thanks
// that ends it, and a few messages nobody answered.
func (g *gen) exchange(c *conv) {
	rounds := 1
	switch n := g.r.IntN(100); {
	case n >= 92:
		rounds = 3
	case n >= 70:
		rounds = 2
	}
	pending := c.msgs[0] // the oldest inbound message still waiting
	answer, follow := c.answer, c.follow
	for round := 0; ; round++ {
		replyAt, ok := g.answerTime(c, pending)
		if !ok {
			g.recentWaiting += g.waiting(c)
			return
		}
		tpl := answer
		if tpl == "" {
			pool := laterReplies
			if round == 0 {
				pool = c.topic.replies
			}
			// A general reply may bring its own follow-up: "send a photo", "photo sent".
			tpl, follow, _ = strings.Cut(pick(g.r, pool), "||")
		}
		g.message(c, inbox.Out, replyAt, g.teamText(c, tpl), c.msgs[len(c.msgs)-1].ID)

		// A specific answer takes only its own follow-up; a general one, any of the topic's.
		follows := c.topic.follow
		switch {
		case follow != "":
			follows = []string{follow}
		case answer != "":
			follows = nil
		}
		room := maxPerConversation - len(c.msgs)
		at := replyAt.Add(g.between(3*time.Minute, 20*time.Hour))
		if round+1 >= rounds || room < 2 || len(follows) == 0 {
			g.maybeThank(c, replyAt)
			return
		}
		if !at.Before(g.now) {
			return
		}
		var text string
		text, answer, follow = splitAnswer(pick(g.r, follows))
		pending = *g.message(c, inbox.In, at, g.customerShort(c, text), c.msgs[len(c.msgs)-1].ID)
	}
}

// answerTime is when the team answered pending, or false when it has not yet: the
// answer is not due, or the message slipped through. A slow answer often has a nudge
// from the customer before it; a forgotten message sometimes does.
func (g *gen) answerTime(c *conv, pending inbox.Message) (time.Time, bool) {
	nudge := func(at time.Time) {
		// A store review has no thread to write more in: its author can only edit it.
		if c.topic.expectsAnswer() && c.review == nil && at.Before(g.now) && len(c.msgs) < maxPerConversation-1 {
			g.message(c, inbox.In, at.Truncate(time.Second), pick(g.r, chasers), c.msgs[len(c.msgs)-1].ID)
		}
	}
	if g.neglected(pending.CreatedAt) {
		if g.r.IntN(100) < 35 {
			nudge(pending.CreatedAt.Add(g.between(2*time.Hour, 30*time.Hour)))
		}
		return time.Time{}, false
	}
	target := g.target(c, pending.Text)
	delay := g.replyDelay(target)
	if delay > target && delay > 40*time.Minute && g.r.IntN(100) < 40 {
		nudge(pending.CreatedAt.Add(time.Duration(float64(delay) * (0.5 + 0.4*g.r.Float64()))))
	}
	at := pending.CreatedAt.Add(delay)
	return at, at.Before(g.now)
}

// maybeThank ends some conversations with the customer's thanks, which needs no reply.
func (g *gen) maybeThank(c *conv, replyAt time.Time) {
	chance := 18
	if c.topic == praiseTopic {
		chance = 8
	}
	if len(c.msgs) >= maxPerConversation || g.r.IntN(100) >= chance {
		return
	}
	if at := replyAt.Add(g.between(2*time.Minute, 6*time.Hour)); at.Before(g.now) {
		g.message(c, inbox.In, at, g.customerShort(c, pick(g.r, closers)), c.msgs[len(c.msgs)-1].ID)
		c.closer = true
		g.noReplyNeeded(at)
	}
}

// customerShort writes a short customer message; on email it is signed.
func (g *gen) customerShort(c *conv, tpl string) string {
	text := fill(tpl, c.slots)
	if c.kind == inbox.KindEmail {
		return text + "\n\n" + fill("{first}", c.slots)
	}
	return text
}

// recentShare is the share of the last three days' inbound messages still waiting for
// a reply: those whose reply is not due yet, and the ones that slipped through.
const recentShare = 0.16

// recent is the stretch in which a queue is still being worked through.
const recent = 72 * time.Hour

// neglected decides whether a message slipped through: rare for old messages (the team
// sweeps the queue), common enough in the last three days that about recentShare of
// them wait. The share is kept by counting rather than by chance alone, so that every
// seed's inbox has about the same backlog.
func (g *gen) neglected(at time.Time) bool {
	if g.now.Sub(at) >= recent {
		return g.r.Float64() < 0.015
	}
	return float64(g.recentWaiting+1) <= recentShare*float64(g.recentIn) && g.r.IntN(100) < 60
}

// waiting counts c's recent inbound messages after its last reply.
func (g *gen) waiting(c *conv) int {
	n := 0
	for i := len(c.msgs) - 1; i >= 0 && c.msgs[i].Direction == inbox.In; i-- {
		if g.now.Sub(c.msgs[i].CreatedAt) < recent {
			n++
		}
	}
	return n
}

// noReplyNeeded takes a thanks or a heart out of the count of messages that want a reply.
func (g *gen) noReplyNeeded(at time.Time) {
	if g.now.Sub(at) < recent {
		g.recentIn--
	}
}

// replyDelay is how long the first answer took: mostly well within the target, some
// close to it, about one in eight late by up to several times the target.
func (g *gen) replyDelay(target time.Duration) time.Duration {
	var d time.Duration
	switch u := g.r.Float64(); {
	case u < 0.62:
		d = g.between(2*time.Minute, max(3*time.Minute, target*6/10))
	case u < 0.87:
		d = target*6/10 + time.Duration(g.r.Float64()*float64(target*4/10))
	default:
		d = min(g.between(target*11/10, target*8), 4*24*time.Hour)
	}
	return d.Truncate(time.Second)
}

// between is a duration between lo and hi, evenly spread on a log scale: as many
// answers in 2–20 minutes as in 20–200.
func (g *gen) between(lo, hi time.Duration) time.Duration { return between(g.r, lo, hi) }

func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	l, h := math.Log(float64(lo)), math.Log(float64(hi))
	return time.Duration(math.Exp(l + r.Float64()*(h-l))).Truncate(time.Second)
}
