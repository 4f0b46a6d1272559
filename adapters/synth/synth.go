// Package synth is a source of synthetic messages: a deterministic stream of customer
// messages and the team's replies on every channel, shaped like a busy brand inbox, for
// benchmarks and load tests. Like an adapter it speaks only inbox.Message; it knows no
// store and no screen.
package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// Span is how far back before end the messages go.
const Span = 60 * 24 * time.Hour

// channel is one network with the brand's account on it and how its messages split by kind.
type channel struct {
	name, account string
	share         int          // per cent of authors at home here
	kinds         []inbox.Kind // picked uniformly: repeats weigh a kind
	url           string       // link format for public posts, "" for private channels
}

var channels = []channel{
	{"instagram", "acme.coffee", 26, []inbox.Kind{"comment", "comment", "comment", "mention", "dm", "dm"}, "https://www.instagram.com/p/%s/"},
	{"x", "@acmecoffee", 20, []inbox.Kind{"comment", "mention", "mention", "dm"}, "https://x.com/i/status/%s"},
	{"facebook", "Acme Coffee", 15, []inbox.Kind{"comment", "comment", "review", "review", "dm"}, "https://www.facebook.com/%s"},
	{"email", "support@acme.example", 15, []inbox.Kind{"email"}, ""},
	{"reddit", "u/AcmeCoffee", 8, []inbox.Kind{"comment", "comment", "mention", "dm"}, "https://www.reddit.com/comments/%s"},
	{"bluesky", "@acme.bsky.social", 9, []inbox.Kind{"mention", "mention", "comment", "dm"}, "https://bsky.app/profile/acme.bsky.social/post/%s"},
	{"mastodon", "@acme@mastodon.social", 7, []inbox.Kind{"mention", "mention", "comment", "dm"}, "https://mastodon.social/@acme/%s"},
}

// Agents are the people who answer, by login.
var Agents = []string{"maria", "dev", "sam"}

// Messages calls fn with n messages, the same n for the same seed and end: conversations
// of one to four messages from a customer, about 70% of them answered by an agent minutes
// to days later, spread over the Span before end. Conversations come one after another,
// each in time order; the conversations themselves are in no order of time.
func Messages(n int, seed uint64, end time.Time, fn func(inbox.Message)) {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x7269616765)), seed: seed, end: end.UTC(), fn: fn, left: n}
	g.pool = max(n/6, 50)          // distinct authors: most write once or twice
	g.regulars = max(g.pool/50, 5) // the 2% who write all the time
	for g.left > 0 {
		g.conversation()
	}
}

// Ingest stores Messages(n, seed, end) in svc, batch messages to a transaction.
func Ingest(ctx context.Context, svc *inbox.Service, n int, seed uint64, end time.Time, batch int) (inbox.IngestCounts, error) {
	var total inbox.IngestCounts
	var err error
	batch = max(batch, 1)
	buf := make([]inbox.Message, 0, batch)
	flush := func() {
		if err == nil && len(buf) > 0 {
			var c inbox.IngestCounts
			c, err = svc.IngestMessages(ctx, buf...)
			total.New, total.Present, total.Reopened = total.New+c.New, total.Present+c.Present, total.Reopened+c.Reopened
		}
		buf = buf[:0]
	}
	Messages(n, seed, end, func(m inbox.Message) {
		if buf = append(buf, m); len(buf) >= batch {
			flush()
		}
	})
	flush()
	if err != nil {
		return total, fmt.Errorf("store synthetic messages: %w", err)
	}
	return total, nil
}

type gen struct {
	r        *rand.Rand
	seed     uint64
	end      time.Time
	fn       func(inbox.Message)
	left     int // messages still to send
	id       int // the last message id given
	conv     int // the last conversation key given
	pool     int
	regulars int
	buf      strings.Builder
}

// person is an author as every channel knows them: one name, one handle base.
type person struct {
	n            int // their number: the same number is the same person
	name, handle string
	home, other  int // indices in channels; other == home for people on one channel
}

func (g *gen) person() person {
	i := g.r.IntN(g.pool)
	if g.r.IntN(10) < 3 {
		i = g.r.IntN(g.regulars)
	}
	h := mix(g.seed ^ uint64(i)*0x9e3779b97f4a7c15)
	p := person{n: i}
	if h%10 < 8 {
		gv, fm := latinGiven[h>>8%uint64(len(latinGiven))], latinFamily[h>>16%uint64(len(latinFamily))]
		p.name, p.handle = gv[0]+" "+fm[0], fmt.Sprintf("%s_%s%d", gv[1], fm[1][:1], i)
	} else {
		o := otherNames[h>>8%uint64(len(otherNames))]
		p.name, p.handle = o[0], fmt.Sprintf("%s%d", o[1], i)
	}
	if h>>24%100 < 15 {
		p.name = "" // no display name, only the handle
	}
	p.home = homeChannel(h >> 32 % 100)
	p.other = p.home
	if h>>40%100 < 25 {
		p.other = homeChannel(h >> 48 % 100)
	}
	return p
}

func homeChannel(pc uint64) int {
	for i, c := range channels {
		if pc < uint64(c.share) {
			return i
		}
		pc -= uint64(c.share)
	}
	return 0
}

// mix is splitmix64's finalizer: a stable hash from an author's number to their traits.
func mix(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (g *gen) conversation() {
	r := g.r
	p := g.person()
	ci := p.home
	if r.IntN(3) == 0 {
		ci = p.other
	}
	ch := channels[ci]
	kind := ch.kinds[r.IntN(len(ch.kinds))]
	author := &inbox.Author{Handle: "@" + p.handle, Name: p.name, ID: fmt.Sprint(mix(g.seed^(uint64(p.n)<<3|uint64(ci))) % 1e12)}
	g.conv++
	key := fmt.Sprintf("t%d", g.conv)
	switch kind {
	case inbox.KindEmail:
		author.Handle = strings.ReplaceAll(p.handle, "_", ".") + "@" + mailDomains[p.n%len(mailDomains)]
		author.ID = author.Handle
		key = fmt.Sprintf("<%d.%x@mx.example>", g.id+1, g.seed) // the first message's Message-ID
	case inbox.KindDM:
		key = "dm:" + author.ID // one DM conversation per person, as the networks keep them
	}
	signed := p.name
	if signed == "" {
		signed = p.handle
	}
	first, _, _ := strings.Cut(signed, " ")
	v := strings.NewReplacer("{order}", fmt.Sprintf("#%d", 10000+r.IntN(90000)), "{product}", pick(r, products),
		"{city}", pick(r, cities), "{n}", fmt.Sprint(2+r.IntN(9)), "{first}", first, "{name}", signed)

	// When the conversation starts: any time in the span, quieter at night.
	start := g.end.Add(-Span)
	t := start.Add(time.Duration(r.Int64N(int64(Span))))
	if t.Hour() < 7 && r.IntN(3) > 0 {
		t = start.Add(time.Duration(r.Int64N(int64(Span))))
	}
	var last inbox.Message
	k := threadLens[r.IntN(len(threadLens))]
	if kind == inbox.KindReview {
		k = 1 // a review is posted once; more would be comments under it
	}
	for ; k > 0 && g.left > 0 && !t.After(g.end); k-- {
		text := g.inboundText(kind, last.Text, v)
		last = g.emit(ch, key, kind, inbox.In, author, "", text, t)
		t = t.Add(time.Minute + time.Duration(r.ExpFloat64()*float64(45*time.Minute)))
	}
	if r.IntN(10) >= 7 || g.left == 0 {
		return
	}
	t = last.CreatedAt.Add(2*time.Minute + time.Duration(r.ExpFloat64()*float64(6*time.Hour)))
	if t.After(g.end) {
		return // not answered yet
	}
	agent := Agents[r.IntN(len(Agents))]
	g.emit(ch, key, kind, inbox.Out, nil, agent, g.reply(kind, v, agent), t)
}

func (g *gen) emit(ch channel, key string, kind inbox.Kind, dir inbox.Direction, a *inbox.Author, agent, text string, t time.Time) inbox.Message {
	g.id++
	g.left--
	m := inbox.Message{Channel: ch.name, Account: ch.account, ID: fmt.Sprint(1_000_000_000 + g.id), Conversation: key,
		Kind: kind, Direction: dir, Author: a, Agent: agent, Text: text, CreatedAt: t}
	switch {
	case kind == inbox.KindEmail:
		m.ID = fmt.Sprintf("<%d.%x@mx.example>", g.id, g.seed)
	case kind != inbox.KindDM && ch.url != "":
		m.URL = fmt.Sprintf(ch.url, m.ID)
	}
	g.fn(m)
	return m
}

// threadLens is how many messages a customer sends before an answer: mostly one.
var threadLens = []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4}

func (g *gen) inboundText(kind inbox.Kind, prev string, v *strings.Replacer) string {
	r := g.r
	switch {
	case kind == inbox.KindEmail:
		b := &g.buf
		b.Reset()
		if prev != "" {
			b.WriteString(pick(r, emailFollowUps))
		} else {
			b.WriteString(pick(r, greetings) + "\n\n" + pick(r, emailBodies))
			if r.IntN(2) == 0 {
				b.WriteString("\n\n" + pick(r, emailExtras))
			}
		}
		b.WriteString("\n\n" + pick(r, signOffs) + "\n{name}")
		if r.IntN(5) == 0 {
			b.WriteString("\n\nSent from my phone")
		}
		if prev != "" {
			b.WriteString("\n\n> " + strings.ReplaceAll(prev, "\n", "\n> "))
		}
		return v.Replace(b.String())
	case prev != "":
		return v.Replace(pick(r, followUps))
	case kind == inbox.KindReview:
		return v.Replace(pick(r, reviews))
	case kind == inbox.KindDM && r.IntN(3) > 0:
		return v.Replace(pick(r, dms))
	}
	return v.Replace(pick(r, comments))
}

func (g *gen) reply(kind inbox.Kind, v *strings.Replacer, agent string) string {
	sig := strings.ToUpper(agent[:1]) + agent[1:]
	switch kind {
	case inbox.KindEmail:
		return v.Replace(pick(g.r, emailReplies)) + "\n\nKind regards,\n" + sig + "\nAcme Coffee customer care"
	case inbox.KindReview:
		return v.Replace(pick(g.r, reviewReplies)) + " — " + sig
	}
	return v.Replace(pick(g.r, replies)) + " ^" + sig[:1]
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }
