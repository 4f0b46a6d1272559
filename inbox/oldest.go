package inbox

import (
	"context"
	"time"
)

// Waiting is a conversation that waits for a first reply, told by its oldest unanswered
// inbound message: who wrote it, where, what it says and how long it has waited.
type Waiting struct {
	ConversationID int64
	MessageID      int64
	Channel        string
	Account        string // our account's handle on the channel
	Kind           Kind
	State          State
	Priority       Priority
	AuthorName     string // as the channel gave it: untrusted, sanitize before showing
	AuthorHandle   string // likewise
	Excerpt        string // the start of the message on one line (untrusted)
	Arrived        time.Time
	Due            time.Time // when its first reply is due under the current SLA targets
}

// excerptRunes is how much of a message Waiting.Excerpt keeps.
const excerptRunes = 160

// Overdue reports whether the message is past its SLA due time at now.
func (w Waiting) Overdue(now time.Time) bool { return !w.Due.After(now) }

// Age is how long the message has waited at now.
func (w Waiting) Age(now time.Time) time.Duration { return now.Sub(w.Arrived) }

// OldestUnanswered returns up to n conversations that have waited longest for a reply,
// oldest first, each by its oldest unanswered inbound message (a customer who wrote five
// comments takes one row, not five). Conversations in spam, done or snoozed are left out.
func (s *Service) OldestUnanswered(ctx context.Context, n int) ([]Waiting, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.db.OldestUnanswered(ctx, n)
	if err != nil {
		return nil, err
	}
	out := make([]Waiting, 0, len(rows))
	for _, r := range rows {
		w := Waiting{
			ConversationID: r.ConversationID, MessageID: r.MessageID,
			Channel: r.Channel, Account: r.Account, Kind: Kind(r.Kind), State: State(r.State),
			Priority: Priority(r.Priority), AuthorName: r.AuthorName, AuthorHandle: r.AuthorHandle,
			Excerpt: firstWords(r.Text, excerptRunes), Arrived: fromMS(r.CreatedAt),
		}
		if r.DueAt != 0 {
			w.Due = fromMS(r.DueAt)
		} else {
			w.Due = s.dueAt(r.Channel, w.Priority, w.Arrived)
		}
		out = append(out, w)
	}
	return out, nil
}
