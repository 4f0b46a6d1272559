package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/triage-inbox/triage/store"
)

// Update is news from a channel about a message it delivered before: its author edited
// or removed it, the account hid it or showed it again, or the channel failed to deliver
// a reply of ours it had accepted. Adapters make them of webhooks as they make messages.
//
// What they do to the inbox:
//   - An edit replaces the text shown and searched; every earlier text is kept (the
//     first is shown beside the edited one), nothing a person wrote is lost.
//   - A removal or a hide keeps the message and marks it ("removed on Facebook",
//     "hidden on Instagram"); an unhide takes the hide back.
//   - None of the three changes when the message arrived: an edited or removed question
//     still waited for its answer from the time it was asked.
//   - Failed makes a reply of ours that was sent (or of unknown fate) failed with the
//     channel's reason, as if the channel had refused it: it stops answering, what it
//     answered waits again with its due time, and a conversation waiting on the customer
//     opens again. A message not sent from triage has nothing to fail and is left alone.
//
// Updates are idempotent: a repeated delivery changes nothing. One for a message not
// stored yet is kept and applied when the message arrives (an edit delivered before its
// message is not lost), for up to a week.
type Update struct {
	Channel, Account, ID string
	At                   time.Time // when it happened; orders edits, hides and unhides
	Text                 *string   // an edit: the new text
	Removed              bool      // the author or the account removed it
	Hidden               *bool     // hidden (true) or shown again (false)
	Failed               string    // the channel's reason our reply never reached the customer
}

// UpdateCounts says what ApplyUpdates did.
type UpdateCounts struct {
	Applied   int // changed a stored message
	Unchanged int // already applied, or overtaken by a newer one
	Kept      int // for a message not stored yet: kept until it arrives
}

// Validate checks an update names a message and says something about it.
func (u *Update) Validate() error {
	switch {
	case NormalizeChannel(u.Channel) == "":
		return &FieldError{"channel", "required"}
	case u.ID == "":
		return &FieldError{"id", "required"}
	case u.Text != nil && strings.TrimSpace(*u.Text) == "":
		return &FieldError{"text", "an edit needs the new text"}
	case u.Text == nil && !u.Removed && u.Hidden == nil && u.Failed == "":
		return &FieldError{"update", "says nothing: want an edit, a removal, a hide or a failure"}
	}
	return nil
}

// ApplyUpdates applies updates in one transaction, all or none, and then those kept
// earlier whose message is stored by now (a reply whose channel id was recorded after
// its status came). An invalid update is an error and nothing is applied.
func (s *Service) ApplyUpdates(ctx context.Context, us []Update) (UpdateCounts, error) {
	var counts UpdateCounts
	for i := range us {
		if err := us[i].Validate(); err != nil {
			return counts, fmt.Errorf("update %d (%s): %w", i, us[i].ID, err)
		}
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		counts = UpdateCounts{}
		now := ms(s.now())
		var reopen []int64
		for _, u := range us {
			su := store.MessageUpdate{Channel: NormalizeChannel(u.Channel), Account: u.Account, ExtID: u.ID,
				Text: u.Text, Removed: u.Removed, Hidden: u.Hidden, Failed: u.Failed}
			if !u.At.IsZero() {
				su.At = ms(u.At)
			}
			o, err := tx.ApplyUpdate(ctx, su, now)
			if err != nil {
				return fmt.Errorf("apply update of %s: %w", u.ID, err)
			}
			switch {
			case o.Pending:
				counts.Kept++
			case o.Applied:
				counts.Applied++
			default:
				counts.Unchanged++
			}
			if o.ReplyFailed {
				reopen = append(reopen, o.ConversationID)
			}
		}
		late, err := tx.ApplyPending(ctx, now)
		if err != nil {
			return err
		}
		for _, o := range late {
			if o.ReplyFailed {
				reopen = append(reopen, o.ConversationID)
			}
		}
		for _, conv := range reopen {
			if err := reopenIfWaiting(ctx, tx, conv, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return UpdateCounts{}, err
	}
	return counts, nil
}
