package inbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PrivateReplyWithin is how long after a comment Meta takes a private reply to it (a DM
// to the commenter, sent with recipient.comment_id): 7 days, one per comment.
const PrivateReplyWithin = 7 * 24 * time.Hour

// privateChannels are the channels whose comments take a private reply.
var privateChannels = map[string]bool{"facebook": true, "instagram": true}

// ErrNoPrivateReply is the sentinel of every *PrivateReplyError.
var ErrNoPrivateReply = errors.New("no private reply here")

// PrivateReplyError says why a conversation takes no private reply, in words a person
// acts on.
type PrivateReplyError struct{ Why string }

func (e *PrivateReplyError) Error() string { return "no private reply here: " + e.Why }

// Is makes errors.Is(err, ErrNoPrivateReply) true.
func (e *PrivateReplyError) Is(target error) bool { return target == ErrNoPrivateReply }

// PrivateTarget is what a private reply in a conversation would answer.
type PrivateTarget struct {
	Channel  string
	Comment  MessageRow // the comment answered: the customer's latest in the conversation
	ClosesAt time.Time  // when Meta stops taking a private reply to it
}

// IsCommentConversation reports whether a conversation key names the comments under
// one post, as the Meta adapters key them ("media:<id>" on Instagram, "post:<id>" on a
// Facebook Page).
func IsCommentConversation(key string) bool {
	return strings.HasPrefix(key, "media:") || strings.HasPrefix(key, "post:")
}

// PrivateReplyTarget says what a private reply in a conversation would answer, or why
// there is none (a *PrivateReplyError): the conversation must be the comments under an
// Instagram or Facebook post, and its latest comment from a customer less than 7 days
// old and not yet answered privately.
func (s *Service) PrivateReplyTarget(ctx context.Context, convID int64) (PrivateTarget, error) {
	c, err := s.db.Conversation(ctx, convID)
	if err != nil {
		return PrivateTarget{}, err
	}
	no := func(format string, args ...any) (PrivateTarget, error) {
		return PrivateTarget{}, &PrivateReplyError{Why: fmt.Sprintf(format, args...)}
	}
	switch {
	case !privateChannels[c.Channel]:
		return no("private replies answer Instagram and Facebook comments, and this is %s", ChannelLabel(c.Channel))
	case Kind(c.Kind) == KindDM:
		return no("this is already a direct conversation: answer it with a reply")
	case Kind(c.Kind) == KindMention:
		// Meta takes private replies to comments on the account's own posts only.
		return no("this is a post that mentions the account, and Meta takes private replies to comments on your own posts only")
	case !IsCommentConversation(c.ExtKey):
		return no("private replies answer comments under a post, and this conversation is a %s", c.Kind)
	}
	last, after, err := s.tail(ctx, convID)
	if err != nil {
		return PrivateTarget{}, fmt.Errorf("private reply in conversation %d: %w", convID, err)
	}
	if last == nil {
		return no("no comment from a customer to answer")
	}
	who := cmp.Or(last.AuthorName, "the customer")
	if h := strings.TrimPrefix(last.AuthorHandle, "@"); h != "" {
		who = "@" + h // Graph gives usernames bare; people write them with an @
	}
	closes := fromMS(last.CreatedAt).Add(PrivateReplyWithin)
	if !s.now().Before(closes) {
		return no("%s's comment is %s old, and Meta takes a private reply within 7 days of a comment",
			who, FormatDuration(s.now().Sub(fromMS(last.CreatedAt))))
	}
	for _, m := range after {
		if Kind(m.Kind) == KindDM && m.Direction == string(Out) && m.OutboxStatus != OutboxFailed && m.OutboxStatus != OutboxCancelled {
			return no("%s's comment already has its private reply (Meta takes one per comment)", who)
		}
	}
	return PrivateTarget{Channel: c.Channel, Comment: *last, ClosesAt: closes}, nil
}

// ReplyPrivately answers the latest comment of a comment conversation with a direct
// message to its author. It is a reply like any other (the outbox, the undo window, the
// brand voice and length checks, the draft cleared, the conversation waiting) whose
// message is a DM in the comment conversation: the outbox hands the adapter Kind DM, the
// conversation's key and InReplyTo the comment, and the adapter sends it with
// recipient.comment_id. For response times it answers the comments before it, as a
// public reply would. Where no private reply applies it returns a *PrivateReplyError.
func (s *Service) ReplyPrivately(ctx context.Context, convID int64, text string) (Sent, error) {
	if _, err := s.PrivateReplyTarget(ctx, convID); err != nil {
		return Sent{}, err
	}
	var sent Sent
	err := s.action(ctx, []int64{convID}, func(a *act, id int64) error {
		var err error
		sent, err = a.replyAs(id, text, KindDM)
		return err
	})
	if err != nil {
		return Sent{}, fmt.Errorf("private reply in conversation %d: %w", convID, err)
	}
	return sent, nil
}

// tail is a conversation's inbound message with the latest written time (nil when there
// is none) and every message after it, newest first: pages by keyset until the first
// inbound message.
func (s *Service) tail(ctx context.Context, convID int64) (*MessageRow, []MessageRow, error) {
	var after []MessageRow
	var beforeAt, beforeID int64
	for {
		page, err := s.db.Messages(ctx, convID, beforeAt, beforeID, windowPage)
		if err != nil {
			return nil, nil, err
		}
		for i := len(page) - 1; i >= 0; i-- { // the page is oldest first
			if page[i].Direction == string(In) {
				return &page[i], after, nil
			}
			after = append(after, page[i])
		}
		if len(page) < windowPage {
			return nil, after, nil
		}
		beforeAt, beforeID = page[0].CreatedAt, page[0].ID
	}
}
