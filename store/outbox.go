package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"
)

// OutboxItem is a reply waiting in the outbox with what its channel needs to post it.
type OutboxItem struct {
	OutboxEntry
	Channel, Account, ConvKey, Kind string
	Text                            string
	// The inbound message answered: the latest inbound message before the reply.
	ParentExtID, ParentText, ParentSubject string
	AuthorExtID, AuthorHandle, AuthorName  string
}

const outboxItemSelect = `SELECT o.id, o.message_id, o.conversation_id, o.status, o.idempotency_key, o.attempts, o.last_error, o.remote_id,
	m.channel, a.handle, c.ext_key, m.kind, m.text,
	coalesce(p.ext_id, ''), coalesce(p.text, ''), coalesce(p.subject, ''),
	coalesce(ct.ext_id, ''), coalesce(ct.handle, ''), coalesce(ct.name, '')
	FROM outbox o
	JOIN messages m ON m.id = o.message_id
	JOIN accounts a ON a.id = m.account_id
	JOIN conversations c ON c.id = o.conversation_id
	-- The message answered is the latest inbound one stored before the reply was written:
	-- by id, not by time, since a sender's clock running ahead must not hide it.
	LEFT JOIN messages p ON p.id = (SELECT id FROM messages INDEXED BY msg_conv WHERE conversation_id = o.conversation_id
		AND direction = 'in' AND id < m.id ORDER BY created_at DESC, id DESC LIMIT 1)
	LEFT JOIN contacts ct ON ct.id = coalesce(p.contact_id, c.contact_id)`

func scanOutboxItems(rows *sql.Rows) ([]OutboxItem, error) {
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var it OutboxItem
		e := &it.OutboxEntry
		if err := rows.Scan(&e.ID, &e.MessageID, &e.ConversationID, &e.Status, &e.Key, &e.Attempts, &e.LastError, &e.RemoteID,
			&it.Channel, &it.Account, &it.ConvKey, &it.Kind, &it.Text, &it.ParentExtID, &it.ParentText, &it.ParentSubject,
			&it.AuthorExtID, &it.AuthorHandle, &it.AuthorName); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// DueOutbox lists pending replies whose next attempt is due, oldest first.
func (db *DB) DueOutbox(ctx context.Context, now int64, limit int) ([]OutboxItem, error) {
	rows, err := db.sql.QueryContext(ctx, outboxItemSelect+` WHERE o.kind = 'reply' AND o.status = 'pending' AND o.next_attempt_at <= ?
		ORDER BY o.next_attempt_at, o.id LIMIT ?`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return scanOutboxItems(rows)
}

// OutboxInStatus lists the replies in one status (e.g. "sending" after a crash). On
// PostgreSQL, "sending" leaves out the replies a live sender (on any host) is sending:
// only what a sender that died left behind is there to settle (see sendLocks).
func (db *DB) OutboxInStatus(ctx context.Context, status string) ([]OutboxItem, error) {
	q := outboxItemSelect + ` WHERE o.kind = 'reply' AND o.status = ?`
	if status == "sending" && db.d.engine() == "postgres" {
		q += ` AND ` + sendUnlocked
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY o.id`, status)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	items, err := scanOutboxItems(rows)
	if status != "sending" || err != nil {
		return items, err
	}
	return withoutLiveSends(db, items, func(it OutboxItem) int64 { return it.ID }), nil
}

// ErrOutboxState means an outbox entry was not in the state a transition needs.
var ErrOutboxState = errors.New("outbox entry is not in the expected state")

// MoveOutbox changes an entry's status (a reply's or an escalation's) from one state to
// another, recording the attempt, error, remote id and next attempt time. It fails with
// ErrOutboxState when the entry is no longer in from, so two senders can never both claim
// an entry. A reply that stops or starts counting as an answer (failed for good, or sent
// again) has its conversation's answers recomputed in the same transaction.
//
// On PostgreSQL a claim (to "sending") is held by this DB for as long as the entry is
// sending, with an advisory lock of its own session (see sendLocks): another host's
// recovery then leaves the entry alone, and takes it only once this one has died.
func (db *DB) MoveOutbox(ctx context.Context, id int64, from, to string, addAttempt bool, lastError, remoteID string, next, now int64) error {
	_, err := db.moveOutbox(ctx, id, from, to, addAttempt, lastError, remoteID, next, now)
	return err
}

// ClaimOutbox moves a pending entry to sending (MoveOutbox) and says how many attempts
// it had before this one, as the database has it when it is claimed. A sender works
// from a list of due entries read a moment before; another host may have tried one of
// them since (and put it back to pending after a failure), and the count in the list
// would then say no attempt was made, so the channel would not be asked whether that
// attempt posted it before posting it again.
func (db *DB) ClaimOutbox(ctx context.Context, id, now int64) (attemptsBefore int, err error) {
	mv, err := db.moveOutbox(ctx, id, "pending", "sending", true, "", "", 0, now)
	return mv.Attempts - 1, err
}

func (db *DB) moveOutbox(ctx context.Context, id int64, from, to string, addAttempt bool, lastError, remoteID string, next, now int64) (OutboxMove, error) {
	claim := to == "sending" && from != "sending"
	if claim {
		if err := db.lockSend(ctx, id); err != nil {
			return OutboxMove{}, fmt.Errorf("outbox %d %s -> %s: %w", id, from, to, err)
		}
	}
	var mv OutboxMove
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		mv, err = tx.MoveOutbox(ctx, id, from, to, addAttempt, lastError, remoteID, next, now)
		return err
	})
	// A claim keeps its lock until the entry leaves sending: by this move, ReplyDelivered
	// or EscalationDelivered.
	if (claim && err != nil) || (from == "sending" && to != "sending") {
		db.unlockSend(id)
	}
	return mv, err
}

// Cursor returns the saved sync cursor of an account ("" when none).
func (db *DB) Cursor(ctx context.Context, channel, account string) (string, error) {
	var c string
	err := db.sql.QueryRowContext(ctx, `SELECT s.cursor FROM sync_cursors s JOIN accounts a ON a.id = s.account_id
		WHERE a.channel = ? AND a.handle = ?`, channel, account).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return c, err
}

// SetCursor saves an account's sync cursor in the transaction of the messages it covers.
func (tx *Tx) SetCursor(ctx context.Context, channel, account, cursor string, at int64) error {
	id, err := tx.AccountID(ctx, channel, account)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO sync_cursors (account_id, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`, id, cursor, at)
	if err != nil {
		return fmt.Errorf("save cursor of %s %s: %w", channel, account, err)
	}
	return nil
}

// ReplyDelivered marks a reply sent and gives its message the channel's id, in one
// transaction, so a customer's answer to our reply (in_reply_to = that id) threads into
// the same conversation and a later fetch of our own reply is recognised as stored.
func (db *DB) ReplyDelivered(ctx context.Context, outboxID int64, remoteID string, now int64) error {
	defer db.unlockSend(outboxID)
	return db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', remote_id = ?, updated_at = ?
			WHERE id = ? AND status = 'sending' AND kind = 'reply'`, remoteID, now, outboxID)
		if err != nil {
			return fmt.Errorf("outbox %d sending -> sent: %w", outboxID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("outbox %d sending -> sent: %w", outboxID, ErrOutboxState)
		}
		if remoteID == "" {
			return nil
		}
		// If the channel's copy was fetched before this (same channel, account and id),
		// keep the placeholder id rather than break uniqueness.
		_, err = tx.exec(ctx, `UPDATE messages SET ext_id = ?1
			WHERE id = (SELECT message_id FROM outbox WHERE id = ?2)
			AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.channel = messages.channel
				AND o.account_id = messages.account_id AND o.ext_id = ?1)`, remoteID, outboxID)
		if err != nil {
			return fmt.Errorf("record the channel's id of reply %d: %w", outboxID, err)
		}
		// A status that came before this id (WhatsApp can say "failed" before the send's
		// answer is recorded) was kept for it: it applies now, not at the next delivery.
		_, err = tx.ApplyPending(ctx, now)
		return err
	})
}

// lockSend takes the send lock of outbox entry id, on either engine (see sendLocks and
// fileSendLocks): ErrOutboxState when another sender holds it.
func (db *DB) lockSend(ctx context.Context, id int64) error {
	if db.d.engine() == "postgres" {
		return db.sends.lock(ctx, db, id)
	}
	if db.readOnly {
		return nil
	}
	return db.fsends.lock(db.path, id)
}

// unlockSend lets go of the send lock of id, if this DB holds it.
func (db *DB) unlockSend(id int64) {
	db.sends.unlock(id)
	db.fsends.unlock(id)
}

// withoutLiveSends leaves out of items (entries in sending) those whose send lock
// another sender holds on SQLite: they are on their way, not left by a crash.
// (PostgreSQL leaves them out in the query: sendUnlocked.)
func withoutLiveSends[T any](db *DB, items []T, id func(T) int64) []T {
	if db.d.engine() == "postgres" || db.readOnly || len(items) == 0 {
		return items
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = id(it)
	}
	held := db.fsends.heldElsewhere(db.path, ids)
	out := items[:0]
	for _, it := range items {
		if !held[id(it)] {
			out = append(out, it)
		}
	}
	return out
}

// sendLockSpace is the first key of the advisory locks that hold outbox entries being
// sent on PostgreSQL ("tria"); the second is the entry's id, modulo 2^31 to fit the
// integer the key is (two ids that far apart share a lock: one waits a round).
const sendLockSpace = 0x74726961

// sendUnlocked is true of an outbox row o whose send lock no session holds.
var sendUnlocked = fmt.Sprintf(`NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'
	AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND l.classid = %d AND CAST(l.objid AS bigint) = o.id %% 2147483648 AND l.objsubid = 2)`, sendLockSpace)

// sendLocks holds, on PostgreSQL, one advisory lock per outbox entry this DB claimed and
// has not settled, all on one connection of its own. The claim alone (pending ->
// sending) already lets only one sender have an entry; the lock says the sender is alive.
// Without it a second host that starts, or runs "sync --once", would take an entry the
// first is still sending for one left by a crash, and post it again. A lock outlives
// neither its session nor its host, so what a dead sender left is still recovered.
type sendLocks struct {
	mu   sync.Mutex
	conn *sql.Conn
	held map[int64]bool
}

// lock takes the send lock of outbox entry id before it is claimed: ErrOutboxState if
// another session holds it.
func (s *sendLocks) lock(ctx context.Context, db *DB, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			return fmt.Errorf("connect for the send lock: %w", err)
		}
		s.conn, s.held = c, map[int64]bool{}
	}
	var ok bool
	if err := s.conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?, CAST(CAST(? AS bigint) % 2147483648 AS integer))`, sendLockSpace, id).Scan(&ok); err != nil {
		s.drop() // its locks went with the session, if it is gone
		return fmt.Errorf("take the send lock: %w", err)
	}
	if !ok {
		return ErrOutboxState
	}
	s.held[id] = true
	return nil
}

// unlock lets go of the send lock of id, if this DB holds it.
func (s *sendLocks) unlock(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.held[id] {
		return
	}
	delete(s.held, id)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(?, CAST(CAST(? AS bigint) % 2147483648 AS integer))`, sendLockSpace, id); err != nil {
		s.drop()
	}
}

// drop closes the locks' connection, which ends its session and every lock in it.
func (s *sendLocks) drop() {
	if s.conn != nil {
		s.conn.Raw(func(any) error { return driver.ErrBadConn }) // never back to the pool
		s.conn.Close()
	}
	s.conn, s.held = nil, nil
}

// close ends the locks with the DB.
func (s *sendLocks) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
}
