package store

import (
	"cmp"
	"context"
	"fmt"
	"strings"
)

// Prefetch asks in three statements what Ingest would ask of each message in turn:
// whether it is stored already, its author's contact row, its conversation (with the
// time of the conversation's latest reply that answers, so that an inbound message after
// it needs no look for an answer). serve's writer commits a few dozen messages a
// transaction, each then a handful of round trips fewer: on PostgreSQL, where every
// statement is one, they were most of a message's cost. What Prefetch learns holds for
// the transaction (Ingest keeps it true as it writes) and is dropped with the rest of the
// cache by any other change (leaveIngest). Messages without a conversation key (a reply
// threaded by its parent) are left to Ingest.
func (tx *Tx) Prefetch(ctx context.Context, msgs []NewMessage) error {
	if len(msgs) < 2 || tx.bulk != nil {
		return nil // one message gains nothing; a bulk load has its own ways
	}
	c := tx.cache()
	if c.absent == nil {
		c.absent = map[msgKey]bool{}
		c.noContact = map[contactKey]bool{}
		c.noConv = map[convKey]bool{}
	}
	var msgArgs, contactArgs, convArgs []any
	wantConv := map[convKey]bool{}
	for _, m := range msgs {
		acct, err := tx.AccountID(ctx, m.Channel, m.Account)
		if err != nil {
			return err
		}
		msgArgs = append(msgArgs, m.Channel, acct, m.ExtID)
		c.absent[msgKey{acct, m.Channel, m.ExtID}] = true // until the answer says otherwise
		if ext := cmp.Or(m.AuthorID, m.AuthorHandle); ext != "" {
			if k := (contactKey{m.Channel, ext}); c.contacts[k] == nil && !c.noContact[k] {
				contactArgs = append(contactArgs, m.Channel, ext)
				c.noContact[k] = true
			}
		}
		if k := (convKey{acct, m.ConvKey}); m.ConvKey != "" && c.convs[k] == nil && !wantConv[k] {
			convArgs = append(convArgs, acct, m.ConvKey)
			wantConv[k] = true
		}
	}
	if err := tx.prefetchRows(ctx, `SELECT channel, account_id, ext_id FROM messages WHERE (channel, account_id, ext_id) IN (`, "(?, CAST(? AS bigint), ?)", msgArgs,
		func(scan func(...any) error) error {
			var k msgKey
			if err := scan(&k.channel, &k.account, &k.ext); err != nil {
				return err
			}
			delete(c.absent, k)
			return nil
		}); err != nil {
		return fmt.Errorf("look up messages: %w", err)
	}
	if err := tx.prefetchRows(ctx, `SELECT channel, ext_id, id, handle, name FROM contacts WHERE (channel, ext_id) IN (`, "(?, ?)", contactArgs,
		func(scan func(...any) error) error {
			var k contactKey
			e := &contactEntry{}
			if err := scan(&k.channel, &k.ext, &e.id, &e.handle, &e.name); err != nil {
				return err
			}
			delete(c.noContact, k)
			c.contacts[k] = e
			return nil
		}); err != nil {
		return fmt.Errorf("look up authors: %w", err)
	}
	for k := range wantConv {
		c.noConv[k] = true
	}
	if err := tx.prefetchRows(ctx, `SELECT c.account_id, c.ext_key, c.id, c.state, c.priority, c.contact_id IS NOT NULL,
		coalesce((SELECT o.created_at FROM messages o INDEXED BY msg_conv WHERE o.conversation_id = c.id AND o.direction = 'out'
			AND `+answers+` ORDER BY o.created_at DESC LIMIT 1), -1)
		FROM conversations c WHERE (c.account_id, c.ext_key) IN (`, "(CAST(? AS bigint), ?)", convArgs,
		func(scan func(...any) error) error {
			e := &convEntry{}
			if err := scan(&e.key.account, &e.key.key, &e.id, &e.state, &e.priority, &e.hasContact, &e.answeredUntil); err != nil {
				return err
			}
			e.answersKnown = true
			delete(c.noConv, e.key)
			c.convs[e.key] = e
			return nil
		}); err != nil {
		return fmt.Errorf("look up conversations: %w", err)
	}
	return nil
}

// prefetchRows runs head followed by a VALUES list of one as many times as args fill it
// (one's placeholders cast what PostgreSQL would otherwise take for text), and hands
// each row of the answer to row.
func (tx *Tx) prefetchRows(ctx context.Context, head, one string, args []any, row func(scan func(...any) error) error) error {
	n := len(args) / strings.Count(one, "?")
	if n == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	b.WriteByte(')')
	rows, err := tx.query(ctx, b.String(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// msgKey names a message as the unique index of messages does.
type msgKey struct {
	account      int64
	channel, ext string
}
