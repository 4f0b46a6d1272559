package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The outbox statuses of approval (migration 0012). A reply by an agent whose replies need
// a lead's approval is written awaiting approval; approved, it moves to pending and leaves
// like any reply (ChangeReply, answering from approval); sent back, it is returned, with
// the lead's note, for its author to edit or send again. Neither status answers (see
// answers), and the sender takes only pending replies, so neither ever leaves.
const (
	StatusAwaitingApproval = "awaiting_approval"
	StatusReturned         = "returned"
)

// ReturnReply moves a reply awaiting approval to returned and keeps the lead's note where
// a failed reply keeps the channel's reason, so its author reads why beside the text. It
// fails with ErrOutboxState when the reply no longer awaits approval (another lead was
// quicker, or its author took it back).
func (tx *Tx) ReturnReply(ctx context.Context, msgID int64, note string, now int64) error {
	if err := tx.leaveIngest(ctx); err != nil {
		return err
	}
	var id int64
	err := tx.queryRow(ctx, `UPDATE outbox SET status = ?, last_error = ?, updated_at = ?
		WHERE message_id = ? AND kind = 'reply' AND status = ? RETURNING id`,
		StatusReturned, note, now, msgID, StatusAwaitingApproval).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reply %d %s -> %s: %w", msgID, StatusAwaitingApproval, StatusReturned, ErrOutboxState)
	}
	if err != nil {
		return fmt.Errorf("send back reply %d: %w", msgID, err)
	}
	return nil
}

// AwaitingApproval counts the replies waiting for a lead, for the leads' footer.
func (db *DB) AwaitingApproval(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM outbox INDEXED BY outbox_due
		WHERE kind = 'reply' AND status = ?`, StatusAwaitingApproval).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count replies awaiting approval: %w", err)
	}
	return n, nil
}
