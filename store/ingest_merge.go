package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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

// orphanKey names the parent an orphan waits for.
func orphanKey(acct int64, channel, parent string) string {
	return fmt.Sprint(acct, "\x00", channel, "\x00", parent)
}

// addOrphan records that message msgID waits for its parent.
func (tx *Tx) addOrphan(ctx context.Context, acct, msgID int64, channel, parent string) error {
	if b := tx.bulk; b != nil {
		if b.orphans == nil {
			b.orphans = map[string][]int64{}
		}
		k := orphanKey(acct, channel, parent)
		b.orphans[k] = append(b.orphans[k], msgID)
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO orphans (message_id, account_id, channel, parent_ext_id) VALUES (?, ?, ?, ?)`,
		msgID, acct, channel, parent); err != nil {
		return fmt.Errorf("record reply %d waiting for %s: %w", msgID, parent, err)
	}
	tx.cache().orphans = orphansSome
	return nil
}

// Whether the orphans table has rows, as far as this transaction knows: the question is
// asked once a transaction, and while the answer is no, ingest asks nothing more.
const (
	orphansUnknown = iota
	orphansNone
	orphansSome
)

// waitingFor takes out the orphans that wait for a message just stored.
func (tx *Tx) waitingFor(ctx context.Context, acct int64, channel, extID string) ([]int64, error) {
	if b := tx.bulk; b != nil {
		if len(b.orphans) == 0 {
			return nil, nil
		}
		k := orphanKey(acct, channel, extID)
		ids := b.orphans[k]
		delete(b.orphans, k)
		return ids, nil
	}
	c := tx.cache()
	if c.orphans == orphansUnknown {
		var any int
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM orphans)`).Scan(&any); err != nil {
			return nil, fmt.Errorf("look for waiting replies: %w", err)
		}
		c.orphans = orphansNone
		if any != 0 {
			c.orphans = orphansSome
		}
	}
	if c.orphans == orphansNone {
		return nil, nil
	}
	rows, err := tx.query(ctx, `DELETE FROM orphans WHERE account_id = ? AND channel = ? AND parent_ext_id = ? RETURNING message_id`,
		acct, channel, extID)
	if err != nil {
		return nil, fmt.Errorf("look for replies waiting for %s: %w", extID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

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
	if tx.bulk != nil && (jc == nil || !jc.fresh || !k.fresh) {
		return fmt.Errorf("conversation %d is not all in the bulk load's cache", j)
	}
	var jState string
	if err := tx.queryRow(ctx, `SELECT state FROM conversations WHERE id = ?`, j).Scan(&jState); err != nil {
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
	if err := tx.moveText(ctx, j, k.id, moved); err != nil {
		return err
	}
	if err := tx.moveRows(ctx, j, k); err != nil {
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
		ids, _ := json.Marshal(jIn)
		if err := tx.queryRow(ctx, `SELECT
			(SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1 AND direction = 'in'
				AND answered_at IS NULL AND closed_at IS NULL AND spam = 0),
			(SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1 AND direction = 'in'
				AND answered_at IS NULL AND closed_at IS NULL AND spam = 0 AND id IN (SELECT value FROM json_each(?2)))`,
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
	k.state = to
	return tx.Audit(ctx, AuditEvent{At: at, Actor: "system", Action: "state", ConversationID: k.id, From: from, To: to})
}

// mergedState is the state of a conversation after the conversation of a reply that
// waited for its parent moved into it: the parent's state, changed as the orphan's
// messages would have changed it had they arrived after the parent.
func mergedState(k, j string, kReal, jReal, jWaits, jAnswers bool, waitingAfter int) string {
	switch {
	case k == "spam":
		if !kReal && jReal {
			return "new" // the rules' spam, and a real message came with the orphan
		}
		return k
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
// queued are keyed anew, rows already in the index are deleted and queued again.
func (tx *Tx) moveText(ctx context.Context, j, k int64, moved []movedMsg) error {
	queued := map[int64]bool{}
	for i, r := range tx.text.rows {
		if r.key>>32 == j {
			tx.text.rows[i].key = k<<32 | r.key&(1<<32-1)
			queued[r.key&(1<<32-1)] = true
		}
	}
	for _, mm := range moved {
		if queued[mm.id] {
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
// (two drafts are kept both, k's first), outbox entries, audit rows; and k takes the
// higher priority, and j's customer, assignee and start where it has none or a later one.
func (tx *Tx) moveRows(ctx context.Context, j int64, k *convEntry) error {
	for _, q := range []string{
		`INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id) SELECT ?2, tag_id FROM conversation_tags WHERE conversation_id = ?1`,
		`DELETE FROM conversation_tags WHERE conversation_id = ?1`,
		`UPDATE notes SET conversation_id = ?2 WHERE conversation_id = ?1`,
		`UPDATE escalations SET conversation_id = ?2 WHERE conversation_id = ?1`,
		`UPDATE outbox SET conversation_id = ?2 WHERE conversation_id = ?1`,
		`UPDATE audit SET conversation_id = ?2 WHERE conversation_id = ?1`,
		`INSERT INTO drafts (conversation_id, body, updated_at) SELECT ?2, body, updated_at FROM drafts WHERE conversation_id = ?1
			ON CONFLICT (conversation_id) DO UPDATE SET body = drafts.body || char(10) || char(10) || excluded.body,
			updated_at = max(drafts.updated_at, excluded.updated_at)`,
		`DELETE FROM drafts WHERE conversation_id = ?1`,
		`UPDATE conversations SET (priority, contact_id, assignee, created_at) = (SELECT max(k.priority, j.priority),
			coalesce(k.contact_id, j.contact_id), CASE WHEN k.assignee = '' THEN j.assignee ELSE k.assignee END,
			min(k.created_at, j.created_at) FROM conversations k, conversations j WHERE k.id = ?2 AND j.id = ?1) WHERE id = ?2`,
	} {
		if _, err := tx.exec(ctx, q, j, k.id); err != nil {
			return fmt.Errorf("move conversation %d into %d: %w", j, k.id, err)
		}
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
// stays, under a key no message can have, until the indexes are back (without them
// deleting it would read every message to check no message is still in it).
func (tx *Tx) dropConversation(ctx context.Context, j int64, jc *convEntry) error {
	delete(tx.dirty, j)
	if jc != nil && tx.ing != nil && tx.ing.convs[jc.key] == jc {
		delete(tx.ing.convs, jc.key)
	}
	if b := tx.bulk; b != nil {
		b.merged = append(b.merged, j)
		_, err := tx.exec(ctx, `UPDATE conversations SET ext_key = ? WHERE id = ?`, fmt.Sprint("\x00merged\x00", j), j)
		return err
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

// importOutbox records where a reply of ours stood in the outbox, as an export said. A
// reply that had not surely left (pending, sending, unknown) comes in as unknown: the
// sender never sends it again from here, and a person can see it and decide.
func (tx *Tx) importOutbox(ctx context.Context, msgID, convID int64, m NewMessage) error {
	status := m.OutboxStatus
	switch status {
	case "sent", "failed", "cancelled":
	case "pending", "sending", "unknown":
		status = "unknown"
	default:
		return fmt.Errorf("message %s: outbox status %q (want pending, sending, sent, failed, unknown or cancelled)", m.ExtID, m.OutboxStatus)
	}
	if tx.bulk != nil {
		if err := tx.writeBuffered(ctx, msgID); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, `INSERT INTO outbox (kind, message_id, conversation_id, status, idempotency_key, next_attempt_at, created_at, updated_at)
		VALUES ('reply', ?, ?, ?, ?, ?, ?, ?)`, msgID, convID, status, strings.TrimPrefix(m.ExtID, "triage:"), m.CreatedAt, m.CreatedAt, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("message %s: outbox entry: %w", m.ExtID, err)
	}
	return nil
}

// endOrphans is the end of a bulk load for the orphans: those still waiting go to the
// table, and the conversations merges emptied are deleted (the indexes are back).
func (tx *Tx) endOrphans(ctx context.Context, b *bulkLoad) error {
	keys := make([]string, 0, len(b.orphans))
	for k := range b.orphans {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts := strings.SplitN(k, "\x00", 3)
		acct, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			return fmt.Errorf("waiting reply: account %q: %w", parts[0], err)
		}
		for _, id := range b.orphans[k] {
			if _, err := tx.exec(ctx, `INSERT INTO orphans (message_id, account_id, channel, parent_ext_id) VALUES (?, ?, ?, ?)`,
				id, acct, parts[1], parts[2]); err != nil {
				return fmt.Errorf("record reply %d waiting for %s: %w", id, parts[2], err)
			}
			tx.cache().orphans = orphansSome
		}
	}
	for _, j := range b.merged {
		if _, err := tx.exec(ctx, `DELETE FROM conversations WHERE id = ?`, j); err != nil {
			return fmt.Errorf("delete merged conversation %d: %w", j, err)
		}
	}
	return nil
}
