package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// News from a channel about a message it delivered before: the author edited it, removed
// it or the account hid it, or the channel failed to deliver a reply it had accepted
// (migration 0011). The message stays; its text changes with an edit, the earlier text
// kept in message_versions; a removal and a hide only mark it. None of them changes when
// the message arrived, so response times stay as they were, except a reply the channel
// failed, which stops answering exactly like one it refused (see reply_fate.go).

// MessageUpdate is one piece of such news, named by the channel's ids.
type MessageUpdate struct {
	Channel, Account, ExtID string
	At                      int64   // Unix ms: when it happened; orders edits and hides
	Text                    *string // the new text of an edit
	Removed                 bool
	Hidden                  *bool  // hidden (true) or shown again (false)
	Failed                  string // the channel's reason a reply of ours never reached the customer
}

// UpdateOutcome says what applying an update did.
type UpdateOutcome struct {
	Applied        bool  // something changed
	Pending        bool  // the message is not stored yet: the update waits for it
	ConversationID int64 // of the message, when stored
	ReplyFailed    bool  // a reply of ours stopped answering
}

// pendingTTL is how long an update waits for its message: an edit delivered before its
// message is followed by the message within seconds or by the next sync, and a status
// of a message sent by another app on the same number never finds one.
const pendingTTL = 7 * 24 * 3600 * 1000

// updTarget is the stored message an update names.
type updTarget struct {
	id, conv               int64
	direction, text, agent string
	author                 string
	createdAt, editedAt    int64
	removedAt, hiddenAt    int64
	hidden                 bool
	outbox                 string // the reply's outbox status; "" for a message not sent from triage
	outboxID               int64
}

// ApplyUpdate applies u to its message, or keeps it for the message when that is not
// stored yet. Applying the same update again changes nothing.
func (tx *Tx) ApplyUpdate(ctx context.Context, u MessageUpdate, now int64) (UpdateOutcome, error) {
	if err := tx.leaveIngest(ctx); err != nil {
		return UpdateOutcome{}, err
	}
	if u.At == 0 {
		u.At = now
	}
	t, err := tx.updTarget(ctx, u.Channel, u.Account, u.ExtID)
	if errors.Is(err, sql.ErrNoRows) {
		return UpdateOutcome{Pending: true}, tx.keepPending(ctx, u, now)
	}
	if err != nil {
		return UpdateOutcome{}, err
	}
	return tx.applyTo(ctx, t, u, now)
}

func (tx *Tx) updTarget(ctx context.Context, channel, account, extID string) (updTarget, error) {
	var t updTarget
	err := tx.queryRow(ctx, `SELECT m.id, m.conversation_id, m.direction, m.text, m.agent,
		trim(coalesce(ct.name, '') || ' ' || coalesce(ct.handle, '')), m.created_at, coalesce(m.edited_at, 0),
		coalesce(m.removed_at, 0), coalesce(m.hidden_at, 0), m.hidden, coalesce(ob.status, ''), coalesce(ob.id, 0)
		FROM messages m JOIN accounts a ON a.id = m.account_id
		LEFT JOIN contacts ct ON ct.id = m.contact_id
		LEFT JOIN outbox ob ON ob.message_id = m.id
		WHERE m.channel = ? AND a.handle = ? AND m.ext_id = ?`, channel, account, extID).
		Scan(&t.id, &t.conv, &t.direction, &t.text, &t.agent, &t.author, &t.createdAt, &t.editedAt,
			&t.removedAt, &t.hiddenAt, &t.hidden, &t.outbox, &t.outboxID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("look up message %s: %w", extID, err)
	}
	return t, err
}

// applyTo applies an update to a stored message.
func (tx *Tx) applyTo(ctx context.Context, t updTarget, u MessageUpdate, now int64) (UpdateOutcome, error) {
	out := UpdateOutcome{ConversationID: t.conv}
	if u.Text != nil {
		changed, err := tx.editText(ctx, t, *u.Text, u.At)
		if err != nil {
			return out, err
		}
		out.Applied = out.Applied || changed
	}
	if u.Removed && t.removedAt == 0 {
		if _, err := tx.exec(ctx, `UPDATE messages SET removed_at = ? WHERE id = ?`, u.At, t.id); err != nil {
			return out, fmt.Errorf("mark message %d removed: %w", t.id, err)
		}
		out.Applied = true
	}
	// A hide or unhide older than the one recorded is news already overtaken.
	if u.Hidden != nil && *u.Hidden != t.hidden && u.At >= t.hiddenAt {
		if _, err := tx.exec(ctx, `UPDATE messages SET hidden = ?, hidden_at = ? WHERE id = ?`, *u.Hidden, u.At, t.id); err != nil {
			return out, fmt.Errorf("mark message %d hidden: %w", t.id, err)
		}
		out.Applied = true
	} else if u.Hidden != nil && *u.Hidden == t.hidden && u.At > t.hiddenAt {
		if _, err := tx.exec(ctx, `UPDATE messages SET hidden_at = ? WHERE id = ?`, u.At, t.id); err != nil {
			return out, fmt.Errorf("mark message %d hidden: %w", t.id, err)
		}
	}
	if u.Failed != "" {
		failed, err := tx.replyFailed(ctx, t, u.Failed, now)
		if err != nil {
			return out, err
		}
		out.Applied = out.Applied || failed
		out.ReplyFailed = failed
	}
	return out, nil
}

// editText makes text the message's text when the edit is newer than the text it has,
// keeping the text it replaces; an older edit (delivered late) is only kept as a
// version. The full-text index follows the message's text.
func (tx *Tx) editText(ctx context.Context, t updTarget, text string, at int64) (bool, error) {
	current := max(t.editedAt, t.createdAt)
	if t.editedAt != 0 && at < t.editedAt {
		res, err := tx.exec(ctx, `INSERT INTO message_versions (message_id, written_at, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, t.id, at, text)
		if err != nil {
			return false, fmt.Errorf("keep an earlier text of message %d: %w", t.id, err)
		}
		n, _ := res.RowsAffected()
		return n > 0, nil
	}
	if text == t.text {
		return false, nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO message_versions (message_id, written_at, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, t.id, current, t.text); err != nil {
		return false, fmt.Errorf("keep the text of message %d: %w", t.id, err)
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET text = ?, edited_at = ? WHERE id = ?`, text, nextWritten(at, current), t.id); err != nil {
		return false, fmt.Errorf("edit message %d: %w", t.id, err)
	}
	key, err := ftsKey(t.conv, t.id)
	if err != nil {
		return false, err
	}
	author := t.author
	if t.direction == "out" {
		author = t.agent
	}
	if _, err := tx.exec(ctx, `DELETE FROM messages_fts WHERE rowid = ?`, key); err != nil {
		return false, fmt.Errorf("index the edit of message %d: %w", t.id, err)
	}
	if _, err := tx.exec(ctx, tx.d.ftsInsert(), key, text, author); err != nil {
		return false, fmt.Errorf("index the edit of message %d: %w", t.id, err)
	}
	return true, nil
}

// replyFailed fails a reply of ours the channel had accepted (sent, or being sent, or of
// unknown fate) with the channel's reason: it stops answering, as a refused one does. A
// message not sent from triage has no outbox entry to fail, and one failed, cancelled or
// not yet sent stays as it is.
func (tx *Tx) replyFailed(ctx context.Context, t updTarget, reason string, now int64) (bool, error) {
	switch t.outbox {
	case "sent", "sending", "unknown":
	default:
		return false, nil
	}
	if _, err := tx.MoveOutbox(ctx, t.outboxID, t.outbox, "failed", false, reason, "", 0, now); err != nil {
		return false, err
	}
	return true, nil
}

// keepPending records an update for a message not stored yet, once however often it is
// delivered.
func (tx *Tx) keepPending(ctx context.Context, u MessageUpdate, now int64) error {
	hasText, text, hidden := 0, "", -1
	if u.Text != nil {
		hasText, text = 1, *u.Text
	}
	if u.Hidden != nil {
		hidden = 0
		if *u.Hidden {
			hidden = 1
		}
	}
	_, err := tx.exec(ctx, `INSERT INTO pending_updates (channel, account, ext_id, at, has_text, text, removed, hidden, failed, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, u.Channel, u.Account, u.ExtID, u.At, hasText, text, u.Removed, hidden, u.Failed, now)
	if err != nil {
		return fmt.Errorf("keep the update of %s for its message: %w", u.ExtID, err)
	}
	tx.cache().kept = orphansSome
	return nil
}

// scanPending reads pending_updates rows (id first) into updates.
func scanPending(rows *sql.Rows) (ids []int64, us []MessageUpdate, err error) {
	defer rows.Close()
	for rows.Next() {
		var (
			id, hasText, hidden int64
			u                   MessageUpdate
			text                string
		)
		if err := rows.Scan(&id, &u.Channel, &u.Account, &u.ExtID, &u.At, &hasText, &text, &u.Removed, &hidden, &u.Failed); err != nil {
			return nil, nil, err
		}
		if hasText == 1 {
			u.Text = &text
		}
		if hidden >= 0 {
			h := hidden == 1
			u.Hidden = &h
		}
		ids, us = append(ids, id), append(us, u)
	}
	return ids, us, rows.Err()
}

const pendingCols = `id, channel, account, ext_id, at, has_text, text, removed, hidden, failed`

// ApplyPending applies the updates kept for messages that are stored by now (a reply
// whose channel id was recorded after its status came, a message a bulk load stored),
// in the order they happened, and forgets those older than a week. It returns what the
// applied updates did.
func (tx *Tx) ApplyPending(ctx context.Context, now int64) ([]UpdateOutcome, error) {
	if err := tx.leaveIngest(ctx); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM pending_updates WHERE received_at < ?`, now-pendingTTL); err != nil {
		return nil, fmt.Errorf("forget old updates: %w", err)
	}
	rows, err := tx.query(ctx, `SELECT `+pendingCols+` FROM pending_updates p WHERE EXISTS (SELECT 1 FROM messages m
		JOIN accounts a ON a.id = m.account_id WHERE m.channel = p.channel AND a.handle = p.account AND m.ext_id = p.ext_id)
		ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("read kept updates: %w", err)
	}
	ids, us, err := scanPending(rows)
	if err != nil {
		return nil, fmt.Errorf("read kept updates: %w", err)
	}
	var outs []UpdateOutcome
	for i, u := range us {
		if _, err := tx.exec(ctx, `DELETE FROM pending_updates WHERE id = ?`, ids[i]); err != nil {
			return nil, fmt.Errorf("apply kept update: %w", err)
		}
		t, err := tx.updTarget(ctx, u.Channel, u.Account, u.ExtID)
		if err != nil {
			return nil, err
		}
		o, err := tx.applyTo(ctx, t, u, now)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// pendingFor takes out the updates kept for a message about to be stored, oldest first;
// a transaction asks once whether any are kept at all, and not again while none are.
func (tx *Tx) pendingFor(ctx context.Context, m *NewMessage) ([]MessageUpdate, error) {
	c := tx.cache()
	if c.kept == orphansUnknown {
		var any bool // EXISTS: an integer on SQLite, a boolean on PostgreSQL
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pending_updates)`).Scan(&any); err != nil {
			return nil, fmt.Errorf("look for kept updates: %w", err)
		}
		c.kept = orphansNone
		if any {
			c.kept = orphansSome
		}
	}
	if c.kept == orphansNone {
		return nil, nil
	}
	// A reply's status waits for ApplyPending: a message stored by ingest has no outbox
	// entry to fail.
	rows, err := tx.query(ctx, `DELETE FROM pending_updates WHERE channel = ? AND account = ? AND ext_id = ? AND failed = '' RETURNING `+pendingCols,
		m.Channel, m.Account, m.ExtID)
	if err != nil {
		return nil, fmt.Errorf("look for updates kept for %s: %w", m.ExtID, err)
	}
	_, us, err := scanPending(rows)
	if err != nil {
		return nil, fmt.Errorf("look for updates kept for %s: %w", m.ExtID, err)
	}
	// RETURNING gives no order; apply in the order they happened.
	for i := 1; i < len(us); i++ {
		for j := i; j > 0 && us[j].At < us[j-1].At; j-- {
			us[j], us[j-1] = us[j-1], us[j]
		}
	}
	return us, nil
}

// textVersion is a text a message had, and when it was written.
type textVersion struct {
	at   int64
	text string
}

// withPendingText gives a message about to be stored the text of the newest edit kept
// for it, and returns the texts it replaces (the delivered one first) to keep as
// versions, and the time of the last edit: so the full-text index gets the edited text
// once, and nothing is lost.
func withPendingText(m *NewMessage, us []MessageUpdate) (versions []textVersion, editedAt int64) {
	text, written := m.Text, m.CreatedAt
	for _, u := range us {
		if u.Text == nil || *u.Text == text {
			continue
		}
		versions = append(versions, textVersion{written, text})
		text, written = *u.Text, nextWritten(u.At, written)
		editedAt = written
	}
	m.Text = text
	return versions, editedAt
}

// nextWritten is when an edit at at of a text written at prev counts as written: its own
// time, but always after prev, so that versions keep one row each.
func nextWritten(at, prev int64) int64 { return max(at, prev+1) }

// markPending records on a message just stored what the updates kept for it said: its
// earlier texts, and its removal or hide.
func (tx *Tx) markPending(ctx context.Context, msgID int64, versions []textVersion, editedAt int64, us []MessageUpdate) error {
	for _, v := range versions {
		if _, err := tx.exec(ctx, `INSERT INTO message_versions (message_id, written_at, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, msgID, v.at, v.text); err != nil {
			return fmt.Errorf("keep the text of message %d: %w", msgID, err)
		}
	}
	var sets []string
	var args []any
	if editedAt != 0 {
		sets, args = append(sets, "edited_at = ?"), append(args, editedAt)
	}
	for _, u := range us {
		if u.Removed {
			sets, args = append(sets, "removed_at = coalesce(removed_at, ?)"), append(args, u.At)
			break
		}
	}
	var hide *MessageUpdate
	for i := range us {
		if us[i].Hidden != nil {
			hide = &us[i]
		}
	}
	if hide != nil {
		sets, args = append(sets, "hidden = ?", "hidden_at = ?"), append(args, *hide.Hidden, hide.At)
	}
	if len(sets) == 0 {
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, msgID)...); err != nil {
		return fmt.Errorf("mark message %d: %w", msgID, err)
	}
	return nil
}

// keptUpdates are the updates ingest found kept for a message it stores.
type keptUpdates struct {
	us       []MessageUpdate
	versions []textVersion
	editedAt int64
}

// takeKept is ingest's side of updates delivered before their message: it takes out
// those kept for m and gives m the newest edited text. A bulk load (an import into an
// empty inbox) holds its rows back and finds none here; ApplyPending applies them later.
func (tx *Tx) takeKept(ctx context.Context, m *NewMessage) (keptUpdates, error) {
	if tx.bulk != nil && !tx.bulk.direct {
		return keptUpdates{}, nil
	}
	us, err := tx.pendingFor(ctx, m)
	if err != nil || len(us) == 0 {
		return keptUpdates{}, err
	}
	k := keptUpdates{us: us}
	k.versions, k.editedAt = withPendingText(m, us)
	return k, nil
}

// markKept records on the message just stored what takeKept found for it.
func (tx *Tx) markKept(ctx context.Context, msgID int64, k keptUpdates) error {
	if len(k.us) == 0 {
		return nil
	}
	return tx.markPending(ctx, msgID, k.versions, k.editedAt, k.us)
}
