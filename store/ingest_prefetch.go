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
	if tx.bulk != nil {
		return nil // a bulk load has its own ways
	}
	// Before anything is read or written: what is read holds while the locks do. A
	// single message too, which Ingest would otherwise lock the whole account for.
	locks := map[string][]string{}
	for _, m := range msgs {
		name := acctName(m.Channel, m.Account)
		locks[name] = append(locks[name], m.ConvKey)
	}
	if err := tx.lockBatch(ctx, locks); err != nil {
		return err
	}
	if len(msgs) < 2 {
		return nil // one message gains nothing
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
	if err := tx.prefetchWaiting(ctx, c); err != nil {
		return err
	}
	if err := tx.prefetchRows(ctx, prefetchMessages, msgArgs,
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
	tx.expectMessages(len(c.absent))
	if err := tx.prefetchRows(ctx, prefetchContacts, contactArgs,
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
	if err := tx.prefetchRows(ctx, prefetchConversations, convArgs,
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

// prefetchWaiting asks at once whether replies wait for their parent and updates for
// their message, which Ingest would ask in two statements, the first of them after the
// batch's first message: on PostgreSQL that would write its row alone (writeHeld).
func (tx *Tx) prefetchWaiting(ctx context.Context, c *ingestCache) error {
	if c.orphans != orphansUnknown && c.kept != orphansUnknown {
		return nil
	}
	var orphans, kept bool // EXISTS: an integer on SQLite, a boolean on PostgreSQL
	if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM orphans), EXISTS (SELECT 1 FROM pending_updates)`).Scan(&orphans, &kept); err != nil {
		return fmt.Errorf("look for waiting replies and updates: %w", err)
	}
	known := func(flag *int, some bool) {
		switch {
		case *flag != orphansUnknown:
		case some:
			*flag = orphansSome
		default:
			*flag = orphansNone
		}
	}
	known(&c.orphans, orphans)
	known(&c.kept, kept)
	return nil
}

// prefetchQuery is one of Prefetch's lookups, for a list of keys of the same columns.
// SQLite reads head followed by a VALUES list of one as many times as the keys fill it
// (one's placeholders cast what PostgreSQL would otherwise take for text). PostgreSQL
// reads pg, the same statement whatever the number of keys, with an array a column of
// the types named: a statement new to a connection is a round trip more to prepare it,
// and a VALUES list of a new length was a new statement at almost every transaction.
type prefetchQuery struct {
	head, one string
	pg        string
	types     []string // "text" or "bigint", a key column each
}

var (
	prefetchMessages = prefetchQuery{
		head: `SELECT channel, account_id, ext_id FROM messages WHERE (channel, account_id, ext_id) IN (`,
		one:  "(?, CAST(? AS bigint), ?)",
		pg: `SELECT m.channel, m.account_id, m.ext_id
			FROM unnest(CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS text[])) AS k (channel, account_id, ext_id)
			JOIN messages m ON m.channel = k.channel AND m.account_id = k.account_id AND m.ext_id = k.ext_id`,
		types: []string{"text", "bigint", "text"},
	}
	prefetchContacts = prefetchQuery{
		head: `SELECT channel, ext_id, id, handle, name FROM contacts WHERE (channel, ext_id) IN (`,
		one:  "(?, ?)",
		pg: `SELECT ct.channel, ct.ext_id, ct.id, ct.handle, ct.name
			FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS k (channel, ext_id)
			JOIN contacts ct ON ct.channel = k.channel AND ct.ext_id = k.ext_id`,
		types: []string{"text", "text"},
	}
	prefetchConversations = prefetchQuery{
		head: `SELECT c.account_id, c.ext_key, ` + prefetchConvColumns + ` FROM conversations c WHERE (c.account_id, c.ext_key) IN (`,
		one:  "(CAST(? AS bigint), ?)",
		pg: `SELECT c.account_id, c.ext_key, ` + prefetchConvColumns + `
			FROM unnest(CAST(? AS bigint[]), CAST(? AS text[])) AS k (account_id, ext_key)
			JOIN conversations c ON c.account_id = k.account_id AND c.ext_key = k.ext_key`,
		types: []string{"bigint", "text"},
	}
)

// prefetchConvColumns is what Prefetch reads of a conversation after its key.
const prefetchConvColumns = `c.id, c.state, c.priority, c.contact_id IS NOT NULL,
	coalesce((SELECT o.created_at FROM messages o INDEXED BY msg_conv WHERE o.conversation_id = c.id AND o.direction = 'out'
		AND ` + answers + ` ORDER BY o.created_at DESC LIMIT 1), -1)`

// prefetchRows runs q over args, the keys' columns one key after another, and hands each
// row of the answer to row.
func (tx *Tx) prefetchRows(ctx context.Context, q prefetchQuery, args []any, row func(scan func(...any) error) error) error {
	cols := len(q.types)
	if len(args) == 0 {
		return nil
	}
	if tx.d.engine() == "postgres" {
		return tx.prefetchScan(ctx, q.pg, columnArrays(args, q.types), row)
	}
	// SQLite: lists of a power of two keys, at most prefetchChunk, the last key repeated
	// to fill the last list. A few texts for every size of batch, each prepared once
	// (stmtcache.go), where a text of each size was a statement to prepare at almost
	// every transaction.
	for len(args) > 0 {
		take := min(len(args), prefetchChunk*cols)
		chunk := args[:take:take] // appending below must not write into the next chunk
		args = args[take:]
		n, size := take/cols, 1
		for size < n {
			size *= 2
		}
		last := chunk[take-cols:]
		for range size - n {
			chunk = append(chunk, last...)
		}
		var b strings.Builder
		b.WriteString(q.head)
		b.WriteString("VALUES ")
		for i := range size {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(q.one)
		}
		b.WriteByte(')')
		if err := tx.prefetchScan(ctx, b.String(), chunk, row); err != nil {
			return err
		}
	}
	return nil
}

// prefetchChunk is the most keys a SQLite lookup of Prefetch names: three columns a key
// stay far within SQLite's 32,766 parameters.
const prefetchChunk = 1024

// prefetchScan runs one of Prefetch's lookups and hands each row to row.
func (tx *Tx) prefetchScan(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := tx.query(ctx, query, args...)
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

// columnArrays turns keys given one after another (args) into an array a column.
func columnArrays(args []any, types []string) []any {
	cols := len(types)
	out := make([]any, cols)
	for c, t := range types {
		switch t {
		case "bigint":
			a := make([]int64, 0, len(args)/cols)
			for i := c; i < len(args); i += cols {
				a = append(a, args[i].(int64))
			}
			out[c] = a
		default:
			a := make([]string, 0, len(args)/cols)
			for i := c; i < len(args); i += cols {
				a = append(a, args[i].(string))
			}
			out[c] = a
		}
	}
	return out
}

// msgKey names a message as the unique index of messages does.
type msgKey struct {
	account      int64
	channel, ext string
}
