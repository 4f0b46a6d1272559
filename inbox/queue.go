package inbox

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/triage-inbox/triage/store"
)

// View is a named slice of the queue: the states it shows and a query on top.
type View struct {
	Name   string
	States []State // none means every state
	Query  string
}

var needsAction = []State{StateNew, StateOpen}

// BuiltinViews are the views every inbox has, in the order keys 1–9 reach them. Overdue
// holds every conversation with a message past its due time, whatever its state (is:overdue
// leaves out done and spam): an escalated or snoozed customer still waits on us, and the
// stats count their messages as late.
var BuiltinViews = []View{
	{Name: "Inbox", States: needsAction},
	{Name: "Mine", States: needsAction, Query: "is:mine"},
	{Name: "Urgent", States: needsAction, Query: "prio:urgent"},
	{Name: "Overdue", Query: "is:overdue"},
	{Name: "Escalated", States: []State{StateEscalated}},
	{Name: "Waiting", States: []State{StateWaiting}},
	{Name: "Snoozed", States: []State{StateSnoozed}},
	{Name: "Done", States: []State{StateDone}},
	{Name: "Spam", States: []State{StateSpam}},
	{Name: "All"},
}

// ApprovalView lists the conversations with a reply waiting for a lead.
var ApprovalView = View{Name: "Approval", Query: "is:awaiting-approval"}

// Views are the built-in views, the approval view for those who approve (when anyone's
// replies need approval), then the saved views of config. Approval comes after the
// built-ins so that 1–9 reach the same views for every member of a team.
func (s *Service) Views() []View {
	out := append([]View(nil), BuiltinViews...)
	if s.CanApprove() && s.cfg.Team.ApprovalOn() {
		out = append(out, ApprovalView)
	}
	for _, v := range s.cfg.Views {
		out = append(out, View{Name: v.Name, Query: v.Query})
	}
	return out
}

// QueueRow is one conversation as the queue lists it.
type QueueRow = store.QueueRow

// QueueKey is a position in the queue, for paging.
type QueueKey = store.QueueKey

// NoDue is the due time of a conversation with nothing waiting.
const NoDue = store.NoDue

// QueuePage asks for a page of a view: after a key (or before it, paging up), with an
// optional query on top of the view's own.
type QueuePage struct {
	View   View
	Query  string
	Live   bool // the query is being typed: its last word matches as a prefix
	After  *QueueKey
	Before *QueueKey
	Limit  int
}

// Queue returns one page of conversations, best first: priority, then SLA due time, then
// age. Paging is by key, so any page costs what the first does.
func (s *Service) Queue(ctx context.Context, p QueuePage) ([]QueueRow, error) {
	cond, err := s.viewCond(p.View, p.Query, p.Live)
	if err != nil {
		return nil, err
	}
	return s.db.QueuePage(ctx, store.QueueRequest{States: stateNames(p.View.States), Filter: cond, Env: s.env(),
		After: p.After, Before: p.Before, Limit: p.Limit})
}

// LiveCountLimit is as far as the queue counts a search while it is being typed: past it
// the header shows "1000+" (see CountUpTo). Counting every match of a common word at a
// million messages would double the cost of a keystroke.
const LiveCountLimit = 1000

// Count is how many conversations a view (and query) holds. live reads the query as
// typed: its last word a prefix.
func (s *Service) Count(ctx context.Context, v View, query string, live bool) (int, error) {
	return s.CountUpTo(ctx, v, query, live, 0)
}

// CountUpTo is Count that stops counting past limit and then answers limit+1; a limit of
// zero or less counts them all.
func (s *Service) CountUpTo(ctx context.Context, v View, query string, live bool, limit int) (int, error) {
	cond, err := s.viewCond(v, query, live)
	if err != nil {
		return 0, err
	}
	if limit > 0 {
		limit++
	}
	return s.db.QueueCount(ctx, stateNames(v.States), cond, s.env(), limit)
}

// MatchingIDs lists the conversations of a view that match a query, best first, up to
// limit; the UI selects them all for a bulk action.
func (s *Service) MatchingIDs(ctx context.Context, v View, query string, limit int) ([]int64, error) {
	var ids []int64
	var after *QueueKey
	for len(ids) < limit {
		n := min(1000, limit-len(ids))
		rows, err := s.Queue(ctx, QueuePage{View: v, Query: query, After: after, Limit: n})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if len(rows) < n {
			break
		}
		after = &rows[len(rows)-1].Key
	}
	return ids, nil
}

// WakeSnoozed brings back the snoozed conversations whose time has come.
func (s *Service) WakeSnoozed(ctx context.Context) ([]int64, error) {
	return s.db.WakeSnoozed(ctx, ms(s.now()))
}

func (s *Service) viewCond(v View, query string, live bool) (store.Cond, error) {
	var conds store.And
	for i, src := range []string{v.Query, query} {
		if src == "" {
			continue
		}
		parse := ParseQuery
		if live && i == 1 {
			parse = ParseQueryLive
		}
		q, err := parse(src)
		if err != nil {
			return nil, err
		}
		if q.Cond != nil {
			conds = append(conds, q.Cond)
		}
	}
	switch len(conds) {
	case 0:
		return nil, nil
	case 1:
		return conds[0], nil
	}
	return conds, nil
}

func stateNames(states []State) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

// Channels are the channels a search may name: those triage knows and every channel an
// account of this inbox is on, sorted (for ParseQueryIn).
func (s *Service) Channels(ctx context.Context) ([]string, error) {
	stored, err := s.db.Channels(ctx)
	if err != nil {
		return nil, err
	}
	out := append(slices.Collect(maps.Keys(channelLabels)), stored...)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ConversationInfo is a conversation's header.
type ConversationInfo = store.ConversationInfo

// MessageRow is a stored message.
type MessageRow = store.MessageRow

// Note is an internal note.
type Note = store.Note

// Escalation is a case handed to customer service.
type Escalation = store.Escalation

// AuditEvent is one recorded change.
type AuditEvent = store.AuditEvent

// Thread is a conversation with its latest messages, notes and escalations.
type Thread struct {
	Info        ConversationInfo
	Messages    []MessageRow
	Notes       []Note
	Escalations []Escalation
	More        bool // older messages exist
}

// Subject is what the conversation is about as email names it: the subject of its newest
// inbound message that has one, else of its newest message that has one, without the
// "Re: " of replies (see Topic); "" on channels without subjects.
func (t Thread) Subject() string {
	out := ""
	for i := len(t.Messages) - 1; i >= 0; i-- {
		m := t.Messages[i]
		if m.Subject == "" {
			continue
		}
		if m.Direction == string(In) {
			return Topic(m.Subject)
		}
		if out == "" {
			out = Topic(m.Subject)
		}
	}
	return out
}

// Topic is a subject without the prefixes replies and forwards add ("Re: Fwd: Refund" is
// "Refund"), as a list of conversations shows it.
func Topic(subject string) string {
	s := strings.TrimSpace(subject)
	for {
		i := strings.IndexByte(s, ':')
		if i < 0 || i > 3 {
			return s
		}
		switch strings.ToLower(s[:i]) {
		case "re", "fw", "fwd", "aw", "sv", "vs":
			s = strings.TrimSpace(s[i+1:])
		default:
			return s
		}
	}
}

// Thread reads a conversation with its newest limit messages.
func (s *Service) Thread(ctx context.Context, id int64, limit int) (Thread, error) {
	var t Thread
	var err error
	if t.Info, err = s.db.Conversation(ctx, id); err != nil {
		return t, err
	}
	if t.Messages, err = s.db.Messages(ctx, id, 0, 0, limit+1); err != nil {
		return t, err
	}
	if len(t.Messages) > limit {
		t.More = true
		t.Messages = t.Messages[1:]
	}
	if t.Notes, err = s.db.Notes(ctx, id); err != nil {
		return t, err
	}
	t.Escalations, err = s.db.Escalations(ctx, id)
	return t, err
}

// Audit is a conversation's history of changes, oldest first.
func (s *Service) Audit(ctx context.Context, id int64) ([]AuditEvent, error) {
	return s.db.AuditOf(ctx, id)
}

// Tags lists every tag with how many conversations carry it.
func (s *Service) Tags(ctx context.Context) ([]TagCount, error) { return s.db.Tags(ctx) }

// TagCount is a tag and how many conversations carry it.
type TagCount = store.TagCount
