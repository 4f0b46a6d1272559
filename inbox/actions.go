package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/store"
)

// ErrNothingToUndo means the person has no action left to undo.
var ErrNothingToUndo = errors.New("nothing to undo")

// action runs fn for each conversation in one transaction under one audit batch, so a
// bulk action lands whole and undoes whole.
func (s *Service) action(ctx context.Context, ids []int64, fn func(a *act, id int64) error) error {
	if len(ids) == 0 {
		return errors.New("no conversation selected")
	}
	return s.actTx(ctx, func(a *act) error {
		// All at once, in order: another host's ingest of them finishes first or waits.
		if err := a.tx.LockConversations(a.ctx, ids); err != nil {
			return err
		}
		for _, id := range ids {
			if err := fn(a, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// actTx runs fn as one action: one transaction, one audit batch, one time.
func (s *Service) actTx(ctx context.Context, fn func(a *act) error) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		batch, err := tx.NextBatch(ctx)
		if err != nil {
			return err
		}
		return fn(&act{s: s, tx: tx, ctx: ctx, batch: batch, at: ms(s.now())})
	})
}

// act is one action in progress: its transaction, audit batch and time.
type act struct {
	s     *Service
	tx    *store.Tx
	ctx   context.Context
	batch int64
	at    int64
}

func (a *act) audit(action string, conv int64, from, to string, ref int64) error {
	return a.tx.Audit(a.ctx, store.AuditEvent{At: a.at, Actor: a.s.agent, Action: action, ConversationID: conv,
		From: from, To: to, RefID: ref, Batch: a.batch})
}

// stateValue writes a state for the audit log; a snooze carries its time.
func stateValue(state string, until int64) string {
	if state == string(StateSnoozed) && until != 0 {
		return state + ":" + fromMS(until).Format(time.RFC3339)
	}
	return state
}

func parseStateValue(v string) (string, int64) {
	st, until, ok := strings.Cut(v, ":")
	if !ok {
		return v, 0
	}
	t, _ := time.Parse(time.RFC3339, until)
	return st, ms(t)
}

// setState moves one conversation and records it; moving to done or spam closes its
// unanswered messages (closed without reply), and the close time is kept so undo can
// reverse it.
func (a *act) setState(id int64, to State, until int64) error {
	meta, err := a.tx.ConvMeta(a.ctx, id)
	if err != nil {
		return err
	}
	if meta.State == string(to) && (to != StateSnoozed || meta.SnoozeUntil == until) {
		return nil
	}
	if err := a.tx.SetState(a.ctx, id, string(to), until); err != nil {
		return err
	}
	var ref int64
	switch {
	case closes(to) && !closes(State(meta.State)):
		n, err := a.tx.CloseUnanswered(a.ctx, id, a.at)
		if err != nil {
			return err
		}
		if n > 0 {
			ref = a.at
		}
	case closes(State(meta.State)) && !closes(to):
		// Out of done or spam: the messages closed without reply wait again, with their
		// SLA due times, exactly as an undo of the close would bring them back.
		at, err := a.tx.ReopenLastClosed(a.ctx, id)
		if err != nil {
			return err
		}
		ref = at
	}
	return a.audit("state", id, stateValue(meta.State, meta.SnoozeUntil), stateValue(string(to), until), ref)
}

// closes says whether a state closes its conversation's unanswered messages.
func closes(s State) bool { return s == StateDone || s == StateSpam }

// Done closes conversations.
func (s *Service) Done(ctx context.Context, ids ...int64) error {
	return s.action(ctx, ids, func(a *act, id int64) error { return a.setState(id, StateDone, 0) })
}

// Spam marks conversations as spam.
func (s *Service) Spam(ctx context.Context, ids ...int64) error {
	return s.action(ctx, ids, func(a *act, id int64) error { return a.setState(id, StateSpam, 0) })
}

// Reopen puts conversations back in the queue as open.
func (s *Service) Reopen(ctx context.Context, ids ...int64) error {
	return s.action(ctx, ids, func(a *act, id int64) error { return a.setState(id, StateOpen, 0) })
}

// Snooze hides conversations until a time; they come back open.
func (s *Service) Snooze(ctx context.Context, until time.Time, ids ...int64) error {
	if !until.After(s.now()) {
		return fmt.Errorf("snooze until %s: that time has passed", until.Format(time.RFC3339))
	}
	return s.action(ctx, ids, func(a *act, id int64) error { return a.setState(id, StateSnoozed, ms(until)) })
}

// Tag adds a tag to conversations.
func (s *Service) Tag(ctx context.Context, tag string, ids ...int64) error {
	tag, err := cleanTag(tag)
	if err != nil {
		return err
	}
	return s.action(ctx, ids, func(a *act, id int64) error {
		added, err := a.tx.AddTag(a.ctx, id, tag)
		if err != nil || !added {
			return err
		}
		return a.audit("tag", id, "", tag, 0)
	})
}

// Untag removes a tag from conversations.
func (s *Service) Untag(ctx context.Context, tag string, ids ...int64) error {
	tag, err := cleanTag(tag)
	if err != nil {
		return err
	}
	return s.action(ctx, ids, func(a *act, id int64) error {
		removed, err := a.tx.RemoveTag(a.ctx, id, tag)
		if err != nil || !removed {
			return err
		}
		return a.audit("untag", id, tag, "", 0)
	})
}

func cleanTag(tag string) (string, error) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "" {
		return "", errors.New("a tag needs a name")
	}
	if strings.ContainsAny(tag, " \t\n\x1f\"()") {
		return "", fmt.Errorf("tag %q: use letters, digits, - and _ (no spaces, quotes or parentheses)", tag)
	}
	return tag, nil
}

// Assign gives conversations to a person ("" unassigns).
func (s *Service) Assign(ctx context.Context, who string, ids ...int64) error {
	who = strings.TrimSpace(who)
	return s.action(ctx, ids, func(a *act, id int64) error {
		meta, err := a.tx.ConvMeta(a.ctx, id)
		if err != nil || meta.Assignee == who {
			return err
		}
		if err := a.tx.SetAssignee(a.ctx, id, who); err != nil {
			return err
		}
		return a.audit("assign", id, meta.Assignee, who, 0)
	})
}

// SetPriority changes conversations' priority.
func (s *Service) SetPriority(ctx context.Context, p Priority, ids ...int64) error {
	return s.action(ctx, ids, func(a *act, id int64) error { return a.setPriority(id, p) })
}

func (a *act) setPriority(id int64, p Priority) error {
	meta, err := a.tx.ConvMeta(a.ctx, id)
	if err != nil || meta.Priority == int(p) {
		return err
	}
	if err := a.tx.SetPriority(a.ctx, id, int(p)); err != nil {
		return err
	}
	return a.audit("priority", id, Priority(meta.Priority).String(), p.String(), 0)
}

// AddNote writes an internal note on a conversation.
func (s *Service) AddNote(ctx context.Context, id int64, text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("a note needs some text")
	}
	return s.action(ctx, []int64{id}, func(a *act, id int64) error {
		nid, err := a.tx.AddNote(a.ctx, id, a.s.agent, text, a.at)
		if err != nil {
			return err
		}
		return a.audit("note", id, "", firstWords(text, 60), nid)
	})
}

// EscalateRequest is what a person says when handing a case to customer service.
type EscalateRequest struct {
	Reason   string
	Priority *Priority // nil leaves each conversation's priority as it is
	Note     string
}

// Escalate hands conversations to customer service: an escalation record (open), the
// conversation's state and priority, and — when [escalation] names a destination — its
// delivery queued in the outbox, all in one transaction. The sync engine delivers it and
// records the ticket's id as the escalation's external reference.
func (s *Service) Escalate(ctx context.Context, req EscalateRequest, ids ...int64) error {
	if !contains(s.cfg.Escalation.Reasons, req.Reason) {
		return fmt.Errorf("escalation reason %q is not one of %s", req.Reason, strings.Join(s.cfg.Escalation.Reasons, ", "))
	}
	return s.action(ctx, ids, func(a *act, id int64) error {
		meta, err := a.tx.ConvMeta(a.ctx, id)
		if err != nil {
			return err
		}
		arrived, err := a.tx.ConversationArrival(a.ctx, id)
		if err != nil {
			return err
		}
		prio := req.Priority
		if prio == nil {
			p := Priority(meta.Priority)
			prio = &p
		}
		eid, err := a.tx.AddEscalation(a.ctx, store.Escalation{ConversationID: id, Reason: req.Reason, Priority: int(*prio),
			Note: req.Note, Agent: a.s.agent, ArrivedAt: arrived, CreatedAt: a.at})
		if err != nil {
			return err
		}
		if err := a.queueEscalation(eid, id); err != nil {
			return err
		}
		if err := a.audit("escalate", id, "", req.Reason, eid); err != nil {
			return err
		}
		if err := a.setPriority(id, *prio); err != nil {
			return err
		}
		return a.setState(id, StateEscalated, 0)
	})
}

// ResolveEscalation marks a conversation's open escalations resolved.
func (s *Service) ResolveEscalation(ctx context.Context, id int64) error {
	escs, err := s.db.Escalations(ctx, id)
	if err != nil {
		return err
	}
	return s.action(ctx, []int64{id}, func(a *act, id int64) error {
		for _, e := range escs {
			if e.Status != "open" {
				continue
			}
			if err := a.tx.SetEscalationStatus(a.ctx, e.ID, "resolved", a.at); err != nil {
				return err
			}
			if err := a.audit("resolve", id, "open", "resolved", e.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func firstWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Undone says what an undo reversed.
type Undone struct {
	Action        string   // the action reversed ("tag", "state", "reply", …)
	Detail        string   // what it had set: the tag, the state, the escalation reason
	Conversations []int64  // the conversations it touched
	Customers     []string // who those conversations are with, as people name them
	Draft         string   // for an undone reply: its text, back in the draft
	Private       bool     // the undone reply was a private reply: its text goes back to that composer
	Notice        string   // what the undo could not take back (a ticket already at customer service)
}

// Undo reverses the person's last action that is not yet undone, with every event of its
// batch, in one transaction. A reply can be undone only while it waits in the outbox;
// its text goes back to the draft so nothing written is lost. A reply that has left is
// reported with ErrAlreadySent, and nothing else is undone.
func (s *Service) Undo(ctx context.Context) (Undone, error) { return s.UndoIn(ctx, 0) }

// UndoIn is Undo limited to the person's last action on one conversation (0: any), so an
// undo pressed while reading a conversation never reaches into another.
func (s *Service) UndoIn(ctx context.Context, convID int64) (Undone, error) {
	var out Undone
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		out = Undone{}
		events, err := tx.LastBatch(ctx, s.agent, convID)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return ErrNothingToUndo
		}
		batch, err := tx.NextBatch(ctx)
		if err != nil {
			return err
		}
		a := &act{s: s, tx: tx, ctx: ctx, batch: batch, at: ms(s.now())}
		seen := map[int64]bool{}
		for _, e := range events { // newest first
			if !seen[e.ConversationID] {
				seen[e.ConversationID] = true
				out.Conversations = append(out.Conversations, e.ConversationID)
			}
			if err := a.reverse(e, &out); err != nil {
				return fmt.Errorf("undo %s: %w", e.Action, err)
			}
			out.Action, out.Detail = e.Action, e.To
			out.Private = e.Action == "reply" && Kind(e.From) == KindDM
			if err := a.audit("undo", e.ConversationID, e.Action+":"+e.To, e.Action+":"+e.From, e.ID); err != nil {
				return err
			}
		}
		return tx.MarkUndone(ctx, events[0].Batch)
	})
	out.Customers = s.customers(ctx, out.Conversations)
	if errors.Is(err, ErrAlreadySent) {
		who := "the customer"
		if len(out.Customers) > 0 {
			who = out.Customers[0]
		}
		return out, sentError{who: who}
	}
	return out, err
}

// sentError is an undo that met a reply already sent: said plainly, and errors.Is
// ErrAlreadySent.
type sentError struct{ who string }

func (e sentError) Error() string {
	return "the reply to " + e.who + " has been sent and cannot be unsent; nothing was undone"
}

func (e sentError) Is(target error) bool { return target == ErrAlreadySent }

// customers names the people of a few conversations, for messages that say what changed.
func (s *Service) customers(ctx context.Context, ids []int64) []string {
	var out []string
	for _, id := range ids[:min(len(ids), 3)] {
		c, err := s.db.Conversation(ctx, id)
		if err != nil {
			continue
		}
		out = append(out, CustomerName(c))
	}
	return out
}

// CustomerName is how people name a conversation: the customer's name, else their
// handle, else the channel's conversation ("an Instagram comment thread").
func CustomerName(c ConversationInfo) string {
	for _, s := range []string{c.AuthorName, c.AuthorHandle} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return "a " + ChannelLabel(c.Channel) + " conversation"
}

func (a *act) reverse(e store.AuditEvent, out *Undone) error {
	id := e.ConversationID
	switch e.Action {
	case "tag":
		_, err := a.tx.RemoveTag(a.ctx, id, e.To)
		return err
	case "untag":
		_, err := a.tx.AddTag(a.ctx, id, e.From)
		return err
	case "assign":
		return a.tx.SetAssignee(a.ctx, id, e.From)
	case "priority":
		p, err := ParsePriority(e.From)
		if err != nil {
			return err
		}
		return a.tx.SetPriority(a.ctx, id, int(p))
	case "state":
		st, until := parseStateValue(e.From)
		if err := a.tx.SetState(a.ctx, id, st, until); err != nil {
			return err
		}
		to, _ := parseStateValue(e.To)
		switch {
		case e.RefID == 0:
		case closes(State(to)):
			return a.tx.UncloseAt(a.ctx, id, e.RefID)
		case closes(State(st)):
			// Undoing a reopen closes again, at the original time, what it brought back.
			_, err := a.tx.CloseUnanswered(a.ctx, id, e.RefID)
			return err
		}
		return nil
	case "note":
		return a.tx.SetNoteDeleted(a.ctx, e.RefID, true)
	case "escalate":
		return a.undoEscalate(e, out)
	case "resolve":
		return a.tx.SetEscalationStatus(a.ctx, e.RefID, "open", 0)
	case "reply":
		conv, text, err := a.tx.WithdrawReply(a.ctx, e.RefID)
		if errors.Is(err, store.ErrAlreadySent) {
			return ErrAlreadySent
		}
		if err != nil {
			return err
		}
		// Words written since the reply was sent stay, after the reply's text.
		if now, err := a.tx.Draft(a.ctx, conv, a.s.agent); err != nil {
			return err
		} else if strings.TrimSpace(now) != "" {
			text += "\n\n" + now
		}
		out.Draft = text
		return a.tx.SaveDraft(a.ctx, conv, a.s.agent, text, a.at)
	case "retry":
		return a.undoRetry(e)
	case "takeback":
		return a.undoTakeBack(e)
	case auditApprove:
		return a.undoRetry(e) // awaiting approval again, as written: the same move as a retry's
	case auditSendBack:
		return a.undoSendBack(e)
	case auditAwaiting:
		return nil // the reply event of the same action takes the reply back
	}
	return fmt.Errorf("cannot undo %q", e.Action)
}

// itoa keeps audit values readable.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }
