package inbox

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/triage-inbox/triage/store"
)

// Restore is what `triage export` writes beyond a message: what people and triage did
// with it and its conversation. Import reads it back, so that an inbox exported and
// imported into an empty database gives the same messages, answers, states and figures.
// That is also how an inbox moves to another machine or database.
type Restore struct {
	// Of the message.
	ClosedAt     time.Time // inbound: closed without reply at this time (zero: not closed)
	OutboxStatus string    // outbound: where a reply written in triage stood in the outbox
	Priority     *Priority // inbound: as triaged then; with it, rules are not applied again
	Spam         *bool     // inbound: the rules' verdict then
	Sentiment    *float64  // inbound: the score then

	// What the channel said became of the message (see ExportRecord).
	Versions                      []TextVersion
	EditedAt, RemovedAt, HiddenAt time.Time
	Hidden                        bool

	// Of its conversation.
	State        State     // "" leaves the state to ingest
	SnoozedUntil time.Time // with State snoozed
	Assignee     *string
	Tags         []string
	Escalations  []EscalationRecord // written on the conversation's first line of an export
	Notes        []NoteRecord       // likewise
}

// EscalationRecord is one escalation of a conversation, as export writes it.
type EscalationRecord struct {
	Reason      string     `json:"reason"`
	Status      string     `json:"status"`
	Priority    Priority   `json:"-"`
	Note        string     `json:"note,omitempty"`
	Agent       string     `json:"agent"`
	ArrivedAt   time.Time  `json:"arrived_at"`
	CreatedAt   time.Time  `json:"created_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	ExternalRef string     `json:"external_ref,omitempty"`
}

// MarshalJSON writes the priority by name, like the rest of the format.
func (e EscalationRecord) MarshalJSON() ([]byte, error) {
	type plain EscalationRecord
	return json.Marshal(struct {
		plain
		Priority string `json:"priority"`
	}{plain(e), e.Priority.String()})
}

// NoteRecord is an internal note, as export writes it.
type NoteRecord struct {
	Agent     string    `json:"agent"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// wireRestore is the part of an import line that export adds, times as text so a bad one
// gets our own error.
type wireRestore struct {
	ClosedAt     string           `json:"closed_at"`
	Status       string           `json:"status"`
	Priority     string           `json:"priority"`
	Spam         *bool            `json:"spam"`
	Sentiment    *float64         `json:"sentiment"`
	State        string           `json:"state"`
	SnoozedUntil string           `json:"snoozed_until"`
	Assignee     *string          `json:"assignee"`
	Tags         []string         `json:"tags"`
	Escalations  []wireEscalation `json:"escalations"`
	Notes        []wireNote       `json:"notes"`
	Versions     []wireVersion    `json:"versions"`
	EditedAt     string           `json:"edited_at"`
	RemovedAt    string           `json:"removed_at"`
	Hidden       bool             `json:"hidden"`
	HiddenAt     string           `json:"hidden_at"`
}

type wireVersion struct {
	Text      string `json:"text"`
	WrittenAt string `json:"written_at"`
}

type wireEscalation struct {
	Reason      string `json:"reason"`
	Status      string `json:"status"`
	Priority    string `json:"priority"`
	Note        string `json:"note"`
	Agent       string `json:"agent"`
	ArrivedAt   string `json:"arrived_at"`
	CreatedAt   string `json:"created_at"`
	ResolvedAt  string `json:"resolved_at"`
	ExternalRef string `json:"external_ref"`
}

type wireNote struct {
	Agent     string `json:"agent"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
}

// given reports whether the line carries anything of an export.
func (w *wireRestore) given() bool {
	return w.ClosedAt != "" || w.Status != "" || w.Priority != "" || w.Spam != nil || w.Sentiment != nil ||
		w.State != "" || w.SnoozedUntil != "" || w.Assignee != nil || w.Tags != nil || len(w.Escalations) > 0 || len(w.Notes) > 0 ||
		len(w.Versions) > 0 || w.EditedAt != "" || w.RemovedAt != "" || w.Hidden || w.HiddenAt != ""
}

// msOrZero is ms, with the zero time as 0 (none).
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// parseTimeField reads an RFC 3339 time of field, "" as the zero time.
func parseTimeField(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, &FieldError{field, fmt.Sprintf("%q is not an RFC 3339 time (like 2026-11-20T10:00:00Z)", v)}
	}
	return t.UTC(), nil
}

// restore checks the export's part of a line of direction dir and makes it a Restore.
func (w *wireRestore) restore(dir Direction) (*Restore, error) {
	if !w.given() {
		return nil, nil
	}
	r := &Restore{Spam: w.Spam, Sentiment: w.Sentiment, Assignee: w.Assignee, Tags: w.Tags}
	var err error
	if r.ClosedAt, err = parseTimeField("closed_at", w.ClosedAt); err != nil {
		return nil, err
	}
	if r.SnoozedUntil, err = parseTimeField("snoozed_until", w.SnoozedUntil); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name, v string
		to      *time.Time
	}{{"edited_at", w.EditedAt, &r.EditedAt}, {"removed_at", w.RemovedAt, &r.RemovedAt}, {"hidden_at", w.HiddenAt, &r.HiddenAt}} {
		if *f.to, err = parseTimeField(f.name, f.v); err != nil {
			return nil, err
		}
	}
	r.Hidden = w.Hidden
	for i, v := range w.Versions {
		at, err := parseTimeField(fmt.Sprintf("versions[%d].written_at", i), v.WrittenAt)
		if err != nil {
			return nil, err
		}
		if at.IsZero() {
			return nil, &FieldError{fmt.Sprintf("versions[%d].written_at", i), "required: when that text was written"}
		}
		r.Versions = append(r.Versions, TextVersion{Text: v.Text, WrittenAt: at})
	}
	if len(r.Versions) > 0 && r.EditedAt.IsZero() {
		return nil, &FieldError{"edited_at", "required with versions: when the text was last edited"}
	}
	if dir != In && (w.ClosedAt != "" || w.Priority != "" || w.Spam != nil || w.Sentiment != nil) {
		return nil, &FieldError{"direction", "closed_at, priority, spam and sentiment are for inbound messages"}
	}
	if w.Status != "" {
		if dir != Out {
			return nil, &FieldError{"status", "an outbox status is for outbound messages"}
		}
		switch w.Status {
		case "pending", "sending", "sent", "failed", "unknown", "cancelled", OutboxAwaitingApproval, OutboxReturned:
		default:
			return nil, &FieldError{"status", fmt.Sprintf("%q: want pending, sending, sent, failed, unknown, cancelled, awaiting_approval or returned", w.Status)}
		}
		r.OutboxStatus = w.Status
	}
	if w.Priority != "" {
		p, err := ParsePriority(w.Priority)
		if err != nil {
			return nil, &FieldError{"priority", err.Error()}
		}
		r.Priority = &p
	}
	if w.State != "" {
		st, err := ParseState(w.State)
		if err != nil {
			return nil, &FieldError{"state", err.Error()}
		}
		r.State = st
	}
	if r.State == StateSnoozed && r.SnoozedUntil.IsZero() {
		return nil, &FieldError{"snoozed_until", `required with "state":"snoozed"`}
	}
	for i, t := range w.Tags {
		if _, err := cleanTag(t); err != nil {
			return nil, &FieldError{fmt.Sprintf("tags[%d]", i), err.Error()}
		}
	}
	for i, we := range w.Escalations {
		f := func(name string) string { return fmt.Sprintf("escalations[%d].%s", i, name) }
		e := EscalationRecord{Reason: we.Reason, Status: we.Status, Note: we.Note, Agent: we.Agent, ExternalRef: we.ExternalRef, Priority: PriorityNormal}
		if e.Reason == "" {
			return nil, &FieldError{f("reason"), "required"}
		}
		switch e.Status {
		case "open", "resolved", "cancelled":
		default:
			return nil, &FieldError{f("status"), fmt.Sprintf("%q: want open, resolved or cancelled", e.Status)}
		}
		if we.Priority != "" {
			if e.Priority, err = ParsePriority(we.Priority); err != nil {
				return nil, &FieldError{f("priority"), err.Error()}
			}
		}
		if e.CreatedAt, err = parseTimeField(f("created_at"), we.CreatedAt); err != nil {
			return nil, err
		}
		if e.CreatedAt.IsZero() {
			return nil, &FieldError{f("created_at"), "required (RFC 3339)"}
		}
		if e.ArrivedAt, err = parseTimeField(f("arrived_at"), we.ArrivedAt); err != nil {
			return nil, err
		}
		if e.ArrivedAt.IsZero() {
			e.ArrivedAt = e.CreatedAt
		}
		resolved, err := parseTimeField(f("resolved_at"), we.ResolvedAt)
		if err != nil {
			return nil, err
		}
		if !resolved.IsZero() {
			e.ResolvedAt = &resolved
		}
		r.Escalations = append(r.Escalations, e)
	}
	for i, wn := range w.Notes {
		n := NoteRecord{Agent: wn.Agent, Text: wn.Text}
		if n.Text == "" {
			return nil, &FieldError{fmt.Sprintf("notes[%d].text", i), "required"}
		}
		if n.CreatedAt, err = parseTimeField(fmt.Sprintf("notes[%d].created_at", i), wn.CreatedAt); err != nil {
			return nil, err
		}
		if n.CreatedAt.IsZero() {
			return nil, &FieldError{fmt.Sprintf("notes[%d].created_at", i), "required (RFC 3339)"}
		}
		r.Notes = append(r.Notes, n)
	}
	return r, nil
}

// restoreConversation applies what an export line says of a new message's conversation.
func (b *Batch) restoreConversation(convID int64, r *Restore) error {
	cr := store.ConvRestore{State: string(r.State), SnoozeUntil: msOrZero(r.SnoozedUntil), Assignee: r.Assignee}
	for _, t := range r.Tags {
		t, _ = cleanTag(t)
		cr.Tags = append(cr.Tags, t)
	}
	for _, n := range r.Notes {
		cr.Notes = append(cr.Notes, store.Note{Agent: n.Agent, Text: n.Text, CreatedAt: ms(n.CreatedAt)})
	}
	for _, e := range r.Escalations {
		se := store.Escalation{ConversationID: convID, Reason: e.Reason, Priority: int(e.Priority), Note: e.Note, Agent: e.Agent,
			Status: e.Status, ArrivedAt: ms(e.ArrivedAt), CreatedAt: ms(e.CreatedAt), ExternalRef: e.ExternalRef}
		if e.ResolvedAt != nil {
			se.ResolvedAt = ms(*e.ResolvedAt)
		}
		cr.Escalations = append(cr.Escalations, se)
	}
	return b.tx.RestoreConversation(b.ctx, convID, cr)
}
