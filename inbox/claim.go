package inbox

import (
	"context"
	"errors"
	"strings"
)

// ErrTaken means another agent took the conversation first.
var ErrTaken = errors.New("taken by another agent")

// TakenError names who took a conversation first.
type TakenError struct {
	ConversationID int64
	By             string // "" when it was unassigned after the agent looked
}

func (e *TakenError) Error() string {
	if e.By == "" {
		return "someone changed who has it first; look again"
	}
	return e.By + " took it first"
}

func (e *TakenError) Is(target error) bool { return target == ErrTaken }

// Take assigns conversations to the agent at the keyboard, as a claim: each must still
// be assigned as the agent saw it (seen; "" when unassigned) or already be theirs.
// When several agents race for the same conversation exactly one wins; for the others
// nothing changes (a selection lands whole or not at all) and the error is a
// *TakenError naming the winner.
func (s *Service) Take(ctx context.Context, seen string, ids ...int64) error {
	seen, me := strings.TrimSpace(seen), s.agent
	return s.action(ctx, ids, func(a *act, id int64) error {
		meta, err := a.tx.ConvMeta(a.ctx, id)
		if err != nil || meta.Assignee == me {
			return err
		}
		holder, ok, err := a.tx.ClaimAssignee(a.ctx, id, me, seen)
		if err != nil {
			return err
		}
		if !ok {
			return &TakenError{ConversationID: id, By: holder}
		}
		return a.audit("assign", id, meta.Assignee, me, 0)
	})
}
