package inbox

import (
	"context"
	"time"
)

// ConversationDoc is a conversation as outside tools receive it: the JSON a key bound to a
// shell command gets on standard input (a team's own ticket script, say).
type ConversationDoc struct {
	ID           int64            `json:"id"`
	Conversation string           `json:"conversation"`
	Channel      string           `json:"channel"`
	Account      string           `json:"account"`
	Kind         Kind             `json:"kind"`
	State        State            `json:"state"`
	Priority     string           `json:"priority"`
	Assignee     string           `json:"assignee,omitempty"`
	Tags         []string         `json:"tags"`
	Author       *Author          `json:"author,omitempty"`
	Messages     []Message        `json:"messages"`
	Notes        []NoteDoc        `json:"notes,omitempty"`
	Escalations  []EscalationInfo `json:"escalations,omitempty"`
}

// NoteDoc is an internal note in a ConversationDoc.
type NoteDoc struct {
	Agent     string    `json:"agent"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// maxDocMessages bounds the messages a ConversationDoc carries: the newest ones.
const maxDocMessages = 500

// ConversationDoc builds the outside view of a conversation with its newest messages.
func (s *Service) ConversationDoc(ctx context.Context, id int64) (ConversationDoc, error) {
	t, err := s.Thread(ctx, id, maxDocMessages)
	if err != nil {
		return ConversationDoc{}, err
	}
	i := t.Info
	d := ConversationDoc{ID: i.ID, Conversation: i.ExtKey, Channel: i.Channel, Account: i.Account, Kind: Kind(i.Kind),
		State: State(i.State), Priority: Priority(i.Priority).String(), Assignee: i.Assignee, Tags: i.Tags,
		Messages: []Message{}}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	if i.AuthorExtID != "" || i.AuthorHandle != "" || i.AuthorName != "" {
		d.Author = &Author{ID: i.AuthorExtID, Handle: i.AuthorHandle, Name: i.AuthorName}
	}
	for _, m := range t.Messages {
		msg := Message{Channel: m.Channel, Account: m.Account, ID: m.ExtID, Conversation: i.ExtKey, Kind: Kind(m.Kind),
			Direction: Direction(m.Direction), Text: m.Text, Subject: m.Subject, CreatedAt: fromMS(m.CreatedAt), InReplyTo: m.InReplyTo, URL: m.URL, Agent: m.Agent,
			Rating: m.Rating, AppVersion: m.AppVersion, Language: m.Language}
		if m.Direction == string(In) {
			msg.Author = &Author{ID: m.AuthorExtID, Handle: m.AuthorHandle, Name: m.AuthorName}
		}
		d.Messages = append(d.Messages, msg)
	}
	for _, n := range t.Notes {
		d.Notes = append(d.Notes, NoteDoc{Agent: n.Agent, Text: n.Text, CreatedAt: fromMS(n.CreatedAt)})
	}
	for _, e := range t.Escalations {
		d.Escalations = append(d.Escalations, EscalationInfo{Reason: e.Reason, Status: e.Status})
	}
	return d, nil
}
