package store

import (
	"context"
	"fmt"
)

// queueDelta is what the messages a transaction added to a conversation it did not
// create do to its queue columns, when that is all that changed it: new inbound
// messages, some waiting for an answer, and replies that answer nothing. The columns then
// follow from the ones the table has, with no count over the conversation's messages:
// the refresh that counts them was most of what serve's writer spent on PostgreSQL for a
// message joining a long thread.
type queueDelta struct {
	waiting          int   // inbound messages added that wait for an answer
	sinceAt, due     int64 // the earliest of those, and their earliest due time; NoDue: none
	lastAt           int64 // the latest message added
	lastIn, lastInAt int64 // the latest inbound message added, by (time, id); 0: none
}

// noneAdded is the delta of no message.
var noneAdded = queueDelta{sinceAt: NoDue, due: NoDue}

// inbound adds an inbound message; waits says it counts as unanswered (not spam, not
// closed, and no reply stored already answers it).
func (d *queueDelta) inbound(id, at, due int64, waits bool) {
	d.lastAt = max(d.lastAt, at)
	if d.lastIn == 0 || at > d.lastInAt || (at == d.lastInAt && id > d.lastIn) {
		d.lastIn, d.lastInAt = id, at
	}
	if !waits {
		return
	}
	d.waiting++
	d.sinceAt = min(d.sinceAt, at)
	if due != 0 {
		d.due = min(d.due, due)
	}
}

// addToQueueColumnsSQL is RefreshConversation's result for a conversation whose stored
// columns were right before the delta (?1 waiting, ?2 sinceAt, ?3 lastAt, ?4 due, ?5 and
// ?6 the latest inbound message and its time, ?7 the conversation). Every expression
// reads the row as it was, on both engines. since_at is the earliest unanswered message,
// or with none the latest message; last_inbound_id moves only to a later message.
const addToQueueColumnsSQL = `UPDATE conversations SET
	unanswered = unanswered + ?1,
	since_at = CASE WHEN unanswered + ?1 = 0 THEN CASE WHEN last_at > ?3 THEN last_at ELSE ?3 END
		WHEN unanswered = 0 THEN ?2
		WHEN since_at < ?2 THEN since_at ELSE ?2 END,
	due_at = CASE WHEN due_at < ?4 THEN due_at ELSE ?4 END,
	last_at = CASE WHEN last_at > ?3 THEN last_at ELSE ?3 END,
	last_inbound_id = CASE WHEN ?5 = 0 THEN last_inbound_id
		WHEN last_inbound_id IS NULL THEN ?5
		WHEN EXISTS (SELECT 1 FROM messages l WHERE l.id = conversations.last_inbound_id
			AND (l.created_at < ?6 OR (l.created_at = ?6 AND l.id < ?5))) THEN ?5
		ELSE last_inbound_id END
	WHERE id = ?7`

// addToQueueColumns applies d to conversation id's queue columns.
func (tx *Tx) addToQueueColumns(ctx context.Context, id int64, d queueDelta) error {
	if d == noneAdded {
		return nil
	}
	if _, err := tx.exec(ctx, addToQueueColumnsSQL, d.waiting, d.sinceAt, d.lastAt, d.due, d.lastIn, d.lastInAt, id); err != nil {
		return fmt.Errorf("add to the queue columns of conversation %d: %w", id, err)
	}
	return nil
}
