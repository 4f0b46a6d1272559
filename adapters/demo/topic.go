package demo

import (
	"math/rand/v2"
	"strings"
)

// topic is what a conversation is about: how customers open it, what they add after a
// reply, how the team answers, and what the team later does with it (tag, escalate).
// Texts are templates whose {slots} are filled per conversation, so one customer's
// product, order number and courier stay the same from message to message.
type topic struct {
	name   string
	weight int // relative frequency among conversations

	// Templates may carry the team's answer, and a follow-up, after "||"; see splitAnswer.
	short  []string            // openers for short-form posts: X, Bluesky, comments
	long   []string            // openers with room: email, DMs, Reddit, Facebook
	review []string            // Facebook reviews
	intl   map[string][]string // openers in the author's own language
	follow []string            // the customer's next message after a reply

	replies []string // the team's answer to an opener that carries none; may carry "||" a follow-up and its answer

	tag      string // the tag an agent adds by hand, "" for none
	escalate string // the escalation reason when it goes to customer care, "" if it never does
	products []string
}

// topics are weighted so that the inbox looks like a week at a small gear shop: mostly
// praise, questions and parcels, some complaints, a handful of cases that cannot wait.
var topics = []*topic{
	praiseTopic, questionTopic, shippingTopic, complaintTopic, damagedTopic, refundTopic,
	cancelTopic, billingTopic, featureTopic, wholesaleTopic, bugTopic, stockTopic,
	legalTopic, safetyTopic, spamTopic, appTroubleTopic, appPraiseTopic,
}

// expectsAnswer says whether the customer waits for a reply and chases a slow one; people
// who send praise or an idea do not.
func (t *topic) expectsAnswer() bool { return t != praiseTopic && t != featureTopic }

func pickTopic(r *rand.Rand) *topic {
	total := 0
	for _, t := range topics {
		total += t.weight
	}
	n := r.IntN(total)
	for _, t := range topics {
		if n < t.weight {
			return t
		}
		n -= t.weight
	}
	return topics[0]
}

// products are Kettlebird's catalogue, each with its price.
var products = map[string]string{
	"Wren grinder": "€189", "Heron kettle": "€129", "Finch dripper": "€34", "Starling espresso machine": "€549",
	"Robin scale": "€59", "Sparrow travel mug": "€29", "Magpie milk frother": "€79", "Kestrel cold brew jar": "€42",
	"Swift hand grinder": "€99", "Plover glass carafe": "€38", "Flock bean subscription": "€18",
}

var (
	allGear    = []string{"Wren grinder", "Heron kettle", "Finch dripper", "Starling espresso machine", "Robin scale", "Sparrow travel mug", "Magpie milk frother", "Kestrel cold brew jar", "Swift hand grinder", "Plover glass carafe"}
	electric   = []string{"Wren grinder", "Heron kettle", "Starling espresso machine", "Magpie milk frother", "Robin scale"}
	fragile    = []string{"Finch dripper", "Plover glass carafe", "Kestrel cold brew jar", "Heron kettle", "Robin scale"}
	heaters    = []string{"Heron kettle", "Starling espresso machine", "Magpie milk frother"}
	subscribed = []string{"Flock bean subscription"}
	colours    = []string{"sage green", "matte black", "chalk white", "terracotta", "steel", "midnight blue"}
)

// markers are slots that name which product a template is about: "{device}" picks
// something with a plug, "{kettle}" the Heron. A template that uses one makes that the
// conversation's {product}, so later messages and notes name the same thing.
var markers = []struct {
	name     string
	products []string
}{
	{"device", electric},
	{"glass", []string{"Finch dripper", "Plover glass carafe", "Kestrel cold brew jar"}},
	{"kettle", []string{"Heron kettle"}},
	{"mug", []string{"Sparrow travel mug"}},
	{"wren", []string{"Wren grinder"}},
	{"finch", []string{"Finch dripper"}},
	{"brewer", []string{"Finch dripper", "Heron kettle", "Wren grinder", "Swift hand grinder", "Robin scale"}},
}

// closers are a customer's last word after a good answer; they need no reply, so an
// agent closes the conversation instead.
var closers = []string{
	"Perfect, thank you so much! 🙏", "Brilliant, thanks {agentName}!", "That's great, thanks for sorting it so quickly.",
	"Thanks! Appreciate the quick reply 😊", "Got it, cheers!", "Amazing service, thank you ❤️",
	"Ok that makes sense, thanks!", "You're the best, thank you!", "Received, thanks a lot 👍",
	"Thank you! Have a lovely weekend.",
}

// chasers are what a customer writes when the answer is slow in coming.
var chasers = []string{
	"Hello? Any news on this?", "Hi again, just bumping this up.", "Is anyone reading these? 🙄",
	"Any update? It's been a while.", "Still hoping to hear back on this…", "?? Would really like an answer please",
	"Following up on my message above.",
}

// splitAnswer separates a template from the team's answer to it, "" when it has none:
// a specific question gets its specific answer. What follows a second "||" is the
// customer's own follow-up to that answer, itself a template with an answer.
func splitAnswer(tpl string) (text, answer, follow string) {
	text, answer, _ = strings.Cut(tpl, "||")
	answer, follow, _ = strings.Cut(answer, "||")
	return text, answer, follow
}

// laterReplies answer a follow-up that carries no answer of its own.
var laterReplies = []string{
	"Thanks, {name}, that's everything I need. I'll come back to you as soon as I have news. ^{agent}",
	"Got it, thank you! I've updated your order notes and I'll keep an eye on it. ^{agent}",
	"Thanks for the extra detail, {name}. Leave it with me and I'll write back today. ^{agent}",
	"Perfect, thanks {name}. That's sorted on our side now, shout if anything else comes up. ^{agent}",
	"Thanks {name}! I've passed that on and I'll let you know what they say. ^{agent}",
	"Good to know, thank you. I'll check and get back to you shortly. ^{agent}",
}

// emailGreetings and emailSignoffs wrap a customer's email; {first} and {full} are the
// customer's names.
var (
	emailGreetings = []string{"Hi,", "Hello Kettlebird team,", "Hi there,", "Good morning,", "Dear Kettlebird,", "Hey,"}
	emailSignoffs  = []string{"Thanks,\n{first}", "Best,\n{first}", "Cheers,\n{first}", "{first}", "Kind regards,\n{full}", "Many thanks,\n{full}\nSent from my phone"}
)

// fill replaces every {slot} in tpl. Slots are looked up in order so the result does
// not depend on map iteration.
func fill(tpl string, slots [][2]string) string {
	if !strings.Contains(tpl, "{") {
		return tpl
	}
	args := make([]string, 0, 2*len(slots))
	for _, s := range slots {
		args = append(args, "{"+s[0]+"}", s[1])
	}
	return strings.NewReplacer(args...).Replace(tpl)
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }
