package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ownReplyEcho recognises a channel's copy of a reply of ours whose sending has not been
// settled: the brand's message, in the same conversation, with the same text as a reply
// in the outbox that is being sent, is waiting to be tried again after an attempt, or
// whose fate is unknown, and has no channel id yet. Channels bring our replies back (a
// Page's own comment in a poll, Meta's echo webhook) sometimes before the send's answer,
// or instead of an answer that was lost; without this the conversation would show the
// reply twice, once as ours and once as "(native app)". The copy gives our reply its
// channel id, so the send's answer (or the Checker) settles the same message; a reply
// whose fate was unknown is now known to be sent. It returns our message's id, or 0.
func (tx *Tx) ownReplyEcho(ctx context.Context, acct int64, m *NewMessage) (int64, error) {
	if m.Direction != "out" || m.OutboxStatus != "" || tx.bulk != nil || m.ConvKey == "" {
		return 0, nil
	}
	var msgID, outboxID int64
	var status string
	err := tx.queryRow(ctx, `SELECT msg.id, o.id, o.status FROM outbox o
		JOIN messages msg ON msg.id = o.message_id
		JOIN conversations c ON c.id = o.conversation_id
		WHERE o.status IN ('sending', 'pending', 'unknown') AND o.kind = 'reply' AND o.remote_id = ''
			AND (o.status <> 'pending' OR o.attempts > 0)
			AND c.account_id = ? AND c.ext_key = ? AND msg.channel = ? AND msg.text = ?
		ORDER BY o.id LIMIT 1`, acct, m.ConvKey, m.Channel, m.Text).Scan(&msgID, &outboxID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look for our reply %s: %w", m.ExtID, err)
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET ext_id = ? WHERE id = ?`, m.ExtID, msgID); err != nil {
		return 0, fmt.Errorf("give our reply its channel id %s: %w", m.ExtID, err)
	}
	if status == "unknown" {
		// Unknown already counts as an answer, so no answer changes.
		if _, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', remote_id = ?, last_error = '' WHERE id = ?`, m.ExtID, outboxID); err != nil {
			return 0, fmt.Errorf("outbox %d unknown -> sent: %w", outboxID, err)
		}
	}
	return msgID, nil
}
