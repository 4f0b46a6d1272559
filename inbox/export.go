package inbox

import (
	"context"
	"time"

	"github.com/triage-inbox/triage/store"
)

// EscalationInfo is a conversation's latest escalation, as export writes it.
type EscalationInfo struct {
	Reason string `json:"reason"`
	Status string `json:"status"`
}

// ExportRecord is one message as `triage export` writes it: the import format plus the
// conversation's state, tags and escalation. Importing it again reads the message part.
type ExportRecord struct {
	Message
	State      State           `json:"state"`
	Tags       []string        `json:"tags"`
	Escalation *EscalationInfo `json:"escalation,omitempty"`
}

// ExportRequest chooses what to export: messages created in [Since, Until) matching Query.
type ExportRequest struct {
	Since, Until time.Time
	Query        string
}

// Export streams the chosen messages, inbound and outbound, in time order.
func (s *Service) Export(ctx context.Context, req ExportRequest, fn func(ExportRecord) error) error {
	q, err := ParseQuery(req.Query)
	if err != nil {
		return err
	}
	until := req.Until
	if until.IsZero() {
		until = time.Unix(1<<40, 0)
	}
	w := store.Window{SinceMS: ms(req.Since), UntilMS: ms(until), Filter: q.Cond, Env: s.env()}
	return s.db.ExportRows(ctx, w, func(r store.ExportRow) error {
		rec := ExportRecord{
			Message: Message{
				Channel: r.Channel, Account: r.Account, ID: r.ExtID, Conversation: r.ConvKey, Kind: Kind(r.Kind),
				Direction: Direction(r.Direction), Text: r.Text, Subject: r.Subject, CreatedAt: fromMS(r.CreatedAt), InReplyTo: r.InReplyTo,
				URL: r.URL, Agent: r.Agent,
			},
			State: State(r.State),
			Tags:  r.Tags,
		}
		if rec.Tags == nil {
			rec.Tags = []string{}
		}
		if r.AuthorExtID != "" || r.AuthorHandle != "" || r.AuthorName != "" {
			rec.Author = &Author{ID: r.AuthorExtID, Handle: r.AuthorHandle, Name: r.AuthorName}
		}
		if r.EscalationReason != "" {
			rec.Escalation = &EscalationInfo{Reason: r.EscalationReason, Status: r.EscalationStatus}
		}
		return fn(rec)
	})
}
