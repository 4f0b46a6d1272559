package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Replies that arrive before their parent.
//
// In real feeds the brand's replies and the customers' messages come from different
// endpoints, in any order. A message with no conversation of its own whose in_reply_to
// names a message not stored yet is an orphan: it starts a conversation of its own and
// waits in the orphans table (migration 0010), or, in a bulk load, in a map. When the
// parent arrives, in the same batch or years later, the orphan's conversation is merged
// into the parent's: its messages and their full-text rows, tags, notes, escalations,
// draft, outbox entries and audit rows move, answers and queue columns are worked out
// again, and the emptied conversation goes. The result is the inbox the messages would
// have made in order.

// adoptOrphans merges the conversations of the replies that waited for m, just stored in
// conversation k, into k.
func (tx *Tx) adoptOrphans(ctx context.Context, acct int64, m NewMessage, k *convEntry) error {
	ids, err := tx.waitingFor(ctx, acct, m.Channel, m.ExtID)
	if err != nil || len(ids) == 0 {
		return err
	}
	slices.Sort(ids)
	for _, id := range ids {
		j, err := tx.conversationOf(ctx, id)
		if err != nil {
			return err
		}
		if j == k.id {
			continue // it joined the parent's conversation by its key already
		}
		if err := tx.mergeConversation(ctx, j, k, m.CreatedAt); err != nil {
			return fmt.Errorf("move reply %d into the conversation of %s: %w", id, m.ExtID, err)
		}
	}
	return nil
}

// conversationOf is the conversation a stored message is in.
func (tx *Tx) conversationOf(ctx context.Context, msgID int64) (int64, error) {
	if b := tx.bulk; b != nil {
		if r := b.buffered(msgID); r != nil && !r.written {
			return r.conv, nil
		}
	}
	var conv int64
	if err := tx.queryRow(ctx, `SELECT conversation_id FROM messages WHERE id = ?`, msgID).Scan(&conv); err != nil {
		return 0, fmt.Errorf("conversation of message %d: %w", msgID, err)
	}
	return conv, nil
}

// movedMsg is what a merge needs of a message of the conversation that moves.
type movedMsg struct {
	id         int64
	in, real   bool // inbound; inbound and not spam
	text, auth string
	textKnown  bool
}

// mergeConversation moves everything of conversation j into k and deletes j. at is when
// the message that brought them together arrived: the time of the state change it makes.
func (tx *Tx) mergeConversation(ctx context.Context, j int64, k *convEntry, at int64) error {
	jc := tx.dirty[j]
	k.recount = true // messages come in that ingest did not add to it one by one
	if tx.bulk != nil && (jc == nil || !jc.fresh || !k.fresh) {
		return fmt.Errorf("conversation %d is not all in the bulk load's cache", j)
	}
	var jState string
	if jc != nil && jc.fresh {
		jState = jc.state
	} else if err := tx.queryRow(ctx, `SELECT state FROM conversations WHERE id = ?`, j).Scan(&jState); err != nil {
		return fmt.Errorf("read conversation %d: %w", j, err)
	}
	kReal, err := tx.realInbound(ctx, k)
	if err != nil {
		return err
	}
	moved, err := tx.movedMessages(ctx, j, jc)
	if err != nil {
		return err
	}
	var held map[int64]bool
	if jc != nil {
		if held, err = tx.passHeld(ctx, jc, k); err != nil {
			return err
		}
	}
	if err := tx.moveText(ctx, j, k.id, moved, held); err != nil {
		return err
	}
	if err := tx.moveRows(ctx, j, jc, k); err != nil {
		return err
	}

	var jReal, jAnswers bool
	var jIn []int64
	for _, mm := range moved {
		jReal = jReal || mm.real
		if mm.in {
			jIn = append(jIn, mm.id)
		}
	}
	var waitingAfter, jWaits int
	if tx.bulk != nil {
		for _, t := range jc.msgs {
			if err := tx.moveMessage(ctx, t.id, k); err != nil {
				return err
			}
			jAnswers = jAnswers || (!t.in && !t.silent)
		}
		k.msgs = append(k.msgs, jc.msgs...)
		if err := tx.relinkFresh(ctx, k); err != nil {
			return err
		}
		waitingAfter = k.waiting
		for _, t := range k.msgs {
			if t.ansBy == 0 && t.waits() && slices.Contains(jIn, t.id) {
				jWaits++
			}
		}
	} else {
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages o INDEXED BY msg_conv
			WHERE o.conversation_id = ? AND o.direction = 'out' AND `+answers+`)`, j).Scan(&jAnswers); err != nil {
			return fmt.Errorf("read replies of conversation %d: %w", j, err)
		}
		if _, err := tx.exec(ctx, `UPDATE messages INDEXED BY msg_conv SET conversation_id = ? WHERE conversation_id = ?`, k.id, j); err != nil {
			return fmt.Errorf("move messages of conversation %d: %w", j, err)
		}
		if err := tx.RelinkAnswers(ctx, k.id); err != nil { // forgets ingest's cache: k is read by query from now on
			return err
		}
		ids, _ := json.Marshal(append([]int64{}, jIn...)) // [], never null: PostgreSQL reads no list in null
		if err := tx.queryRow(ctx, `SELECT
			(SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1 AND direction = 'in'
				AND answered_at IS NULL AND closed_at IS NULL AND spam = 0),
			(SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1 AND direction = 'in'
				AND answered_at IS NULL AND closed_at IS NULL AND spam = 0 AND `+tx.d.inJSON("id", "?2")+`)`,
			k.id, string(ids)).Scan(&waitingAfter, &jWaits); err != nil {
			return fmt.Errorf("count unanswered: %w", err)
		}
	}

	if err := tx.dropConversation(ctx, j, jc); err != nil {
		return err
	}
	to := mergedState(k.state, jState, kReal, jReal, jWaits > 0, jAnswers, waitingAfter)
	if to == k.state {
		return nil
	}
	if err := tx.setState(ctx, k.id, to, 0); err != nil {
		return err
	}
	from := k.state
	k.state, k.audited = to, true
	return tx.Audit(ctx, AuditEvent{At: at, Actor: "system", Action: "state", ConversationID: k.id, From: from, To: to})
}

// mergedState is the state of a conversation after the conversation of a reply that
// waited for its parent moved into it: the parent's state, changed as the orphan's
// messages would have changed it had they arrived after the parent.
func mergedState(k, j string, kReal, jReal, jWaits, jAnswers bool, waitingAfter int) string {
	if k == "spam" {
		if kReal || !jReal && !jAnswers {
			return k
		}
		k = "new" // the rules' spam, and a real message or a reply came with the orphan
	}
	switch {
	case j == "escalated" && (k == "new" || k == "open" || k == "waiting"):
		return "escalated"
	case jWaits && (k == "done" || k == "waiting" || k == "snoozed"):
		return "open"
	case jAnswers && waitingAfter == 0 && (k == "new" || k == "open"):
		return "waiting"
	}
	return k
}

// realInbound reports whether conversation c holds an inbound message that is not spam.
// A conversation in state spam that holds one was marked spam by a person (a message
// that is not spam takes a conversation the rules put there out of it), and stays spam.
func (tx *Tx) realInbound(ctx context.Context, c *convEntry) (bool, error) {
	if c.fresh {
		for _, t := range c.msgs {
			if t.in && !t.spam {
				return true, nil
			}
		}
		return false, nil
	}
	var real bool
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages INDEXED BY msg_conv WHERE conversation_id = ?
		AND direction = 'in' AND spam = 0)`, c.id).Scan(&real)
	if err != nil {
		return false, fmt.Errorf("read messages of conversation %d: %w", c.id, err)
	}
	return real, nil
}

// movedMessages lists the messages of conversation j, with their text where the full-text
// index will need it again.
func (tx *Tx) movedMessages(ctx context.Context, j int64, jc *convEntry) ([]movedMsg, error) {
	if tx.bulk != nil {
		out := make([]movedMsg, 0, len(jc.msgs))
		for _, t := range jc.msgs {
			mm := movedMsg{id: t.id, in: t.in, real: t.in && !t.spam}
			if r := tx.bulk.buffered(t.id); r != nil && !r.written {
				mm.text, mm.auth, mm.textKnown = r.m.Text, strings.TrimSpace(r.m.AuthorName+" "+r.m.AuthorHandle), true
			}
			out = append(out, mm)
		}
		return out, nil
	}
	rows, err := tx.query(ctx, `SELECT id, direction = 'in', direction = 'in' AND spam = 0 FROM messages INDEXED BY msg_conv
		WHERE conversation_id = ? ORDER BY id`, j)
	if err != nil {
		return nil, fmt.Errorf("read messages of conversation %d: %w", j, err)
	}
	defer rows.Close()
	var out []movedMsg
	for rows.Next() {
		var mm movedMsg
		if err := rows.Scan(&mm.id, &mm.in, &mm.real); err != nil {
			return nil, err
		}
		out = append(out, mm)
	}
	return out, rows.Err()
}

// moveText keys the full-text rows of conversation j's messages under k: rows still
// queued are keyed anew, rows already in the index are deleted and queued again, and
// text held back (passHeld) is left alone.
func (tx *Tx) moveText(ctx context.Context, j, k int64, moved []movedMsg, held map[int64]bool) error {
	queued := map[int64]bool{}
	if idx := tx.text.byConv[j]; len(idx) > 0 {
		for _, i := range idx {
			r := &tx.text.rows[i]
			r.key = k<<32 | r.key&(1<<32-1)
			queued[r.key&(1<<32-1)] = true
		}
		tx.text.byConv[k] = append(tx.text.byConv[k], idx...)
		delete(tx.text.byConv, j)
	}
	for _, mm := range moved {
		if queued[mm.id] || held[mm.id] {
			continue
		}
		old, err := ftsKey(j, mm.id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM messages_fts WHERE rowid = ?`, old); err != nil {
			return fmt.Errorf("move full text of message %d: %w", mm.id, err)
		}
		if !mm.textKnown {
			var ext, agent, name, handle string
			err := tx.queryRow(ctx, `SELECT m.text, m.ext_id, m.agent, coalesce(ct.name, ''), coalesce(ct.handle, '')
				FROM messages m LEFT JOIN contacts ct ON ct.id = m.contact_id WHERE m.id = ?`, mm.id).Scan(&mm.text, &ext, &agent, &name, &handle)
			if err != nil {
				return fmt.Errorf("read message %d: %w", mm.id, err)
			}
			// As they were indexed: a reply written in triage under its agent, any other
			// message under its author.
			mm.auth = strings.TrimSpace(name + " " + handle)
			if strings.HasPrefix(ext, "triage:") {
				mm.auth = agent
			}
		}
		if err := tx.indexText(ctx, k, mm.id, mm.text, mm.auth); err != nil {
			return err
		}
	}
	return nil
}

// moveRows moves what hangs on conversation j to k: tags, notes, escalations, the draft
// (two drafts are kept both, k's first), outbox entries, audit rows; and k takes j's
// priority if higher than normal and its own, and j's customer and assignee if it has none.
// In a bulk load, a conversation with nothing but messages skips the moves.
func (tx *Tx) moveRows(ctx context.Context, j int64, jc, k *convEntry) error {
	bulk := tx.bulk != nil
	if !bulk || jc.extras {
		for _, q := range []string{
			`INSERT INTO conversation_tags (conversation_id, tag_id) SELECT CAST(?2 AS BIGINT), tag_id FROM conversation_tags WHERE conversation_id = ?1
				ON CONFLICT DO NOTHING`,
			`DELETE FROM conversation_tags WHERE conversation_id = ?1`,
			`UPDATE notes SET conversation_id = ?2 WHERE conversation_id = ?1`,
			`UPDATE escalations SET conversation_id = ?2 WHERE conversation_id = ?1`,
			`UPDATE outbox SET conversation_id = ?2 WHERE conversation_id = ?1`,
			`INSERT INTO drafts (conversation_id, agent, body, updated_at) SELECT CAST(?2 AS BIGINT), agent, body, updated_at FROM drafts WHERE conversation_id = ?1
				ON CONFLICT (conversation_id, agent) DO UPDATE SET body = drafts.body || '

' || excluded.body,
				updated_at = CASE WHEN drafts.updated_at > excluded.updated_at THEN drafts.updated_at ELSE excluded.updated_at END`,
			`DELETE FROM drafts WHERE conversation_id = ?1`,
		} {
			// A statement takes exactly its parameters on PostgreSQL, not a spare one.
			args := []any{j, k.id}
			if !strings.Contains(q, "?2") {
				args = args[:1]
			}
			if _, err := tx.exec(ctx, q, args...); err != nil {
				return fmt.Errorf("move conversation %d into %d: %w", j, k.id, err)
			}
		}
		k.extras = true
	}
	if !bulk || jc.audited {
		if _, err := tx.exec(ctx, `UPDATE audit SET conversation_id = ?2 WHERE conversation_id = ?1`, j, k.id); err != nil {
			return fmt.Errorf("move conversation %d into %d: %w", j, k.id, err)
		}
		k.audited = true
	}
	// As the orphan's messages would have had they come after the parent: a priority
	// above normal raises k's, and k gets its customer from them if it has none.
	if bulk && !jc.extras && (jc.priority <= 1 || jc.priority <= k.priority) && (k.hasContact || !jc.hasContact) {
		return nil // nothing would change
	}
	if _, err := tx.exec(ctx, `UPDATE conversations SET (priority, contact_id, assignee) = (SELECT
			CASE WHEN j.priority > 1 AND j.priority > k.priority THEN j.priority ELSE k.priority END,
			coalesce(k.contact_id, j.contact_id), CASE WHEN k.assignee = '' THEN j.assignee ELSE k.assignee END
			FROM conversations k, conversations j WHERE k.id = ?2 AND j.id = ?1) WHERE id = ?2`, j, k.id); err != nil {
		return fmt.Errorf("move conversation %d into %d: %w", j, k.id, err)
	}
	if bulk {
		if jc.priority > 1 {
			k.priority = max(k.priority, jc.priority)
		}
		k.hasContact = k.hasContact || jc.hasContact
		return nil
	}
	var prio int
	var contact sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT priority, contact_id FROM conversations WHERE id = ?`, k.id).Scan(&prio, &contact); err != nil {
		return fmt.Errorf("read conversation %d: %w", k.id, err)
	}
	k.priority, k.hasContact = prio, contact.Valid
	return nil
}

// moveMessage moves one message of a bulk load to conversation k.
func (tx *Tx) moveMessage(ctx context.Context, id int64, k *convEntry) error {
	if r := tx.bulk.buffered(id); r != nil && !r.written {
		r.conv, r.convKey = k.id, k.key.key
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET conversation_id = ? WHERE id = ?`, k.id, id); err != nil {
		return fmt.Errorf("move message %d: %w", id, err)
	}
	return nil
}

// dropConversation deletes conversation j, emptied by a merge. In a bulk load its row
// stays until the indexes are back (without them deleting it would read every message
// to check no message is still in it); should a message want its key meanwhile,
// freeKey moves it out of the way.
func (tx *Tx) dropConversation(ctx context.Context, j int64, jc *convEntry) error {
	delete(tx.dirty, j)
	if jc != nil && tx.ing != nil && tx.ing.convs[jc.key] == jc {
		delete(tx.ing.convs, jc.key)
	}
	if b := tx.bulk; b != nil {
		b.merged = append(b.merged, j)
		if b.dropped == nil {
			b.dropped = map[convKey]int64{}
		}
		b.dropped[jc.key] = j
		return nil
	}
	if _, err := tx.exec(ctx, `DELETE FROM conversations WHERE id = ?`, j); err != nil {
		return fmt.Errorf("delete merged conversation %d: %w", j, err)
	}
	return nil
}

// relinkFresh works out again every answer of a fresh conversation after messages moved
// into it, as linkAnswers would: an inbound message is answered by the first outbound
// message, by (time, id), at or after it. Moving messages in only adds answers, so an
// answer changes only to an earlier one.
func (tx *Tx) relinkFresh(ctx context.Context, c *convEntry) error {
	slices.SortFunc(c.msgs, func(a, b trackedMsg) int { return cmp.Compare(a.id, b.id) })
	type out struct{ at, id int64 }
	var outs []out
	for _, t := range c.msgs {
		if !t.in && !t.silent {
			outs = append(outs, out{t.at, t.id})
		}
	}
	slices.SortFunc(outs, func(a, b out) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id)) })
	c.pending, c.waiting, c.lastOutAt, c.lastAnsAt = nil, 0, 0, 0
	if len(outs) > 0 {
		c.lastOutAt = outs[len(outs)-1].at
	}
	for i := range c.msgs {
		t := &c.msgs[i]
		if !t.in {
			continue
		}
		n, _ := slices.BinarySearchFunc(outs, t.at, func(o out, at int64) int { return cmp.Compare(o.at, at) })
		if n < len(outs) && (outs[n].id != t.ansBy || outs[n].at != t.ansAt) {
			t.ansBy, t.ansAt = outs[n].id, outs[n].at
			if err := tx.setAnswer(ctx, t.id, t.ansBy, t.ansAt); err != nil {
				return err
			}
		}
		if t.ansBy != 0 {
			c.lastAnsAt = max(c.lastAnsAt, t.ansAt)
			continue
		}
		c.pending = append(c.pending, int32(i))
		if t.waits() {
			c.waiting++
		}
	}
	return nil
}
