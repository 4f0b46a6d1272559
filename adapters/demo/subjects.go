package demo

import "github.com/triage-inbox/triage/inbox"

// subjects are what customers put on an email's subject line, by topic, with the
// conversation's {slots}. They are chosen without the generator's random numbers, so the
// rest of the demo is the same with or without them.
var subjects = map[string]string{
	"praise": "Loving my {product}", "question": "Question about the {product}", "feature": "An idea for the {product}",
	"wholesale": "Wholesale enquiry", "stock": "Is the {product} coming back?",
	"shipping": "Where is order {order}?", "complaint": "Not happy with my {product}",
	"damaged": "{product} arrived damaged (order {order})", "refund": "Refund for order {order}",
	"cancel": "Cancel my subscription", "billing": "Charged twice for order {order}", "bug": "Problem with my {product}",
	"legal": "Formal complaint", "safety": "{product}: safety concern", "spam": "Partnership opportunity",
}

// subject is the subject of the next message of an email conversation: the topic's for
// the first, "Re: " it after; "" on other channels.
func (c *conv) subject() string {
	if c.kind != inbox.KindEmail || c.topic == nil {
		return ""
	}
	s := fill(subjects[c.topic.name], c.slots)
	if s != "" && len(c.msgs) > 0 {
		s = "Re: " + s
	}
	return s
}
