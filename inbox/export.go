package inbox

import (
	"context"
	"slices"
	"time"

	"github.com/triage-inbox/triage/store"
)

// EscalationInfo is a conversation's latest escalation, as export writes it.
type EscalationInfo struct {
	Reason string `json:"reason"`
	Status string `json:"status"`
}

// ExportRecord is one message as `triage export` writes it: the import format plus what
// people and triage did with the message and its conversation. Import reads all of it
// back (see Restore), so export then import into an empty database gives the same inbox.
type ExportRecord struct {
	Message
	// Of the message.
	ClosedAt  *time.Time `json:"closed_at,omitempty"` // inbound, closed without reply
	Status    string     `json:"status,omitempty"`    // outbound written in triage: its outbox status
	Priority  string     `json:"priority,omitempty"`  // inbound
	Spam      bool       `json:"spam,omitempty"`      // inbound, as the rules judged it
	Sentiment *float64   `json:"sentiment,omitempty"` // inbound
	// What the channel said became of it (see Update): the texts it had before its
	// edits, oldest first, and when it was last edited; when it was removed; whether and
	// since when it is hidden.
	Versions  []TextVersion `json:"versions,omitempty"`
	EditedAt  *time.Time    `json:"edited_at,omitempty"`
	RemovedAt *time.Time    `json:"removed_at,omitempty"`
	Hidden    bool          `json:"hidden,omitempty"`
	HiddenAt  *time.Time    `json:"hidden_at,omitempty"`
	// Of its conversation: on every line.
	State        State      `json:"state"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
	Assignee     string     `json:"assignee,omitempty"`
	Tags         []string   `json:"tags"`
	// The latest escalation not cancelled, for reading; import reads Escalations.
	Escalation *EscalationInfo `json:"escalation,omitempty"`
	// Of its conversation: on its first line in the export only.
	Escalations []EscalationRecord `json:"escalations,omitempty"`
	Notes       []NoteRecord       `json:"notes,omitempty"`
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
	extras, err := s.db.ExportExtras(ctx)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	w := store.Window{SinceMS: ms(req.Since), UntilMS: ms(until), Filter: q.Cond, Env: s.env()}
	return s.db.ExportRows(ctx, w, func(r store.ExportRow) error {
		rec := ExportRecord{
			Message: Message{
				Channel: r.Channel, Account: r.Account, ID: r.ExtID, Conversation: r.ConvKey, Kind: Kind(r.Kind),
				Direction: Direction(r.Direction), Text: r.Text, Subject: r.Subject, CreatedAt: fromMS(r.CreatedAt), InReplyTo: r.InReplyTo,
				URL: r.URL, Agent: r.Agent, Rating: r.Rating, AppVersion: r.AppVersion, Language: r.Language,
			},
			Status:   r.OutboxStatus,
			State:    State(r.State),
			Assignee: r.Assignee,
			Tags:     r.Tags,
		}
		if r.Orphan && r.ConvKey == "msg:"+r.ExtID {
			// A reply still waiting for its parent: without a conversation it waits again
			// where it is imported, and finds its parent there.
			rec.Conversation = ""
		}
		if r.Direction == string(In) {
			rec.Priority, rec.Spam = Priority(r.Priority).String(), r.Spam
			sentiment := r.Sentiment
			rec.Sentiment = &sentiment
			if r.ClosedAt != 0 {
				t := fromMS(r.ClosedAt)
				rec.ClosedAt = &t
			}
		}
		rec.setMarks(r.Marks)
		if r.State == string(StateSnoozed) && r.SnoozeUntil != 0 {
			t := fromMS(r.SnoozeUntil)
			rec.SnoozedUntil = &t
		}
		if rec.Tags == nil {
			rec.Tags = []string{}
		}
		// A conversation's tags are a set, written in name order: the store lists them in the
		// order the database first met each tag, which an import (meeting them in the
		// export's order) need not repeat, and an inbox exported, imported and exported
		// again must read the same.
		slices.Sort(rec.Tags)
		if r.AuthorExtID != "" || r.AuthorHandle != "" || r.AuthorName != "" {
			rec.Author = &Author{ID: r.AuthorExtID, Handle: r.AuthorHandle, Name: r.AuthorName}
		}
		if r.EscalationReason != "" {
			rec.Escalation = &EscalationInfo{Reason: r.EscalationReason, Status: r.EscalationStatus}
		}
		if !seen[r.ConversationID] {
			seen[r.ConversationID] = true
			for _, n := range extras.Notes[r.ConversationID] {
				rec.Notes = append(rec.Notes, NoteRecord{Agent: n.Agent, Text: n.Text, CreatedAt: fromMS(n.CreatedAt)})
			}
			for _, e := range extras.Escalations[r.ConversationID] {
				er := EscalationRecord{Reason: e.Reason, Status: e.Status, Priority: Priority(e.Priority), Note: e.Note, Agent: e.Agent,
					ArrivedAt: fromMS(e.ArrivedAt), CreatedAt: fromMS(e.CreatedAt), ExternalRef: e.ExternalRef}
				if e.ResolvedAt != 0 {
					t := fromMS(e.ResolvedAt)
					er.ResolvedAt = &t
				}
				rec.Escalations = append(rec.Escalations, er)
			}
		}
		return fn(rec)
	})
}
