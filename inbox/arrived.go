package inbox

import (
	"context"

	"github.com/triage-inbox/triage/store"
)

// Collisions: a reply written while something arrived in the conversation may answer a
// question that is no longer the last one, or repeat what a colleague just said. The
// composer marks where the conversation stood when it opened, and sending first asks
// what arrived since; when something did, it shows it and the next send goes.

// Mark is how far into a conversation someone has read (see store.Mark).
type Mark = store.Mark

// Arrivals are what others added to a conversation after a mark.
type Arrivals struct {
	Messages []MessageRow // the customer's messages and other agents' replies, oldest first
	Notes    []Note       // other agents' notes, oldest first
}

// Count is how many things arrived.
func (a Arrivals) Count() int { return len(a.Messages) + len(a.Notes) }

// Latest is the newest arrival in words: who, what they did ("wrote", "replied",
// "noted") and the text. ok is false when nothing arrived.
func (a Arrivals) Latest() (who, did, text string, ok bool) {
	var m *MessageRow
	if n := len(a.Messages); n > 0 {
		m = &a.Messages[n-1]
	}
	var note *Note
	if n := len(a.Notes); n > 0 {
		note = &a.Notes[n-1]
	}
	switch {
	case note != nil && (m == nil || note.CreatedAt >= m.CreatedAt):
		return note.Agent, "noted", note.Text, true
	case m != nil && m.Direction == string(Out):
		return m.Agent, "replied", m.Text, true
	case m != nil:
		who := m.AuthorName
		if who == "" {
			who = m.AuthorHandle
		}
		return who, "wrote", m.Text, true
	}
	return "", "", "", false
}

// arrivalsShown is the most arrivals of each kind read back: the composer names the
// newest and counts them, and more than this is "many".
const arrivalsShown = 50

// MarkOf reads where a conversation stands now, for Arrived to compare with later.
func (s *Service) MarkOf(ctx context.Context, convID int64) (Mark, error) {
	return s.db.ConversationMark(ctx, convID)
}

// Arrived is what others added to a conversation after mark: the customer's messages,
// other agents' replies (not those taken back) and notes. The agent's own are not
// news to them.
func (s *Service) Arrived(ctx context.Context, convID int64, mark Mark) (Arrivals, error) {
	msgs, notes, err := s.db.ArrivedSince(ctx, convID, mark, s.agent, arrivalsShown)
	return Arrivals{Messages: msgs, Notes: notes}, err
}
