package inbox

import (
	"context"

	"github.com/triage-inbox/triage/store"
)

// AuthorHistory is what the inbox knows of a conversation's author across channels:
// the contacts taken to be them, how many messages they wrote and when, the tags their
// conversations carry, and a few of their other conversations, latest first.
type AuthorHistory = store.AuthorHistory

// AuthorContact is one of the author's contacts, on one channel.
type AuthorContact = store.AuthorContact

// AuthorConversation is another conversation the author wrote in.
type AuthorConversation = store.AuthorConversation

// maxAuthorContacts bounds how many contacts count as one person: a common display name
// ("Customer", "John") would otherwise pull in half the inbox.
const maxAuthorContacts = 20

// AuthorHistory gathers the history of the author of conversation convID, with up to
// limit of their other conversations. The author is the conversation's contact, plus
// every contact on any channel with the same handle (without a leading "@", case
// ignored) or the same display name. A conversation with no known author has an empty
// history.
func (s *Service) AuthorHistory(ctx context.Context, convID int64, limit int) (AuthorHistory, error) {
	info, err := s.db.Conversation(ctx, convID)
	if err != nil {
		return AuthorHistory{}, err
	}
	if info.ContactID == 0 {
		return AuthorHistory{}, nil
	}
	contacts, err := s.db.AuthorContacts(ctx, store.AuthorMatch{ContactID: info.ContactID,
		Handle: info.AuthorHandle, Name: info.AuthorName, Max: maxAuthorContacts})
	if err != nil {
		return AuthorHistory{}, err
	}
	return s.db.AuthorHistory(ctx, contacts, convID, limit)
}

// ThreadLength is how many messages a conversation holds, for saying how many older
// messages Thread left out.
func (s *Service) ThreadLength(ctx context.Context, convID int64) (int, error) {
	return s.db.ConversationLength(ctx, convID)
}
