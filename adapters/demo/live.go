package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// Live is the demo's simulated live channel: it drips a new customer message every few
// seconds so a newcomer sees the queue move, and accepts every reply as posted.
//
// The demo inbox is kept between sessions, and so is the cursor the sync engine keeps for
// this channel: a reopened demo goes on from where the last session stopped, with the
// first new message a few seconds after it opens (not after as long as the last session
// lasted), and once the prepared messages are used up it goes round them again under new
// ids, so a demo opened for the tenth time still moves.
type Live struct {
	msgs  []inbox.Message
	start time.Time
	every time.Duration
	now   func() time.Time
	mu    sync.Mutex
	base  int  // the cursor of this session's first fetch
	begun bool // base is set
	sent  int
}

// NewLive prepares the messages the demo will drip, one every `every` from start. They are
// new first messages from the same cast, on every channel, deterministic for the seed.
func NewLive(seed int64, start time.Time, every time.Duration, now func() time.Time) *Live {
	l := &Live{start: start, every: every, now: now}
	seen := map[string]bool{}
	for _, m := range Messages(seed+7919, start) {
		first := !seen[m.Channel+"\x00"+m.Conversation]
		seen[m.Channel+"\x00"+m.Conversation] = true
		if m.Direction != inbox.In || !first {
			continue
		}
		l.msgs = append(l.msgs, m)
		if len(l.msgs) == 200 {
			break
		}
	}
	return l
}

// Capabilities: replies are accepted, and the same key is never posted twice.
func (l *Live) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Idempotent: true}
}

// Fetch returns the messages whose time has come since the cursor: the number of messages
// dripped so far, in this session and the ones before it.
func (l *Live) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	from, _ := strconv.Atoi(cursor)
	l.mu.Lock()
	if !l.begun {
		l.base, l.begun = from, true
	}
	base := l.base
	l.mu.Unlock()
	var b adapters.Batch
	if len(l.msgs) == 0 {
		return b, nil
	}
	due := base + int(l.now().Sub(l.start)/l.every)
	for i := from; i < due; i++ {
		m := liveMessage(l.msgs[i%len(l.msgs)], i)
		m.CreatedAt = l.start.Add(time.Duration(i-base+1) * l.every)
		b.Messages = append(b.Messages, m)
	}
	b.Cursor = strconv.Itoa(max(due, from))
	return b, nil
}

// Send accepts a reply as posted on the simulated channel.
func (l *Live) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	l.mu.Lock()
	l.sent++
	l.mu.Unlock()
	return "demo-" + out.Key, nil
}

// liveMessage is the i-th message dripped: a prepared one under an id of its own, in a
// conversation of its own, except that on Meta's channels a DM joins the person's thread,
// as it does there, and ids and keys are Meta's (see metaids.go).
func liveMessage(m inbox.Message, i int) inbox.Message {
	if !isMeta(m.Channel) {
		m.ID = fmt.Sprintf("live-%d-%s", i, m.ID)
		m.Conversation = "live:" + m.ID
		return m
	}
	n := mix(uint64(i) + 0x6c697665)
	c := &conv{channel: m.Channel, kind: m.Kind}
	switch {
	case m.Channel == meta.ChannelWhatsApp:
		m.ID = wamid(m.Author.ID, inbox.In, n)
	case m.Kind == inbox.KindDM && m.Channel == meta.ChannelInstagram:
		m.ID = "aWdfZAG" + b64(n, 73)
	case m.Kind == inbox.KindDM:
		m.ID = "m_" + b64(n, 86)
	case m.Kind == inbox.KindReview:
		m.ID = fmt.Sprintf("1%015d", n%1e15)
		m.Conversation = "review:" + m.ID
	case m.Channel == meta.ChannelInstagram:
		c.post = fmt.Sprint(18_100_000_000_000_000 + n%100_000_000_000_000)
		m.ID, m.Conversation = fmt.Sprint(17_800_000_000_000_000+mix(n)%100_000_000_000_000), "media:"+c.post
		if m.Kind == inbox.KindMention {
			m.ID = c.post
		}
	default: // a comment on a Facebook post, or a visitor's post
		post := fmt.Sprint(123_000_000_000_000_000 + n%1_000_000_000_000_000)
		c.post = pageID + "_" + post
		m.ID, m.Conversation = post+"_"+fmt.Sprint(1_000_000_000_000_000+mix(n)%1_000_000_000_000_000), "post:"+c.post
		if m.Kind == inbox.KindMention {
			m.ID = c.post
		}
	}
	if m.URL != "" {
		m.URL = metaURL(c, m.ID)
	}
	return m
}

// Channels are the channels the demo inbox has messages on.
var Channels = slices.Clone(channels)
