package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Full-text indexing in batches.
//
// FTS5 collects new terms in memory and writes them out as one segment, but it must write
// them out whenever another statement of the transaction opens a statement journal (an
// UPDATE, a state change, an audit row): interleaved with the rest of ingest, every message
// became a segment of its own, and merging those tiny segments was a third of the cost of
// an import. So ingest queues the text and indexes it in runs of textBatchRows messages,
// each run one segment, and the rest before commit. Nothing reads the index inside an
// ingest transaction, and other connections see it only after commit.

const (
	textBatchRows  = 4096
	textBatchBytes = 8 << 20
)

type textRow struct {
	key          int64 // ftsKey of the message
	text, author string
}

// ftsKey is a message's rowid in messages_fts: its conversation in the high bits and the
// message id in the low 32 (migration 0008), so a search reads the conversations of its
// matches from the index alone. It refuses ids that do not fit rather than index a
// message under another's key.
func ftsKey(convID, msgID int64) (int64, error) {
	if msgID <= 0 || msgID >= 1<<32 || convID <= 0 || convID >= 1<<31 {
		return 0, fmt.Errorf("message %d of conversation %d: ids past the full-text index's range (2^32 messages, 2^31 conversations)", msgID, convID)
	}
	return convID<<32 | msgID, nil
}

// ftsMessageID is the message id part of a messages_fts rowid, as SQL.
const ftsMessageID = "rowid & 4294967295"

// ftsConversationID is the conversation id part of a messages_fts rowid, as SQL.
const ftsConversationID = "rowid >> 32"

type textBatch struct {
	rows  []textRow
	bytes int
	// byConv finds the queued rows of a conversation (indexes into rows), for a merge
	// that moves them to another (see ingest_merge.go).
	byConv map[int64][]int32
}

// indexText queues a message's text and author for the full-text index.
func (tx *Tx) indexText(ctx context.Context, convID, msgID int64, text, author string) error {
	key, err := ftsKey(convID, msgID)
	if err != nil {
		return err
	}
	if tx.text.byConv == nil {
		tx.text.byConv = map[int64][]int32{}
	}
	tx.text.byConv[convID] = append(tx.text.byConv[convID], int32(len(tx.text.rows)))
	tx.text.rows = append(tx.text.rows, textRow{key, text, author})
	tx.text.bytes += len(text) + len(author)
	if len(tx.text.rows) >= textBatchRows || tx.text.bytes >= textBatchBytes {
		return tx.flushText(ctx)
	}
	return nil
}

// flushText indexes the queued text. On SQLite, row by row in key order: FTS5 can only
// gather terms in memory while rowids rise, and writes out a segment at every step back.
// Keys lead with the conversation (ftsKey), so in arrival order they step back at almost
// every message.
func (tx *Tx) flushText(ctx context.Context) error {
	if tx.d.engine() == "postgres" {
		// A round trip a message was most of what a message cost serve's writer on
		// PostgreSQL: one statement takes the transaction's rows, as in a bulk load.
		if err := tx.writeHeld(ctx); err != nil {
			return err
		}
		return pgIndexText(ctx, tx)
	}
	slices.SortFunc(tx.text.rows, func(a, b textRow) int { return cmp.Compare(a.key, b.key) })
	for _, r := range tx.text.rows {
		if _, err := tx.exec(ctx, tx.d.ftsInsert(), r.key, r.text, r.author); err != nil {
			return fmt.Errorf("index message %d: %w", r.key&(1<<32-1), err)
		}
	}
	clear(tx.text.byConv)
	tx.text = textBatch{rows: tx.text.rows[:0], byConv: tx.text.byConv}
	return nil
}
