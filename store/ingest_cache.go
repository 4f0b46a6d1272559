package store

import (
	"cmp"
	"context"
	"fmt"
	"strings"
)

// ingestCache is what ingest learnt about contacts and conversations in one transaction,
// so a batch of messages does not ask SQLite the same questions again: an import of a
// million messages otherwise spends a third of its time re-reading rows it just wrote.
//
// A conversation created in this transaction is fresh: every one of its messages went
// through Ingest, so the cache holds all of them, and answer links and queue columns are
// worked out here rather than by queries over its messages. Any other change to a
// conversation or its messages in the same transaction (a reply, a state change, a close)
// drops the cache through forgetConversations, and the queries take over again.
type ingestCache struct {
	contacts map[contactKey]*contactEntry
	convs    map[convKey]*convEntry
	orphans  int // whether the orphans table has rows: orphansUnknown, orphansNone or orphansSome
	kept     int // whether pending_updates has rows (update.go), in the same terms
	// What Prefetch found missing: messages not stored, authors and conversations not
	// there yet, so Ingest need not ask again. Each leaves its set when Ingest writes it.
	absent    map[msgKey]bool
	noContact map[contactKey]bool
	noConv    map[convKey]bool
}

type contactKey struct{ channel, ext string }

type contactEntry struct {
	id           int64
	handle, name string
}

type convKey struct {
	account int64
	key     string
}

type convEntry struct {
	key        convKey
	id         int64
	state      string
	priority   int
	hasContact bool
	fresh      bool
	// audited and extras: audit rows, or other rows than messages (tags, outbox, notes,
	// escalations), may hang on it, which a merge must move; a merge in a bulk load
	// skips the moves of what there cannot be.
	audited, extras bool
	// rated: a review with stars came in this transaction; the conversation's rating is
	// read again from its latest inbound message once every message is written.
	rated bool
	// holding: started by a reply waiting for its parent in a bulk load, it keeps its
	// messages' text (held) out of the full-text index until it is merged or the load
	// ends, so that a merge need not take rows out of the index again.
	holding bool
	held    []textRow
	msgs    []trackedMsg // every message of a fresh conversation, in arrival order

	// Kept as messages arrive so that a thread of 100,000 messages, arriving in time
	// order, costs no more per message than a short one.
	pending   []int32 // indexes into msgs of inbound messages nothing answers yet
	waiting   int     // of those, the ones not spam: what the queue counts as unanswered
	lastOutAt int64   // latest outbound message; an inbound one after it has no answer yet
	lastAnsAt int64   // latest answered_at of any inbound message

	written queueCols // the queue columns as the table has them

	// For a conversation the transaction did not create: what its new messages add to
	// the queue columns the table has (see addedDelta), or recount when something else
	// changed it and RefreshConversation must count its messages again.
	added   queueDelta
	recount bool
	// answeredUntil, when answersKnown (read by Prefetch, kept by Ingest), is the time of
	// the latest reply that answers in it (-1: none): an inbound message after it has no
	// answer yet, and linkAnswers need not look for one.
	answeredUntil int64
	answersKnown  bool
}

// queueCols are a conversation's columns that RefreshConversation computes.
type queueCols struct {
	unanswered                   int
	lastAt, sinceAt, due, lastIn int64
}

// trackedMsg is what answer links and queue columns need of one message.
type trackedMsg struct {
	id, at int64
	due    int64 // 0: none
	in     bool
	spam   bool
	closed bool  // inbound: closed without reply; like spam, it waits for nothing
	silent bool  // outbound: a reply of ours that failed or was cancelled answers nothing
	ansBy  int64 // inbound only; 0 while unanswered
	ansAt  int64
}

// waits says whether an inbound message, while unanswered, counts as waiting for an
// answer: what msg_unanswered holds.
func (t *trackedMsg) waits() bool { return t.in && !t.spam && !t.closed }

func (tx *Tx) cache() *ingestCache {
	if tx.ing == nil {
		tx.ing = &ingestCache{
			contacts: map[contactKey]*contactEntry{},
			convs:    map[convKey]*convEntry{},
		}
	}
	return tx.ing
}

// leaveIngest is called by every change to conversations or messages made outside ingest:
// a bulk load ends (its rows are written and its indexes built, as the queries that
// follow need them), and the cache forgets its conversations, which the change would
// otherwise leave out of date. Contacts change only through ingest.
func (tx *Tx) leaveIngest(ctx context.Context) error {
	if err := tx.endBulk(ctx); err != nil {
		return err
	}
	if tx.ing != nil {
		for _, c := range tx.ing.convs {
			c.fresh, c.msgs, c.pending = false, nil, nil // still dirty: refreshed by query
		}
		tx.ing.convs = map[convKey]*convEntry{}
		tx.ing.absent, tx.ing.noContact, tx.ing.noConv = nil, nil, nil
	}
	for _, c := range tx.dirty {
		c.recount = true // the change may touch what the messages added would count
	}
	return nil
}

// answerFor is the first outbound message at or after at, by (time, id): the definition
// of what answers an inbound message (see linkAnswers).
func (c *convEntry) answerFor(at int64) (id, when int64) {
	if len(c.msgs) == 0 || at > c.lastOutAt {
		return 0, 0
	}
	for _, o := range c.msgs {
		if o.in || o.silent || o.at < at {
			continue
		}
		if id == 0 || o.at < when || (o.at == when && o.id < id) {
			id, when = o.id, o.at
		}
	}
	return id, when
}

// track records a message just stored in the conversation.
func (c *convEntry) track(t trackedMsg) {
	c.msgs = append(c.msgs, t)
	if !t.in {
		if !t.silent {
			c.lastOutAt = max(c.lastOutAt, t.at)
		}
		return
	}
	if t.ansBy != 0 {
		c.lastAnsAt = max(c.lastAnsAt, t.ansAt)
		return
	}
	c.pending = append(c.pending, int32(len(c.msgs)-1))
	if t.waits() {
		c.waiting++
	}
}

// answeredBy links the inbound messages a new outbound message answers first, in the
// cache and in the table; linkAnswers does the same with one query for other conversations.
// The new message has the highest id yet, so it only takes over an answer given later
// than itself, which happens only when messages arrive out of time order.
func (tx *Tx) answeredBy(ctx context.Context, c *convEntry, outID, at int64) error {
	link := func(i int32) error {
		t := &c.msgs[i]
		if t.ansBy == 0 && t.waits() {
			c.waiting--
		}
		t.ansBy, t.ansAt = outID, at
		c.lastAnsAt = max(c.lastAnsAt, at)
		return tx.setAnswer(ctx, t.id, outID, at)
	}
	if at < c.lastAnsAt {
		for i := range int32(len(c.msgs)) {
			if t := c.msgs[i]; t.in && t.ansBy != 0 && t.at <= at && t.ansAt > at {
				if err := link(i); err != nil {
					return err
				}
			}
		}
	}
	still := c.pending[:0]
	for _, i := range c.pending {
		if c.msgs[i].at > at {
			still = append(still, i)
			continue
		}
		if err := link(i); err != nil {
			return err
		}
	}
	c.pending = still
	return nil
}

// refreshFresh writes the queue columns of a fresh conversation, worked out as
// RefreshConversation's queries would, and only those that changed: a column left alone
// costs no index update.
func (tx *Tx) refreshFresh(ctx context.Context, c *convEntry) error {
	var q queueCols
	var lastInAt int64
	q.due = NoDue
	for i, t := range c.msgs {
		if i == 0 || t.at > q.lastAt {
			q.lastAt = t.at
		}
		if !t.in {
			continue
		}
		if q.lastIn == 0 || cmp.Or(cmp.Compare(t.at, lastInAt), cmp.Compare(t.id, q.lastIn)) > 0 {
			q.lastIn, lastInAt = t.id, t.at
		}
		if !t.waits() || t.ansBy != 0 {
			continue
		}
		if q.unanswered == 0 || t.at < q.sinceAt {
			q.sinceAt = t.at
		}
		if t.due != 0 && t.due < q.due {
			q.due = t.due
		}
		q.unanswered++
	}
	if q.unanswered == 0 {
		q.sinceAt = q.lastAt
	}
	w := c.written
	var set []string
	var args []any
	for _, col := range []struct {
		name         string
		changed      bool
		value, empty any
	}{
		{"unanswered", q.unanswered != w.unanswered, q.unanswered, nil},
		{"last_at", q.lastAt != w.lastAt, q.lastAt, nil},
		{"since_at", q.sinceAt != w.sinceAt, q.sinceAt, nil},
		{"due_at", q.due != w.due, q.due, nil},
		{"last_inbound_id", q.lastIn != w.lastIn, q.lastIn, int64(0)},
	} {
		if !col.changed {
			continue
		}
		set = append(set, col.name+" = ?")
		if col.empty != nil && col.value == col.empty {
			args = append(args, nil)
		} else {
			args = append(args, col.value)
		}
	}
	if len(set) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `UPDATE conversations SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, c.id)...)
	if err != nil {
		return fmt.Errorf("refresh conversation %d: %w", c.id, err)
	}
	c.written = q
	return nil
}
