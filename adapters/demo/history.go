package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// step is one thing the team did: what, to which conversation, when and by whom.
type step struct {
	at    time.Time
	agent string
	conv  *conv
	what  string
	do    func(ctx context.Context, s *inbox.Service, id int64) error
}

// planner lays out the history. It draws from its own random stream, so the history can
// change without reshuffling the messages.
type planner struct {
	r     *rand.Rand
	now   time.Time
	steps []step
	sum   *Summary
}

// wantEscalations is how many cases the team has handed to customer care in two weeks.
const wantEscalations = 25

// planHistory decides the team's two weeks of work, in the order it happened.
func planHistory(w *world, seed int64, sum *Summary) []step {
	p := &planner{r: rand.New(rand.NewPCG(uint64(seed), historyStream)), now: w.now, sum: sum}
	escalate := p.pickEscalations(w)
	var snoozable []*conv
	for _, c := range w.convs {
		switch {
		case c.spam:
			p.spam(c)
			continue
		case c.noReply:
			// Praise that needed only a heart: someone tags the nice ones and closes it.
			at := c.first().Add(p.between(5*time.Minute, 5*time.Hour))
			if p.r.IntN(100) < 40 {
				p.tag(c, at.Add(-time.Minute), "praise")
			}
			p.done(c, at)
			continue
		}
		p.maybeTag(c)
		p.maybeAssign(c, escalate[c])
		free := true
		if escalate[c] {
			free = p.escalate(c)
		}
		switch {
		case !free:
		case c.closer:
			p.done(c, c.last().Add(p.between(5*time.Minute, 3*time.Hour)))
		case c.answered() && p.r.IntN(100) < p.doneChance(c):
			p.done(c, c.last().Add(p.between(10*time.Minute, 20*time.Hour)))
		case c.answered() && !escalate[c] && p.now.Sub(c.last()) < 4*24*time.Hour && c.topic.expectsAnswer():
			snoozable = append(snoozable, c)
		}
	}
	p.snooze(snoozable, 5)
	p.notes(w)
	slices.SortStableFunc(p.steps, func(a, b step) int { return a.at.Compare(b.at) })
	return p.steps
}

// add schedules a step; one that would fall after now never happened.
func (p *planner) add(c *conv, at time.Time, agent, what string, do func(context.Context, *inbox.Service, int64) error) bool {
	at = at.Truncate(time.Second)
	if !at.Before(p.now) {
		return false
	}
	p.steps = append(p.steps, step{at: at, agent: agent, conv: c, what: what, do: do})
	return true
}

func (p *planner) between(lo, hi time.Duration) time.Duration { return between(p.r, lo, hi) }

// spam moves junk to spam. The spam words caught most of it on ingest; the sneaky rest
// an agent catches within a few hours.
func (p *planner) spam(c *conv) {
	p.sum.Spam++
	if !c.sneaky {
		return
	}
	at := c.first().Add(p.between(2*time.Minute, 3*time.Hour))
	if !at.Before(p.now) {
		at = c.first().Add(p.now.Sub(c.first()) / 2)
	}
	p.add(c, at, c.agent, "spam", func(ctx context.Context, s *inbox.Service, id int64) error { return s.Spam(ctx, id) })
}

func (p *planner) tag(c *conv, at time.Time, tag string) {
	if p.add(c, at, c.agent, "tag "+tag, func(ctx context.Context, s *inbox.Service, id int64) error { return s.Tag(ctx, tag, id) }) {
		p.sum.Tagged++
	}
}

// maybeTag tags about a fifth of the conversations whose topic has a tag; VIPs get
// one more, so the team can find creators' posts again.
func (p *planner) maybeTag(c *conv) {
	at := c.first().Add(p.between(2*time.Minute, 4*time.Hour))
	if c.topic.tag != "" && p.r.IntN(100) < 18 {
		p.tag(c, at, c.topic.tag)
	}
	if isVIP(c) {
		p.tag(c, at.Add(time.Minute), "creator")
	}
}

func isVIP(c *conv) bool {
	return c.who != nil && slices.Contains([]string{"brewwithbea", "thepourovernerd", "caffeine_kai", "latteartlena"}, c.who.base)
}

func (p *planner) assign(c *conv, at time.Time, by, to string) {
	if p.add(c, at, by, "assign "+to, func(ctx context.Context, s *inbox.Service, id int64) error { return s.Assign(ctx, to, id) }) {
		p.sum.Assigned++
	}
}

// maybeAssign gives cases an owner: whoever escalates one keeps it, wholesale leads go
// to sam, creators to maria, and now and then an agent takes a thread they mean to follow.
func (p *planner) maybeAssign(c *conv, escalated bool) {
	at := c.first().Add(p.between(time.Minute, 90*time.Minute))
	switch {
	case escalated:
		p.assign(c, at, c.agent, c.agent)
	case c.topic == wholesaleTopic:
		p.assign(c, at, "maria", "sam")
	case isVIP(c):
		p.assign(c, at, "maria", "maria")
	case p.r.IntN(100) < 12:
		p.assign(c, at, c.agent, c.agent)
	}
}

// pickEscalations chooses the cases handed to customer care: every legal and safety
// case, then others that care would handle, until there are wantEscalations.
func (p *planner) pickEscalations(w *world) map[*conv]bool {
	var must, may []*conv
	for _, c := range w.convs {
		switch {
		case c.spam || c.noReply || c.topic.escalate == "":
		case c.topic == legalTopic || c.topic == safetyTopic:
			must = append(must, c)
		case c.closer:
			// The customer already said thanks: nothing left for care to do.
		default:
			may = append(may, c)
		}
	}
	p.r.Shuffle(len(may), func(i, j int) { may[i], may[j] = may[j], may[i] })
	out := map[*conv]bool{}
	for _, c := range append(must, may...) {
		if len(out) == wantEscalations {
			break
		}
		out[c] = true
	}
	return out
}

// escalate hands the case to customer care, with a note saying what care needs to know;
// care resolves some of them later, and then the thread is closed. It reports whether
// the caller may still close or snooze the conversation: only when it came in too
// recently to have been escalated yet.
func (p *planner) escalate(c *conv) bool {
	at := c.first().Add(p.between(10*time.Minute, 3*time.Hour))
	if r := c.firstReply(); !r.IsZero() {
		at = r.Add(p.between(time.Minute, 40*time.Minute))
	}
	prio := c.prio
	switch c.topic {
	case legalTopic, safetyTopic:
		prio = inbox.PriorityUrgent
	case damagedTopic, refundTopic:
		prio = max(prio, inbox.PriorityHigh)
	}
	req := inbox.EscalateRequest{Reason: c.topic.escalate, Priority: &prio, Note: fill(pick(p.r, escalationNotes[c.topic.name]), c.slots)}
	if !p.add(c, at, c.agent, "escalate", func(ctx context.Context, s *inbox.Service, id int64) error { return s.Escalate(ctx, req, id) }) {
		return true
	}
	p.sum.Escalated++
	// A thread that ended in thanks was settled; care closed its side too.
	if p.r.IntN(100) >= 40 && !c.closer {
		return false
	}
	resolved := at.Add(p.between(3*time.Hour, 48*time.Hour))
	if !p.add(c, resolved, c.agent, "resolve", func(ctx context.Context, s *inbox.Service, id int64) error { return s.ResolveEscalation(ctx, id) }) {
		return false
	}
	p.sum.Resolved++
	if c.answered() || c.closer {
		p.done(c, later(resolved, c.last()).Add(p.between(5*time.Minute, 3*time.Hour)))
	}
	return false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// doneChance is how likely an answered conversation is closed: the team sweeps old ones
// more than fresh ones, which may still get a reply.
func (p *planner) doneChance(c *conv) int {
	if p.now.Sub(c.last()) > 72*time.Hour {
		return 38
	}
	return 15
}

func (p *planner) done(c *conv, at time.Time) {
	if p.add(c, at, c.agent, "done", func(ctx context.Context, s *inbox.Service, id int64) error { return s.Done(ctx, id) }) {
		p.sum.Done++
	}
}

// snooze hides up to n recent answered conversations until after now: the team waits
// for a photo, a courier or a customer's test brew.
func (p *planner) snooze(cands []*conv, n int) {
	p.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, c := range cands[:min(n, len(cands))] {
		until := p.now.Add(p.between(12*time.Hour, 3*24*time.Hour)).Truncate(time.Minute)
		at := c.last().Add(p.between(5*time.Minute, 2*time.Hour))
		if p.add(c, at, c.agent, "snooze", func(ctx context.Context, s *inbox.Service, id int64) error { return s.Snooze(ctx, until, id) }) {
			p.sum.Snoozed++
		}
	}
}

// notes leaves the internal notes a team writes to each other: who a creator is, that a
// customer wrote before elsewhere, a pattern worth watching.
func (p *planner) notes(w *world) {
	seen := map[*person]*conv{}
	left := 14
	for _, c := range w.convs {
		if left == 0 {
			return
		}
		var text, by string
		prev := seen[c.who]
		switch {
		case c.spam || c.who == nil:
			continue
		case isVIP(c) && prev == nil:
			text, by = fmt.Sprintf("%s is one of the creators we work with. Keep replies personal, no canned text, and loop in maria before offering anything.", c.who.name), "maria"
		case prev != nil && prev.channel != c.channel && c.topic != praiseTopic:
			text, by = fmt.Sprintf("Same customer wrote to us on %s on %s (%s). Read that thread before replying.",
				inbox.ChannelLabel(prev.channel), prev.first().Format("Jan 2"), prev.topic.name), c.agent
		case c.topic == complaintTopic && p.r.IntN(100) < 30:
			text, by = fill("Logged in the product feedback sheet: {product}. Third note like this in two weeks.", c.slots), c.agent
		case c.topic == wholesaleTopic:
			text, by = fill("Café in {city}. sam to send the trade price list and follow up in a week.", c.slots), "maria"
		}
		seen[c.who] = c
		if text == "" {
			continue
		}
		at := c.first().Add(p.between(15*time.Minute, 6*time.Hour))
		if p.add(c, at, by, "note", func(ctx context.Context, s *inbox.Service, id int64) error { return s.AddNote(ctx, id, text) }) {
			p.sum.Notes++
			left--
		}
	}
}

// escalationNotes tell customer care what they need, per topic, with the case's slots.
var escalationNotes = map[string][]string{
	"damaged": {
		"{product} arrived damaged or faulty ({order}); details and photos in the thread. Replacement promised: please arrange it and claim from the courier.",
		"Customer's {product} ({order}) needs replacing; the thread has the story. Please arrange collection and a swap.",
	},
	"refund": {
		"Refund for {order} ({price}) is overdue by the customer's account. Please check the return and push it through today.",
		"Customer is owed a refund for {order}. Please confirm the amount with them and process it; they've waited long enough.",
	},
	"cancel": {
		"Cancellation done on our side ({order}). Please make sure nothing more is charged and void anything already captured.",
		"Customer asked to cancel; see the thread. Please confirm with them that no further payment goes out.",
	},
	"billing": {
		"Payment problem on {order}; the customer's account of it is in the thread. Please check with the payment provider and put it right.",
		"Billing query on {order}. Please correct the charge and confirm by email.",
	},
	"bug": {
		"Website problem stopping this customer from ordering; details in the thread. Web team ticket needed.",
		"Site issue reported by the customer. Please log it with the web team and tell us when it's fixed so we can let them know.",
	},
	"app-trouble": {
		"App review: the customer's problem with Kettlebird Brew is in the review. Please check it's one 3.1.1 fixes, and tell us if it isn't.",
		"Store review about the app; details in the thread. App team: please log it and let us know when a fix ships so we can reply.",
	},
	"legal": {
		"Customer is threatening legal action over {order}. Needs a written reply from the care lead today.",
		"Formal complaint, legal action mentioned. Please send our complaints procedure and take it from here.",
	},
	"safety": {
		"Safety report on the {product} ({order}): customer unhurt, details and photos in the thread. They've been told to stop using it; please arrange collection and log it for the safety review.",
		"Possible fault on the {product} that could hurt someone. Collect the unit for inspection and offer a replacement.",
	},
}

// String names a step in errors: "2026-05-02T08:16:00Z dev escalate on email thread:<…>".
func (s step) String() string {
	return fmt.Sprintf("%s %s %s on %s %s", s.at.Format(time.RFC3339), s.agent, s.what, s.conv.channel, s.conv.key)
}
