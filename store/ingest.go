package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// NoDue is the due time of a conversation with nothing waiting for an answer: it sorts last.
const NoDue int64 = 1<<63 - 1

// NewMessage is a message ready to be stored: the channel's fields plus what ingest
// worked out (conversation key, sentiment, priority, spam, tags, SLA due time).
type NewMessage struct {
	Channel, Account, ExtID string
	ConvKey                 string // resolved by the caller
	Kind, Direction         string
	AuthorID, AuthorHandle  string
	AuthorName              string
	Agent, Text, URL        string
	Subject                 string
	InReplyTo               string
	// A store review's stars (1–5; 0 for no rating), the app version it reviews and its
	// language ("" when the store gives none).
	Rating               int
	AppVersion, Language string
	CreatedAt            int64 // Unix ms
	Sentiment            float64
	Priority             int
	Spam                 bool
	Tags                 []string
	DueAt                int64 // Unix ms; 0 for outbound messages
	// Orphan is set when the message has no conversation of its own and InReplyTo names a
	// message not stored yet: it waits for its parent (see ingest_merge.go).
	Orphan bool
	// ClosedAt is when an inbound message was closed without reply (0: it was not), as
	// an export wrote it.
	ClosedAt int64
	// OutboxStatus is, for a reply written in triage, where it stood in the outbox, as an
	// export wrote it; "" for any other message. A reply failed or cancelled answers nothing.
	OutboxStatus string
}

// Ingested says what storing one message did.
type Ingested struct {
	New            bool
	MessageID      int64
	ConversationID int64
	Reopened       bool // an inbound message reopened a closed or waiting conversation
}

// AccountID returns the id of the (channel, handle) account, creating it when new.
func (tx *Tx) AccountID(ctx context.Context, channel, handle string) (int64, error) {
	key := channel + "\x00" + handle
	if id, ok := tx.accounts[key]; ok {
		return id, nil
	}
	// Read before writing: an upsert that updates locks the row until commit, and every
	// other transaction storing a message for the account (checking messages.account_id's
	// key) waited for it. Writers take turns by ingest's own locks (ingest_locks.go).
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM accounts WHERE channel = ? AND handle = ?`, channel, handle).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.queryRow(ctx, `INSERT INTO accounts (channel, handle) VALUES (?, ?)
			ON CONFLICT (channel, handle) DO UPDATE SET handle = excluded.handle RETURNING id`,
			channel, handle).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("account %s %s: %w", channel, handle, err)
	}
	if tx.accounts == nil {
		tx.accounts = map[string]int64{}
	}
	tx.accounts[key] = id
	return id, nil
}

// MessageExists reports whether the channel's message is already stored.
func (tx *Tx) MessageExists(ctx context.Context, channel, account, extID string) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM messages m JOIN accounts a ON a.id = m.account_id
		WHERE m.channel = ? AND a.handle = ? AND m.ext_id = ?`, channel, account, extID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ConversationKeyOf returns the conversation key of an already stored message, or "" if
// there is none; a reply without a conversation joins its parent's this way.
func (tx *Tx) ConversationKeyOf(ctx context.Context, channel, account, extID string) (string, error) {
	if tx.bulk != nil && !tx.bulk.direct {
		acct, ok := tx.accounts[channel+"\x00"+account]
		if !ok {
			return "", nil // nothing was taken in for this account
		}
		ref, err := tx.storedMessage(ctx, acct, channel, extID)
		return ref.convKey, err
	}
	// The account's exclusive lock: another writer of the account may be storing the parent.
	if err := tx.lockFor(ctx, acctName(channel, account), ""); err != nil {
		return "", err
	}
	var key string
	err := tx.queryRow(ctx, `SELECT c.ext_key FROM messages m
		JOIN accounts a ON a.id = m.account_id JOIN conversations c ON c.id = m.conversation_id
		WHERE m.channel = ? AND a.handle = ? AND m.ext_id = ?`, channel, account, extID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return key, err
}

// Ingest stores one message idempotently: a message already stored (same channel, account
// and channel id) changes nothing and reports New=false.
func (tx *Tx) Ingest(ctx context.Context, m NewMessage) (Ingested, error) {
	if err := ctx.Err(); err != nil {
		return Ingested{}, err
	}
	if err := tx.lockFor(ctx, acctName(m.Channel, m.Account), m.ConvKey); err != nil {
		return Ingested{}, err
	}
	acct, err := tx.AccountID(ctx, m.Channel, m.Account)
	if err != nil {
		return Ingested{}, err
	}
	if existing, err := tx.storedMessage(ctx, acct, m.Channel, m.ExtID); err != nil || existing.id != 0 {
		return Ingested{MessageID: existing.id}, err
	}
	if own, err := tx.ownReplyEcho(ctx, acct, &m); err != nil || own != 0 {
		return Ingested{MessageID: own}, err
	}

	var contact sql.NullInt64
	if m.AuthorID != "" || m.AuthorHandle != "" {
		ext := m.AuthorID
		if ext == "" {
			ext = m.AuthorHandle
		}
		id, err := tx.contactID(ctx, m.Channel, ext, m.AuthorHandle, m.AuthorName)
		if err != nil {
			return Ingested{}, fmt.Errorf("store author of %s: %w", m.ExtID, err)
		}
		contact = sql.NullInt64{Int64: id, Valid: true}
	}

	conv, created, err := tx.upsertConversation(ctx, acct, m, contact)
	if err != nil {
		return Ingested{}, err
	}
	convID, state := conv.id, conv.state
	if tx.d.engine() == "postgres" && tx.bulk == nil {
		tx.lockedIDs(convID) // lockFor above: a merge or reopen below need not look it up
	}

	in := m.Direction == "in"
	answering := !in && countsAsAnswer(m.OutboxStatus)
	// A conversation the rules put in spam comes back when a message that is not spam
	// arrives, the customer's or the brand's reply; one a person marked as spam stays
	// (see realInbound).
	revive := !created && (in && !m.Spam || answering) && state == "spam"
	if revive {
		real, err := tx.realInbound(ctx, conv)
		if err != nil {
			return Ingested{}, err
		}
		revive = !real
	}
	var due, ansBy, ansAt, closed sql.NullInt64
	if in && m.DueAt != 0 {
		due = sql.NullInt64{Int64: m.DueAt, Valid: true}
	}
	if in && m.ClosedAt != 0 {
		closed = sql.NullInt64{Int64: m.ClosedAt, Valid: true}
	}
	if in && conv.fresh {
		if id, at := conv.answerFor(m.CreatedAt); id != 0 {
			ansBy, ansAt = sql.NullInt64{Int64: id, Valid: true}, sql.NullInt64{Int64: at, Valid: true}
		}
	}
	kept, err := tx.takeKept(ctx, &m) // edits, removals, hides delivered before it (update.go)
	if err != nil {
		return Ingested{}, err
	}
	msgID, err := tx.insertMessage(ctx, messageRow{conv: convID, account: acct, contact: contact, due: due,
		ansBy: ansBy, ansAt: ansAt, closed: closed, m: &m, convKey: m.ConvKey})
	if err != nil {
		return Ingested{}, fmt.Errorf("store message %s: %w", m.ExtID, err)
	}
	if err := tx.markKept(ctx, msgID, kept); err != nil {
		return Ingested{}, err
	}
	if c := tx.ing; c != nil {
		delete(c.absent, msgKey{acct, m.Channel, m.ExtID}) // stored now: a copy later in the batch is found
	}
	answered := ansBy.Valid // an inbound message of a conversation not created here: see linkAnswers

	if err := tx.indexOrHold(ctx, conv, msgID, m.Text, strings.TrimSpace(m.AuthorName+" "+m.AuthorHandle)); err != nil {
		return Ingested{}, fmt.Errorf("index message %s: %w", m.ExtID, err)
	}
	if !in && m.OutboxStatus != "" {
		if err := tx.importOutbox(ctx, msgID, convID, m); err != nil {
			return Ingested{}, err
		}
	}
	if m.Orphan {
		if err := tx.addOrphan(ctx, acct, msgID, m.Channel, m.InReplyTo); err != nil {
			return Ingested{}, err
		}
	}
	if conv.fresh {
		if answering {
			if err := tx.answeredBy(ctx, conv, msgID, m.CreatedAt); err != nil {
				return Ingested{}, err
			}
		}
		conv.track(trackedMsg{id: msgID, at: m.CreatedAt, due: due.Int64, in: in, spam: m.Spam, closed: closed.Valid,
			silent: !in && !answering, ansBy: ansBy.Int64, ansAt: ansAt.Int64})
	} else if in && conv.answersKnown && m.CreatedAt > conv.answeredUntil {
		// Nothing stored answers it: no reply is as late (Prefetch).
	} else if in || answering {
		if answered, err = tx.linkAnswers(ctx, convID, msgID, m.Direction, m.CreatedAt); err != nil {
			return Ingested{}, err
		}
		if answering {
			conv.answeredUntil = max(conv.answeredUntil, m.CreatedAt)
		}
	}
	conv.extras = conv.extras || len(m.Tags) > 0 || m.OutboxStatus != ""
	conv.rated = conv.rated || in && m.Rating != 0
	for _, tag := range m.Tags {
		if err := tx.addTag(ctx, convID, tag); err != nil {
			return Ingested{}, err
		}
	}

	out := Ingested{New: true, MessageID: msgID, ConversationID: convID}
	reopen := !created && in && !m.Spam && !closed.Valid && (state == "done" || state == "waiting" || state == "snoozed")
	to := ""
	if revive {
		// Back as it would be had the spam never come: new while a message waits,
		// waiting when a reply answered everything.
		to = "new"
		waiting, replied := conv.waiting, conv.lastOutAt != 0
		if !conv.fresh {
			if err := tx.queryRow(ctx, `SELECT (SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1
				AND direction = 'in' AND answered_at IS NULL AND closed_at IS NULL AND spam = 0),
				EXISTS (SELECT 1 FROM messages o INDEXED BY msg_conv WHERE o.conversation_id = ?1 AND o.direction = 'out' AND `+answers+`)`,
				convID).Scan(&waiting, &replied); err != nil {
				return Ingested{}, fmt.Errorf("count unanswered: %w", err)
			}
		}
		if waiting == 0 && replied {
			to = "waiting"
		}
	} else if reopen {
		// A message a reply stored already answers (it arrived late) asks for nothing and
		// reopens nothing.
		waits := !ansBy.Valid
		if !conv.fresh {
			var answered bool
			if err := tx.queryRow(ctx, `SELECT answered_at IS NOT NULL FROM messages WHERE id = ?`, msgID).Scan(&answered); err != nil {
				return Ingested{}, fmt.Errorf("read message %s: %w", m.ExtID, err)
			}
			waits = !answered
		}
		if waits {
			to = "open"
		}
	}
	if to != "" {
		if err := tx.setState(ctx, convID, to, 0); err != nil {
			return Ingested{}, fmt.Errorf("reopen conversation: %w", err)
		}
		conv.state = to
		out.Reopened = in
		conv.audited = true // an audit row to move should it merge
		if err := tx.Audit(ctx, AuditEvent{At: m.CreatedAt, Actor: "system", Action: "state",
			ConversationID: convID, From: state, To: to}); err != nil {
			return Ingested{}, err
		}
	}
	if !created && answering && (state == "new" || state == "open") {
		// A reply sent from the channel's own app answers the thread just as one sent
		// from triage does: with nothing left unanswered, it is waiting on the customer.
		waiting := conv.waiting
		if !conv.fresh {
			if err := tx.queryRow(ctx, `SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ? AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0`, convID).Scan(&waiting); err != nil {
				return Ingested{}, fmt.Errorf("count unanswered: %w", err)
			}
		}
		if waiting == 0 {
			if err := tx.setState(ctx, convID, "waiting", 0); err != nil {
				return Ingested{}, err
			}
			conv.state = "waiting"
			conv.audited = true // an audit row to move should it merge
			if err := tx.Audit(ctx, AuditEvent{At: m.CreatedAt, Actor: "system", Action: "state",
				ConversationID: convID, From: state, To: "waiting"}); err != nil {
				return Ingested{}, err
			}
		}
	}
	// A new conversation starts at its first message's priority; a later message can only
	// raise it above the normal default.
	if !created && in && m.Priority > 1 && m.Priority > conv.priority {
		if _, err := tx.exec(ctx, `UPDATE conversations SET priority = CASE WHEN priority > ?1 THEN priority ELSE ?1 END WHERE id = ?2`, m.Priority, convID); err != nil {
			return Ingested{}, fmt.Errorf("raise priority: %w", err)
		}
		conv.priority = m.Priority
	}
	if tx.dirty == nil {
		tx.dirty = map[int64]*convEntry{}
	}
	if prev, ok := tx.dirty[convID]; !ok {
		conv.added, conv.recount = noneAdded, false // a new round for a conversation the cache kept
	} else if prev != conv {
		conv.recount = true // read again after leaveIngest: prev's additions are not in conv's
	}
	if !conv.fresh {
		switch {
		case answering || revive:
			conv.recount = true // answers inbound messages the transaction did not add
		case in:
			conv.added.inbound(msgID, m.CreatedAt, due.Int64, !m.Spam && !closed.Valid && !answered)
		default:
			conv.added.lastAt = max(conv.added.lastAt, m.CreatedAt)
		}
	}
	tx.dirty[convID] = conv
	// Replies that arrived before this message move into its conversation now.
	if err := tx.adoptOrphans(ctx, acct, m, conv); err != nil {
		return Ingested{}, err
	}
	return out, nil
}

// upsertConversation finds or creates the conversation a message belongs to, through the
// transaction's cache.
func (tx *Tx) upsertConversation(ctx context.Context, acct int64, m NewMessage, contact sql.NullInt64) (conv *convEntry, created bool, err error) {
	c := tx.cache()
	key := convKey{acct, m.ConvKey}
	conv = c.convs[key]
	// In a bulk load every conversation there is was created by it, so one not in the
	// cache does not exist.
	if conv == nil && (tx.bulk == nil || tx.bulk.direct) && !c.noConv[key] {
		e := convEntry{key: key}
		err = tx.queryRow(ctx, `SELECT id, state, priority, contact_id IS NOT NULL FROM conversations
			WHERE account_id = ? AND ext_key = ?`, acct, m.ConvKey).Scan(&e.id, &e.state, &e.priority, &e.hasContact)
		switch {
		case err == nil:
			conv = &e
			c.convs[key] = conv
		case !errors.Is(err, sql.ErrNoRows):
			return nil, false, fmt.Errorf("look up conversation %s: %w", m.ConvKey, err)
		}
	}
	if conv != nil {
		if m.Direction == "in" && contact.Valid && !conv.hasContact {
			// A thread started by the brand gets its customer from the first inbound message.
			if _, err := tx.exec(ctx, `UPDATE conversations SET contact_id = ? WHERE id = ? AND contact_id IS NULL`, contact, conv.id); err != nil {
				return nil, false, fmt.Errorf("set conversation author: %w", err)
			}
			conv.hasContact = true
		}
		return conv, false, nil
	}
	state := "new"
	switch {
	case m.Spam:
		state = "spam"
	case m.Direction == "out":
		state = "waiting"
	}
	var cid any
	if m.Direction == "in" && contact.Valid {
		cid = contact.Int64
	}
	e := convEntry{key: key, state: state, priority: max(m.Priority, 0), hasContact: cid != nil, fresh: true,
		holding: m.Orphan && tx.bulk != nil}
	// The queue columns start as this first message makes them, so that a conversation of
	// one message (most of them) needs no second write to its queue indexes at commit.
	e.written = queueCols{lastAt: m.CreatedAt, sinceAt: m.CreatedAt, due: NoDue}
	if m.Direction == "in" && !m.Spam {
		e.written.unanswered = 1
		if m.DueAt != 0 {
			e.written.due = m.DueAt
		}
	}
	if tx.bulk != nil && len(tx.bulk.dropped) > 0 {
		if err := tx.freeKey(ctx, key); err != nil {
			return nil, false, err
		}
	}
	err = tx.queryRow(ctx, `INSERT INTO conversations (account_id, ext_key, channel, kind, contact_id, state,
		priority, unanswered, due_at, since_at, last_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		acct, m.ConvKey, m.Channel, m.Kind, cid, state, e.priority, e.written.unanswered, e.written.due,
		m.CreatedAt, m.CreatedAt, m.CreatedAt).Scan(&e.id)
	if err != nil {
		return nil, false, fmt.Errorf("create conversation %s: %w", m.ConvKey, err)
	}
	conv = &e
	c.convs[key] = conv
	delete(c.noConv, key)
	return conv, true, nil
}

// linkAnswers keeps answered_by/answered_at true to the definition: an inbound message is
// answered by the first outbound message of its conversation at or after its own time.
// For an inbound message it says whether a reply stored already answers it.
func (tx *Tx) linkAnswers(ctx context.Context, convID, msgID int64, direction string, at int64) (answered bool, err error) {
	if direction == "in" {
		// Usually nothing answers a message yet when it arrives; look before writing.
		var ansID, ansAt int64
		err := tx.queryRow(ctx, `SELECT o.id, o.created_at FROM messages o INDEXED BY msg_conv
			WHERE o.conversation_id = ? AND o.direction = 'out' AND o.created_at >= ? AND `+answers+`
			ORDER BY o.created_at, o.id LIMIT 1`, convID, at).Scan(&ansID, &ansAt)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err == nil {
			_, err = tx.exec(ctx, `UPDATE messages SET answered_by = ?, answered_at = ? WHERE id = ?`, ansID, ansAt, msgID)
		}
		if err != nil {
			return false, fmt.Errorf("link answer: %w", err)
		}
		return true, nil
	}
	// INDEXED BY: without it the planner may walk msg_created, every inbound message
	// before this time in the whole inbox, instead of this one conversation's.
	_, err = tx.exec(ctx, `UPDATE messages INDEXED BY msg_conv SET answered_by = ?1, answered_at = ?2
		WHERE conversation_id = ?3 AND direction = 'in' AND created_at <= ?2
		AND (answered_at IS NULL OR answered_at > ?2 OR (answered_at = ?2 AND answered_by > ?1))`,
		msgID, at, convID)
	if err != nil {
		return false, fmt.Errorf("link answered messages: %w", err)
	}
	return false, nil
}

// RelinkAnswers recomputes the answers of every inbound message of a conversation, after an
// outbound message was removed (an undone reply) or stopped or started counting as an
// answer (a reply that failed, was taken back or was sent again).
func (tx *Tx) RelinkAnswers(ctx context.Context, convID int64) error {
	if err := tx.leaveIngest(ctx); err != nil {
		return err
	}
	if err := tx.LockConversations(ctx, []int64{convID}); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE messages INDEXED BY msg_conv SET (answered_by, answered_at) = (
		SELECT o.id, o.created_at FROM messages o INDEXED BY msg_conv
		WHERE o.conversation_id = messages.conversation_id AND o.direction = 'out' AND o.created_at >= messages.created_at
		AND `+answers+`
		ORDER BY o.created_at, o.id LIMIT 1) WHERE conversation_id = ? AND direction = 'in'`, convID)
	if err != nil {
		return fmt.Errorf("relink answers: %w", err)
	}
	return tx.RefreshConversation(ctx, convID)
}

// refreshConversationSQL is RefreshConversation's statement (?1 the conversation, ?2
// NoDue). Every subquery names its index: with a wide msg_created, "direction = 'in'"
// alone would otherwise lead the planner through every inbound message of the inbox.
const refreshConversationSQL = `UPDATE conversations SET
		unanswered = (SELECT count(*) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1 AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0),
		last_at = (SELECT max(created_at) FROM messages WHERE conversation_id = ?1),
		since_at = coalesce((SELECT min(created_at) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1 AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0),
			(SELECT max(created_at) FROM messages WHERE conversation_id = ?1)),
		due_at = coalesce((SELECT min(due_at) FROM messages INDEXED BY msg_unanswered WHERE conversation_id = ?1 AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0), ?2),
		last_inbound_id = (SELECT id FROM messages INDEXED BY msg_conv WHERE conversation_id = ?1 AND direction = 'in'
			ORDER BY created_at DESC, id DESC LIMIT 1)
		WHERE id = ?1`

// RefreshConversation recomputes a conversation's queue columns from its messages: how many
// inbound messages wait for an answer, since when, the earliest SLA due time, the latest
// inbound message. The partial index msg_unanswered keeps this cheap for long threads.
func (tx *Tx) RefreshConversation(ctx context.Context, convID int64) error {
	_, err := tx.exec(ctx, refreshConversationSQL, convID, NoDue)
	if err != nil {
		return fmt.Errorf("refresh conversation %d: %w", convID, err)
	}
	return nil
}

func (tx *Tx) addTag(ctx context.Context, convID int64, name string) error {
	// Read before writing, as AccountID does: an upsert that updates would hold the tag's
	// row until commit, and writers side by side adding two tags in turn would deadlock.
	var tagID int64
	err := tx.queryRow(ctx, `SELECT id FROM tags WHERE name = ?`, name).Scan(&tagID)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.queryRow(ctx, `INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = tags.name RETURNING id`, name).Scan(&tagID)
	}
	if err != nil {
		return fmt.Errorf("tag %q: %w", name, err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, convID, tagID); err != nil {
		return fmt.Errorf("tag %q: %w", name, err)
	}
	return nil
}

// contactID finds or creates an author, updating a changed name or handle; an author
// seen before in the transaction costs nothing, one seen before it one read.
func (tx *Tx) contactID(ctx context.Context, channel, ext, handle, name string) (int64, error) {
	c := tx.cache()
	key := contactKey{channel, ext}
	e := c.contacts[key]
	if e == nil {
		e = &contactEntry{}
		err := sql.ErrNoRows // a bulk load that began with no contacts made every one there is
		if (tx.bulk == nil || !tx.bulk.noContacts) && !c.noContact[key] {
			err = tx.queryRow(ctx, `SELECT id, handle, name FROM contacts WHERE channel = ? AND ext_id = ?`, channel, ext).Scan(&e.id, &e.handle, &e.name)
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			e.handle, e.name = handle, name
			err := tx.queryRow(ctx, `INSERT INTO contacts (channel, ext_id, handle, name) VALUES (?, ?, ?, ?)
				ON CONFLICT (channel, ext_id) DO NOTHING RETURNING id`, channel, ext, handle, name).Scan(&e.id)
			if errors.Is(err, sql.ErrNoRows) {
				// Another writer stored the author since (PostgreSQL: a transaction beside
				// this one, on another conversation), and it has committed: read it.
				err = tx.queryRow(ctx, `SELECT id, handle, name FROM contacts WHERE channel = ? AND ext_id = ?`, channel, ext).Scan(&e.id, &e.handle, &e.name)
			}
			if err != nil {
				return 0, err
			}
			delete(c.noContact, key)
		case err != nil:
			return 0, err
		}
		c.contacts[key] = e
	}
	if (handle != "" && handle != e.handle) || (name != "" && name != e.name) {
		_, err := tx.exec(ctx, `UPDATE contacts SET handle = CASE WHEN ?1 <> '' THEN ?1 ELSE handle END,
			name = CASE WHEN ?2 <> '' THEN ?2 ELSE name END WHERE id = ?3`, handle, name, e.id)
		if err != nil {
			return 0, err
		}
		if handle != "" {
			e.handle = handle
		}
		if name != "" {
			e.name = name
		}
	}
	return e.id, nil
}
