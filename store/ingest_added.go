package store

import (
	"context"
	"fmt"
	"strings"
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

// addToQueueColumnsSet is RefreshConversation's result for a conversation whose stored
// columns were right before the delta ({waiting}, {since}, {last} and {due}; {in} and
// {inAt}, the latest inbound message and its time). Every expression reads the row as it
// was, on both engines. since_at is the earliest unanswered message, or with none the
// latest message; last_inbound_id moves only to a later message.
const addToQueueColumnsSet = `UPDATE conversations SET
	unanswered = unanswered + {waiting},
	since_at = CASE WHEN unanswered + {waiting} = 0 THEN CASE WHEN last_at > {last} THEN last_at ELSE {last} END
		WHEN unanswered = 0 THEN {since}
		WHEN since_at < {since} THEN since_at ELSE {since} END,
	due_at = CASE WHEN due_at < {due} THEN due_at ELSE {due} END,
	last_at = CASE WHEN last_at > {last} THEN last_at ELSE {last} END,
	last_inbound_id = CASE WHEN {in} = 0 THEN last_inbound_id
		WHEN last_inbound_id IS NULL THEN {in}
		WHEN EXISTS (SELECT 1 FROM messages l WHERE l.id = conversations.last_inbound_id
			AND (l.created_at < {inAt} OR (l.created_at = {inAt} AND l.id < {in}))) THEN {in}
		ELSE last_inbound_id END`

var (
	// addToQueueColumnsSQL applies one delta, to conversation ?7.
	addToQueueColumnsSQL = strings.NewReplacer("{waiting}", "?1", "{since}", "?2", "{last}", "?3", "{due}", "?4",
		"{in}", "?5", "{inAt}", "?6").Replace(addToQueueColumnsSet) + ` WHERE id = ?7`
	// addToQueueColumnsBatchSQL applies a transaction's deltas at once on PostgreSQL, an
	// array a column (the conversation first), where a statement each was a round trip each.
	addToQueueColumnsBatchSQL = strings.NewReplacer("{waiting}", "d.waiting", "{since}", "d.since", "{last}", "d.last",
		"{due}", "d.due", "{in}", "d.last_in", "{inAt}", "d.last_in_at").Replace(addToQueueColumnsSet) + `
	FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
		CAST(? AS bigint[]), CAST(? AS bigint[])) AS d (id, waiting, since, last, due, last_in, last_in_at)
	WHERE conversations.id = d.id`
)

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

// queueAdds are deltas waiting to be applied together (PostgreSQL).
type queueAdds struct {
	ids                                       []int64
	waiting, since, last, due, lastIn, lastAt []int64
}

func (q *queueAdds) add(id int64, d queueDelta) {
	if d == noneAdded {
		return
	}
	q.ids = append(q.ids, id)
	q.waiting = append(q.waiting, int64(d.waiting))
	q.since, q.last, q.due = append(q.since, d.sinceAt), append(q.last, d.lastAt), append(q.due, d.due)
	q.lastIn, q.lastAt = append(q.lastIn, d.lastIn), append(q.lastAt, d.lastInAt)
}

// apply writes the deltas in one statement.
func (q *queueAdds) apply(ctx context.Context, tx *Tx) error {
	if len(q.ids) == 0 {
		return nil
	}
	if _, err := tx.exec(ctx, addToQueueColumnsBatchSQL, q.ids, q.waiting, q.since, q.last, q.due, q.lastIn, q.lastAt); err != nil {
		return fmt.Errorf("add to the queue columns of conversations %d to %d: %w", q.ids[0], q.ids[len(q.ids)-1], err)
	}
	return nil
}
