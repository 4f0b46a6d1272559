package meta

import (
	"encoding/json"

	"github.com/triage-inbox/triage/inbox"
)

// Delivery is what one webhook delivery holds: new messages, news about messages
// delivered before (edits, removals, hides, failed statuses), and the shapes skipped,
// named so the log says what was left out.
type Delivery struct {
	Messages []inbox.Message
	Updates  []inbox.Update
	Skipped  []string
	// Mentions name comments and captions that @mention an Instagram account: Meta's
	// mentions webhook carries only their ids, so the account's adapter reads them
	// (instagram.Adapter.Mention) before they are stored.
	Mentions []Mention
}

// Mention is an Instagram @mention Meta's webhook announced: in a comment (CommentID set)
// or in a post's caption (MediaID only), of the IG user Account.
type Mention struct {
	Account, MediaID, CommentID string
}

// add appends what one change or event held.
func (d *Delivery) add(o Delivery) {
	d.Messages = append(d.Messages, o.Messages...)
	d.Updates = append(d.Updates, o.Updates...)
	d.Skipped = append(d.Skipped, o.Skipped...)
	d.Mentions = append(d.Mentions, o.Mentions...)
}

// instagramMention reads a mentions change: {"media_id": …, "comment_id": …}.
func instagramMention(e entry, raw json.RawMessage) (Delivery, string, error) {
	var v struct {
		MediaID   string `json:"media_id"`
		CommentID string `json:"comment_id"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return Delivery{}, "", err
	}
	if v.MediaID == "" || e.ID == "" {
		return Delivery{}, "mention without media_id", nil
	}
	return Delivery{Mentions: []Mention{{Account: e.ID, MediaID: v.MediaID, CommentID: v.CommentID}}}, "", nil
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
