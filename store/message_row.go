package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// messageRow is one message as the messages table stores it.
type messageRow struct {
	id, conv, account int64
	contact, due      sql.NullInt64
	ansBy, ansAt      sql.NullInt64
	closed            sql.NullInt64
	m                 *NewMessage
	convKey           string
	written           bool // in a bulk load: already in the table
}

// storedRef is a message already stored (or, in a bulk load, already taken in); the
// conversation key is known only in a bulk load.
type storedRef struct {
	id      int64
	convKey string
}

// storedMessage finds a message already stored, or returns a zero id.
func (tx *Tx) storedMessage(ctx context.Context, acct int64, channel, extID string) (storedRef, error) {
	if tx.bulk != nil && !tx.bulk.direct {
		// The inbox had no messages when the load began, so what this transaction took
		// in is everything there is.
		return tx.lookup(ctx, acct, channel, extID)
	}
	if c := tx.ing; c != nil && c.absent[msgKey{acct, channel, extID}] {
		return storedRef{}, nil // Prefetch looked
	}
	var r storedRef
	err := tx.queryRow(ctx, `SELECT id FROM messages WHERE channel = ? AND account_id = ? AND ext_id = ?`,
		channel, acct, extID).Scan(&r.id)
	if errors.Is(err, sql.ErrNoRows) {
		return storedRef{}, nil
	}
	if err != nil {
		return storedRef{}, fmt.Errorf("look up message %s: %w", extID, err)
	}
	return r, nil
}

// messageColumns are the columns a new message row gives, after its id.
const messageColumns = `conversation_id, account_id, channel, ext_id, kind,
	direction, contact_id, agent, text, url, in_reply_to, created_at, sentiment, priority, spam, due_at, subject,
	answered_by, answered_at, closed_at, rating, app_version, language`

// insertMessageSQL stores a message under an id the database chooses, and returns it.
const insertMessageSQL = `INSERT INTO messages (` + messageColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

// insertMessageWithIDSQL stores a message under an id of a bulk load's choosing.
const insertMessageWithIDSQL = `INSERT INTO messages (id, ` + messageColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertMessage stores a message row and returns its id. In a bulk load the row waits in
// the load's window with an id of its own, so a reply that comes soon after a question
// fills in the question's answer before either is written (see bulkLoad).
func (tx *Tx) insertMessage(ctx context.Context, r messageRow) (int64, error) {
	if b := tx.bulk; b != nil && !b.direct {
		k := b.key(r.account, r.m.Channel, r.m.ExtID)
		if _, taken := b.seen[k]; taken {
			// Two messages share a hash (about once in 10^13 loads of a million).
			if err := tx.goDirect(ctx); err != nil {
				return 0, err
			}
		} else {
			r.id = b.nextID
			b.nextID++
			b.window = append(b.window, r)
			b.seen[k] = r.id
			if len(b.window) >= bulkWindow {
				return r.id, tx.writeWindow(ctx, bulkWindow/4)
			}
			return r.id, nil
		}
	}
	if tx.pend.want > 0 || len(tx.pend.ids) > 0 {
		if id, ok, err := tx.holdMessage(ctx, r); ok || err != nil {
			return id, err
		}
	}
	var id int64
	if err := tx.queryRow(ctx, insertMessageSQL, r.args()...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// args are the values of messageColumns.
func (r *messageRow) args() []any {
	m := r.m
	return []any{r.conv, r.account, m.Channel, m.ExtID, m.Kind, m.Direction, r.contact, m.Agent, m.Text, m.URL,
		m.InReplyTo, m.CreatedAt, m.Sentiment, m.Priority, m.Spam, r.due, m.Subject, r.ansBy, r.ansAt, r.closed,
		nullIfZero(int64(m.Rating)), nullIfEmpty(m.AppVersion), nullIfEmpty(m.Language)}
}

// nullIfEmpty, like nullIfZero, leaves a column NULL where a message has nothing to say:
// the review columns of every message that is not a review cost no bytes then.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// setAnswer records what answers an inbound message.
func (tx *Tx) setAnswer(ctx context.Context, id, by, at int64) error {
	if b := tx.bulk; b != nil {
		if r := b.buffered(id); r != nil && !r.written {
			r.ansBy, r.ansAt = sql.NullInt64{Int64: by, Valid: true}, sql.NullInt64{Int64: at, Valid: true}
			return nil
		}
		if err := tx.writeBuffered(ctx, by); err != nil {
			return err
		}
	}
	if r := tx.heldMessage(id); r != nil {
		r.ansBy, r.ansAt = sql.NullInt64{Int64: by, Valid: true}, sql.NullInt64{Int64: at, Valid: true}
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET answered_by = ?, answered_at = ? WHERE id = ?`, by, at, id); err != nil {
		return fmt.Errorf("link answered message: %w", err)
	}
	return nil
}
