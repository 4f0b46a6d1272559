package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// TextVersion is a text a message had before an edit, and when it was written.
type TextVersion struct {
	WrittenAt int64
	Text      string
}

// MessageMarks is what updates left on a message (see update.go): its earlier texts and
// when it was last edited, when it was removed, whether and since when it is hidden.
// Export writes them and import restores them, so an inbox exported and imported again
// keeps a customer's first words and what the channel said became of the message.
type MessageMarks struct {
	Versions  []TextVersion // oldest first
	EditedAt  int64
	RemovedAt int64
	Hidden    bool
	HiddenAt  int64
}

// Empty says whether the marks say nothing.
func (m MessageMarks) Empty() bool {
	return len(m.Versions) == 0 && m.EditedAt == 0 && m.RemovedAt == 0 && !m.Hidden && m.HiddenAt == 0
}

// RestoreMarks puts marks on a message ingest has just stored, in the same transaction.
// Restoring the same marks again changes nothing.
func (tx *Tx) RestoreMarks(ctx context.Context, msgID int64, m MessageMarks) error {
	for _, v := range m.Versions {
		if _, err := tx.exec(ctx, `INSERT INTO message_versions (message_id, written_at, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			msgID, v.WrittenAt, v.Text); err != nil {
			return fmt.Errorf("restore an earlier text of message %d: %w", msgID, err)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET edited_at = ?, removed_at = ?, hidden = ?, hidden_at = ? WHERE id = ?`,
		nullIfZero(m.EditedAt), nullIfZero(m.RemovedAt), m.Hidden, nullIfZero(m.HiddenAt), msgID); err != nil {
		return fmt.Errorf("restore the marks of message %d: %w", msgID, err)
	}
	return nil
}

// parseVersions reads export's [[written_at, text], …] of message_versions.
func parseVersions(s string) ([]TextVersion, error) {
	var raw [][2]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	out := make([]TextVersion, 0, len(raw))
	for _, r := range raw {
		var v TextVersion
		if err := json.Unmarshal(r[0], &v.WrittenAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r[1], &v.Text); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func nullIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}
