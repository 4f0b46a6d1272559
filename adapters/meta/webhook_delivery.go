package meta

import (
	"github.com/triage-inbox/triage/inbox"
)

// Delivery is what one webhook delivery holds: new messages, news about messages
// delivered before (edits, removals, hides, failed statuses), and the shapes skipped,
// named so the log says what was left out.
type Delivery struct {
	Messages []inbox.Message
	Updates  []inbox.Update
	Skipped  []string
}

// add appends what one change or event held.
func (d *Delivery) add(o Delivery) {
	d.Messages = append(d.Messages, o.Messages...)
	d.Updates = append(d.Updates, o.Updates...)
	d.Skipped = append(d.Skipped, o.Skipped...)
}

// skip is a delivery of one skipped shape.
func skip(why string) Delivery { return Delivery{Skipped: []string{why}} }

// messageEdit reads a message_edit event: a DM its author edited (Messenger and
// Instagram send the new text and how many times it was edited).
func messageEdit(shape, channel string, e entry, ev messaging) Delivery {
	me := ev.MessageEdit
	if me.Mid == "" {
		return skip(shape + ": message_edit without mid")
	}
	if me.Text == "" {
		return skip(shape + ": message_edit without text")
	}
	text := me.Text
	return Delivery{Updates: []inbox.Update{{Channel: channel, Account: e.ID, ID: me.Mid,
		At: firstTime(ev.Timestamp, e.Time), Text: &text}}}
}
