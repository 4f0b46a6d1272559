package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
)

// bulkWindow is how many new message rows a bulk load holds before writing the oldest
// quarter: about 10 MB, and wide enough that most replies in an inbox's history arrive
// while the message they answer is still in it.
var bulkWindow = 16384

// bulkLoad is a load of many messages into an inbox that had none.
//
// Two things make it cheaper than ingesting message by message. The secondary indexes of
// messages and conversations are dropped and built once at the end: a million rows
// inserted into a dozen indexes at random places cost far more than sorting the finished
// tables. And new message rows wait in a window before they are written, with ids of
// their own, so the answer to a question is usually filled in before the question's row
// is written instead of by an UPDATE after it.
//
// Everything happens in the one transaction: a crash or a rollback leaves the tables and
// indexes exactly as they were, and other connections never see an index missing.
//
// What differs between the engines (which indexes there are and how their statistics
// come back, how rows are written, how ids are handed out) is the load's bulkEngine:
// sqliteBulk here, pgBulk in bulk_postgres.go.
type bulkLoad struct {
	engine  bulkEngine
	indexes []string // CREATE INDEX statements of the dropped indexes, as the engine's catalog has them
	nextID  int64
	window  []messageRow // rows not yet written, in id order
	// seen maps a hash of each message's (account, channel, id) to its row id: 16 bytes a
	// message where the keys themselves took ten times that at a million. A hit is checked
	// against the row; if two messages ever share a hash, the load stops holding rows back
	// and asks the table instead (direct).
	seen   map[uint64]int64
	hash   maphash.Seed
	direct bool

	noContacts bool // there were none when the load began: every contact is in ingest's cache

	// orphans are the replies that wait for a parent, by orphanKey; the table gets those
	// still waiting at the end. merged are the conversations merges emptied, deleted at
	// the end too (see ingest_merge.go).
	orphans map[string][]int64
	merged  []int64
	dropped map[convKey]int64 // the keys of merged, while their rows still hold them
	// holding are the conversations that held text back from the full-text index, and
	// heldBytes how much; past maxHeld, text goes to the index at once (see indexOrHold).
	holding   []*convEntry
	heldBytes int
}

// maxHeld bounds the text a bulk load holds back for replies waiting for their parent.
var maxHeld = 64 << 20

func (b *bulkLoad) key(acct int64, channel, extID string) uint64 {
	var h maphash.Hash
	h.SetSeed(b.hash)
	var a [8]byte
	binary.LittleEndian.PutUint64(a[:], uint64(acct))
	h.Write(a[:])
	h.WriteString(channel)
	h.WriteByte(0)
	h.WriteString(extID)
	return h.Sum64()
}

// lookup finds a message the load took in, with its conversation key.
func (tx *Tx) lookup(ctx context.Context, acct int64, channel, extID string) (storedRef, error) {
	b := tx.bulk
	if err := b.engine.tick(ctx, tx); err != nil {
		return storedRef{}, err
	}
	id := b.seen[b.key(acct, channel, extID)]
	if id == 0 {
		return storedRef{}, nil
	}
	var got storedRef
	var gotAcct int64
	var gotChannel, gotExt string
	if r := b.buffered(id); r != nil && !r.written {
		got, gotAcct, gotChannel, gotExt = storedRef{r.id, r.convKey}, r.account, r.m.Channel, r.m.ExtID
	} else {
		got.id = id
		err := tx.queryRow(ctx, `SELECT m.account_id, m.channel, m.ext_id, c.ext_key FROM messages m
			JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?`, id).Scan(&gotAcct, &gotChannel, &gotExt, &got.convKey)
		if err != nil {
			return storedRef{}, fmt.Errorf("look up message %s: %w", extID, err)
		}
	}
	if gotAcct != acct || gotChannel != channel || gotExt != extID {
		return storedRef{}, nil // another message with the same hash; insertMessage sees it too
	}
	return got, nil
}

// BulkLoad readies a transaction for loading many messages into an inbox with none; with
// messages or conversations already stored it only enlarges the connection's cache. It reports whether bulk mode is on. Any change
// other than ingest in the same transaction ends bulk mode first (see leaveIngest).
func (tx *Tx) BulkLoad(ctx context.Context) (bool, error) {
	if tx.bulk != nil {
		return true, nil
	}
	if !tx.d.bulkLoad() {
		return false, nil
	}
	eng := tx.newBulkEngine()
	if err := eng.prepare(ctx, tx); err != nil {
		return false, fmt.Errorf("bulk load: %w", err)
	}
	var one int
	err := tx.tx.QueryRowContext(ctx, `SELECT 1 FROM messages UNION ALL SELECT 1 FROM conversations LIMIT 1`).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("bulk load: %w", err)
	}
	if err := tx.leaveIngest(ctx); err != nil { // rows already cached must not be mixed in
		return false, err
	}
	b := &bulkLoad{engine: eng, seen: map[uint64]int64{}, hash: maphash.MakeSeed()}
	if b.indexes, err = eng.dropIndexes(ctx, tx); err != nil {
		return false, fmt.Errorf("bulk load: %w", err)
	}
	if b.nextID, err = eng.firstID(ctx, tx); err != nil {
		return false, fmt.Errorf("bulk load: %w", err)
	}
	err = tx.tx.QueryRowContext(ctx, `SELECT 1 FROM contacts LIMIT 1`).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("bulk load: %w", err)
	}
	b.noContacts = errors.Is(err, sql.ErrNoRows)
	tx.bulk = b
	return true, nil
}

// bulkEngine is what a bulk load does its own way on each engine.
type bulkEngine interface {
	// prepare readies the connection for a large load, whether or not it becomes a
	// bulk load (the inbox may not be empty).
	prepare(ctx context.Context, tx *Tx) error
	// dropIndexes drops the secondary indexes the load does without and returns the
	// statements that build them again.
	dropIndexes(ctx context.Context, tx *Tx) ([]string, error)
	// firstID is the id of the load's first message.
	firstID(ctx context.Context, tx *Tx) (int64, error)
	// writeRows writes rows of the window; a row's answer is among them or written.
	writeRows(ctx context.Context, tx *Tx, rows []*messageRow) error
	// direct is called when the load stops choosing ids, with the next it would have.
	direct(ctx context.Context, tx *Tx, nextID int64) error
	// finish runs after the indexes are built again: planner statistics, ids.
	finish(ctx context.Context, tx *Tx, b *bulkLoad) error
	// tick is called as each message is taken in, before its text is queued.
	tick(ctx context.Context, tx *Tx) error
	// releaseHeld indexes the text held back for replies waiting for a parent.
	releaseHeld(ctx context.Context, tx *Tx) error
}

func (tx *Tx) newBulkEngine() bulkEngine {
	if tx.d.engine() == "postgres" {
		return &pgBulk{}
	}
	return &sqliteBulk{}
}

// sqliteBulk is a bulk load on SQLite.
type sqliteBulk struct {
	// stats are the planner statistics (sqlite_stat1 rows) of the dropped indexes: DROP
	// INDEX deletes them and CREATE INDEX does not bring them back, and without them the
	// planner takes "direction = 'in'" for narrow (see migration 0005).
	stats [][3]string
}

// prepare: ingest's lookups land all over the unique indexes of a large inbox: whether
// or not the inbox is empty, this connection gets a larger cache (a process loading many
// messages does little else).
func (*sqliteBulk) prepare(ctx context.Context, tx *Tx) error {
	_, err := tx.tx.ExecContext(ctx, `PRAGMA cache_size = -131072`)
	return err
}

func (s *sqliteBulk) dropIndexes(ctx context.Context, tx *Tx) ([]string, error) {
	// Secondary indexes only: sql is NULL for those behind UNIQUE constraints, which
	// ingest's lookups use and which must hold while loading.
	rows, err := tx.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index'
		AND tbl_name IN ('messages', 'conversations') AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s.stats, err = tx.indexStats(ctx, names); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
			return nil, fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return defs, nil
}

func (*sqliteBulk) firstID(ctx context.Context, tx *Tx) (id int64, err error) {
	err = tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM messages`).Scan(&id)
	return id, err
}

// writeRows: SQLite inserts row by row in process; an answer is written before the
// row that names it, or the foreign key fails (deferring the check would make SQLite
// look for referring rows, without their indexes, on every insert).
func (*sqliteBulk) writeRows(ctx context.Context, tx *Tx, rows []*messageRow) error {
	for _, r := range rows {
		if err := tx.writeRow(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (*sqliteBulk) tick(context.Context, *Tx) error               { return nil }
func (*sqliteBulk) releaseHeld(ctx context.Context, tx *Tx) error { return tx.releaseHeld(ctx) }

// direct: INTEGER PRIMARY KEY takes max(id) + 1 by itself.
func (*sqliteBulk) direct(context.Context, *Tx, int64) error { return nil }

func (s *sqliteBulk) finish(ctx context.Context, tx *Tx, _ *bulkLoad) error {
	for _, st := range s.stats {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)`, st[0], st[1], st[2]); err != nil {
			return fmt.Errorf("bulk load: planner statistics: %w", err)
		}
	}
	return nil
}

// writeWindow writes the oldest n rows of the window.
func (tx *Tx) writeWindow(ctx context.Context, n int) error {
	b := tx.bulk
	n = min(n, len(b.window))
	rows := make([]*messageRow, 0, n)
	for i := range b.window[:n] {
		if !b.window[i].written {
			rows = append(rows, &b.window[i])
		}
	}
	if err := b.engine.writeRows(ctx, tx, rows); err != nil {
		return err
	}
	rest := copy(b.window, b.window[n:])
	clear(b.window[rest:]) // let the written messages' text go
	b.window = b.window[:rest]
	return nil
}

// writeRow writes one row of the window, unless it was written already. The reply that
// answers it is written first: a row may only name a row that exists.
func (tx *Tx) writeRow(ctx context.Context, r *messageRow) error {
	if r.written {
		return nil
	}
	if r.ansBy.Valid {
		if err := tx.writeBuffered(ctx, r.ansBy.Int64); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, insertMessageWithIDSQL, append([]any{r.id}, r.args()...)...); err != nil {
		return fmt.Errorf("store message %s: %w", r.m.ExtID, err)
	}
	r.written = true
	return nil
}

// buffered is the window's row of message id, or nil when it is not in the window.
func (b *bulkLoad) buffered(id int64) *messageRow {
	if len(b.window) == 0 || id < b.window[0].id || id > b.window[len(b.window)-1].id {
		return nil
	}
	return &b.window[id-b.window[0].id]
}

// writeBuffered makes sure message id is in the table.
func (tx *Tx) writeBuffered(ctx context.Context, id int64) error {
	if r := tx.bulk.buffered(id); r != nil {
		return tx.writeRow(ctx, r)
	}
	return nil
}

// goDirect writes what waits in the window and from then on writes every row at once and
// asks the table what is stored, as outside a bulk load (the indexes stay dropped).
func (tx *Tx) goDirect(ctx context.Context) error {
	tx.bulk.direct = true
	if err := tx.writeWindow(ctx, len(tx.bulk.window)); err != nil {
		return err
	}
	return tx.bulk.engine.direct(ctx, tx, tx.bulk.nextID)
}

// endBulk writes what waits in the window and builds the dropped indexes again.
func (tx *Tx) endBulk(ctx context.Context) error {
	if tx.bulk == nil {
		return nil
	}
	if err := tx.writeWindow(ctx, len(tx.bulk.window)); err != nil {
		return err
	}
	if err := tx.bulk.engine.releaseHeld(ctx, tx); err != nil {
		return err
	}
	for _, def := range tx.bulk.indexes {
		if _, err := tx.tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("bulk load: rebuild index: %w", err)
		}
	}
	b := tx.bulk
	tx.bulk = nil
	if err := tx.endOrphans(ctx, b); err != nil {
		return err
	}
	return b.engine.finish(ctx, tx, b)
}

// indexStats reads the sqlite_stat1 rows of the named indexes.
func (tx *Tx) indexStats(ctx context.Context, names []string) ([][3]string, error) {
	var exists int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'`).Scan(&exists); err != nil || exists == 0 {
		return nil, err
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT tbl, idx, coalesce(stat, '') FROM sqlite_stat1 WHERE idx IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][3]string
	for rows.Next() {
		var r [3]string
		if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
			return nil, err
		}
		if slices.Contains(names, r[1]) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}
