package store

import (
	"context"
	"fmt"
)

// ClaimAssignee assigns a conversation to who only if it is still assigned as the caller
// saw it (seen; "" for unassigned) or already to who, in one conditional UPDATE: of
// several agents racing to take the same conversation, exactly one matches, on any
// engine and at any isolation level. When the claim loses, holder is whom it is
// assigned to now.
func (tx *Tx) ClaimAssignee(ctx context.Context, convID int64, who, seen string) (holder string, ok bool, err error) {
	res, err := tx.exec(ctx, `UPDATE conversations SET assignee = ? WHERE id = ? AND assignee IN (?, ?)`, who, convID, seen, who)
	if err != nil {
		return "", false, fmt.Errorf("assign conversation %d: %w", convID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return who, err == nil, err
	}
	meta, err := tx.ConvMeta(ctx, convID)
	if err != nil {
		return "", false, err
	}
	return meta.Assignee, false, nil
}
