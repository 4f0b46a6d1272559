package store

import (
	"context"
	"fmt"
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
	id           int64
	text, author string
}

type textBatch struct {
	rows  []textRow
	bytes int
}

// indexText queues a message's text and author for the full-text index.
func (tx *Tx) indexText(ctx context.Context, id int64, text, author string) error {
	tx.text.rows = append(tx.text.rows, textRow{id, text, author})
	tx.text.bytes += len(text) + len(author)
	if len(tx.text.rows) >= textBatchRows || tx.text.bytes >= textBatchBytes {
		return tx.flushText(ctx)
	}
	return nil
}

// flushText indexes the queued text.
func (tx *Tx) flushText(ctx context.Context) error {
	for _, r := range tx.text.rows {
		if _, err := tx.exec(ctx, `INSERT INTO messages_fts (rowid, text, author) VALUES (?, ?, ?)`, r.id, r.text, r.author); err != nil {
			return fmt.Errorf("index message %d: %w", r.id, err)
		}
	}
	tx.text = textBatch{rows: tx.text.rows[:0]}
	return nil
}
