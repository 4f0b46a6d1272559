package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Orphans: replies that wait for their parent (see ingest_merge.go), in the orphans table
// (migration 0010) or, in a bulk load, in a map; and the text a bulk load holds back from
// the full-text index for the conversations they start, so that merging them costs no
// deletes from the index.

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
		var any bool // EXISTS: an integer on SQLite, a boolean on PostgreSQL
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM orphans)`).Scan(&any); err != nil {
			return nil, fmt.Errorf("look for waiting replies: %w", err)
		}
		c.orphans = orphansNone
		if any {
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

// freeKey moves the row of a conversation a merge emptied in this bulk load out of the
// way of a new conversation that wants its key.
func (tx *Tx) freeKey(ctx context.Context, key convKey) error {
	b := tx.bulk
	j, ok := b.dropped[key]
	if !ok {
		return nil
	}
	delete(b.dropped, key)
	if _, err := tx.exec(ctx, `UPDATE conversations SET ext_key = ? WHERE id = ?`, fmt.Sprint("\x00merged\x00", j), j); err != nil {
		return fmt.Errorf("free the key of merged conversation %d: %w", j, err)
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
	for len(b.merged) > 0 {
		n := min(len(b.merged), 4096)
		ids, _ := json.Marshal(b.merged[:n])
		if _, err := tx.exec(ctx, `DELETE FROM conversations WHERE `+tx.d.inJSON("id", "?"), string(ids)); err != nil {
			return fmt.Errorf("delete merged conversations: %w", err)
		}
		b.merged = b.merged[n:]
	}
	return nil
}

// indexOrHold queues a message's text for the full-text index, or, in a conversation
// that holds its text back (see convEntry.holding), keeps it there.
func (tx *Tx) indexOrHold(ctx context.Context, c *convEntry, msgID int64, text, author string) error {
	if b := tx.bulk; b != nil && c.holding && b.heldBytes < maxHeld {
		if c.held == nil {
			b.holding = append(b.holding, c)
		}
		c.held = append(c.held, textRow{key: msgID, text: text, author: author})
		b.heldBytes += len(text) + len(author)
		return nil
	}
	return tx.indexText(ctx, c.id, msgID, text, author)
}

// passHeld hands the text conversation j held back to k, which holds it in turn or
// queues it for the index. It returns the messages whose text it was.
func (tx *Tx) passHeld(ctx context.Context, jc, k *convEntry) (map[int64]bool, error) {
	if len(jc.held) == 0 {
		return nil, nil
	}
	ids := make(map[int64]bool, len(jc.held))
	for _, r := range jc.held {
		ids[r.key] = true
		if k.holding {
			if k.held == nil {
				tx.bulk.holding = append(tx.bulk.holding, k)
			}
			k.held = append(k.held, r)
		} else if err := tx.indexText(ctx, k.id, r.key, r.text, r.author); err != nil {
			return nil, err
		}
	}
	jc.held = nil
	return ids, nil
}

// releaseHeld queues the text still held back at the end of a bulk load.
func (tx *Tx) releaseHeld(ctx context.Context) error {
	b := tx.bulk
	for _, c := range b.holding {
		for _, r := range c.held {
			if err := tx.indexText(ctx, c.id, r.key, r.text, r.author); err != nil {
				return err
			}
		}
		c.held, c.holding = nil, false
	}
	b.holding, b.heldBytes = nil, 0
	return tx.flushText(ctx)
}
