package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Message rows of a batch, written together (PostgreSQL).
//
// On PostgreSQL every statement is a round trip to the server, and serve's writer, one
// INSERT … RETURNING id a message, spent most of a message's cost on them, in its own
// process and in the server's. A batch that Prefetch announced instead draws its
// messages' ids from the sequence in one statement, and keeps each new row in the
// transaction until the next statement that is not an insert of a message: exec, query
// and queryRow write the waiting rows first, in one INSERT over arrays, so that no
// statement of the transaction ever sees the table without them. Serve's usual group
// commit, messages joining conversations that exist, writes its messages in one
// statement. A row that breaks a constraint (another host stored the same message since
// Prefetch looked) fails that statement, the transaction with it; serve's writer then
// stores each request alone.

// pendingRows are the message rows waiting to be written, and the ids drawn for them.
type pendingRows struct {
	want int     // messages a batch announced (Prefetch) that no id was drawn for yet
	ids  []int64 // ids drawn from the sequence, not yet given to a row
	rows []messageRow
}

// expectMessages has the next insertMessage draw ids for n messages at once.
func (tx *Tx) expectMessages(n int) {
	if tx.d.engine() == "postgres" && tx.bulk == nil {
		tx.pend.want = n
	}
}

// holdMessage keeps r to be written with the rows around it, under an id drawn ahead, and
// returns the id; ok is false when no id was drawn for it (then it is written alone).
func (tx *Tx) holdMessage(ctx context.Context, r messageRow) (id int64, ok bool, err error) {
	p := &tx.pend
	if len(p.ids) == 0 && p.want > 1 {
		n := p.want
		p.want = 0
		// The sequence is named once (a subquery), not at each id: that was a catalog
		// lookup an id.
		rows, err := tx.query(ctx, `SELECT nextval((SELECT CAST(pg_get_serial_sequence('messages', 'id') AS regclass)))
			FROM generate_series(1, ?)`, n)
		if err != nil {
			return 0, false, fmt.Errorf("draw message ids: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return 0, false, err
			}
			p.ids = append(p.ids, id)
		}
		if err := rows.Err(); err != nil {
			return 0, false, fmt.Errorf("draw message ids: %w", err)
		}
	}
	if len(p.ids) == 0 {
		return 0, false, nil
	}
	r.id, p.ids = p.ids[0], p.ids[1:]
	m := *r.m // the caller's message may change after this returns; the row must not
	r.m = &m
	p.rows = append(p.rows, r)
	return r.id, true, nil
}

// heldMessage is the row of message id while it waits, or nil.
func (tx *Tx) heldMessage(id int64) *messageRow {
	rows := tx.pend.rows
	// Ids are drawn rising and given out in order, so the rows are sorted by id.
	if i, ok := slices.BinarySearchFunc(rows, id, func(r messageRow, id int64) int { return cmp.Compare(r.id, id) }); ok {
		return &rows[i]
	}
	return nil
}

// insertHeldSQL writes the waiting rows: one array a column, in messageColumns's order.
const insertHeldSQL = `INSERT INTO messages (id, ` + messageColumns + `)
	SELECT id, conv, account, channel, ext_id, kind, direction, nullif(contact, 0), agent, text, url, in_reply_to,
		created_at, sentiment, priority, spam, nullif(due, 0), subject,
		nullif(ans_by, 0), CASE WHEN ans_by = 0 THEN NULL ELSE ans_at END, nullif(closed_at, 0),
		nullif(rating, 0), nullif(app_version, ''), nullif(language, '')
	FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]),
		CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
		CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS double precision[]), CAST(? AS bigint[]), CAST(? AS integer[]),
		CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
		CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]))
	AS u (id, conv, account, channel, ext_id, kind, direction, contact, agent, text, url, in_reply_to,
		created_at, sentiment, priority, spam, due, subject, ans_by, ans_at, closed_at, rating, app_version, language)`

// writeHeld writes the waiting message rows in one statement. Every statement of a
// transaction calls it first (exec, query, queryRow).
func (tx *Tx) writeHeld(ctx context.Context) error {
	rows := tx.pend.rows
	if len(rows) == 0 {
		return nil
	}
	tx.pend.rows = nil // written or failed, they are no longer waiting
	n := len(rows)
	var (
		ids, convs, accounts, contacts      = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		createdAt, priorities, dues         = make([]int64, n), make([]int64, n), make([]int64, n)
		ansBy, ansAt, closedAt, ratings     = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		spam                                = make([]int32, n)
		sentiments                          = make([]float64, n)
		channels, extIDs, kinds, directions = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		agents, texts, urls, inReplyTo      = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		subjects, appVersions, languages    = make([]string, n), make([]string, n), make([]string, n)
	)
	for i, r := range rows {
		m := r.m
		ids[i], convs[i], accounts[i], contacts[i] = r.id, r.conv, r.account, r.contact.Int64
		createdAt[i], priorities[i], dues[i] = m.CreatedAt, int64(m.Priority), r.due.Int64
		ansBy[i], ansAt[i], closedAt[i] = r.ansBy.Int64, r.ansAt.Int64, r.closed.Int64
		ratings[i], sentiments[i] = int64(m.Rating), m.Sentiment
		if m.Spam {
			spam[i] = 1
		}
		channels[i], extIDs[i], kinds[i], directions[i] = m.Channel, m.ExtID, m.Kind, m.Direction
		agents[i], texts[i], urls[i], inReplyTo[i] = m.Agent, m.Text, m.URL, m.InReplyTo
		subjects[i], appVersions[i], languages[i] = m.Subject, m.AppVersion, m.Language
	}
	_, err := tx.tx.ExecContext(context.WithoutCancel(ctx), insertHeldSQL, ids, convs, accounts, channels, extIDs,
		kinds, directions, contacts, agents, texts, urls, inReplyTo, createdAt, sentiments, priorities, spam,
		dues, subjects, ansBy, ansAt, closedAt, ratings, appVersions, languages)
	if err != nil {
		return fmt.Errorf("store messages %s to %s: %w", rows[0].m.ExtID, rows[n-1].m.ExtID, err)
	}
	return nil
}
