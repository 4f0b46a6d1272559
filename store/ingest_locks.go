package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
)

// Ingest's locks (PostgreSQL).
//
// Two transactions storing messages of one conversation at once would each miss the
// other's rows, not committed yet: an answer linked by one and not the other, queue
// columns counted from half the messages, a message stored twice by two syncs. So every
// ingest transaction holds, until it ends, advisory locks that keep others off what it
// works on: one per conversation key, and one on the account, shared while the
// transaction finds conversations by their keys alone, exclusive when a message finds
// its conversation through its parent (a reply threaded by in_reply_to reads other
// conversations and the orphans table) or came without Prefetch. Transactions on
// different conversations of one account then run side by side, on one host or several.
//
// A batch that Prefetch announces takes all its locks in one statement, accounts first,
// each set in key order, so two batches never wait on each other crosswise. A message
// outside the batch takes what it needs when it comes. SQLite has one writer at a time
// and takes none.

// The first keys of ingest's advisory locks ("trib", "tric"; outbox.go's sendLockSpace is
// "tria"); the second a hash of the account's channel and handle, and of the conversation
// key (two sharing a hash only take turns). Names, not ids: the locks come before
// anything is read or written, the account's row among them (a new account's insert,
// waited for by the others, would otherwise be a lock taken out of order).
const (
	ingestAccountSpace = 0x74726962
	ingestConvSpace    = 0x74726963
)

type lockMode int

const (
	lockNone lockMode = iota
	lockShared
	lockExclusive
)

// ingestLocks are the locks the transaction holds.
type ingestLocks struct {
	account map[string]lockMode // by acctName
	conv    map[[2]string]bool  // by acctName and conversation key
	byID    map[int64]bool      // conversations locked, by id (LockConversations)
}

// ready makes the maps, the first time.
func (l *ingestLocks) ready() *ingestLocks {
	if l.account == nil {
		l.account, l.conv, l.byID = map[string]lockMode{}, map[[2]string]bool{}, map[int64]bool{}
	}
	return l
}

// acctName names an account in ingest's locks.
func acctName(channel, handle string) string { return channel + "\x00" + handle }

// lockIngestSQL takes the locks of (space, key, exclusive) rows in (space, key) order.
// OFFSET 0 keeps the calls above the sort.
const lockIngestSQL = `SELECT CASE WHEN l.x THEN pg_advisory_xact_lock(l.s, l.k) ELSE pg_advisory_xact_lock_shared(l.s, l.k) END
	FROM (SELECT s, k, x FROM unnest(CAST(? AS integer[]), CAST(? AS integer[]), CAST(? AS boolean[])) AS u (s, k, x)
		ORDER BY s, k OFFSET 0) l`

type ingestLock struct {
	space, key int32
	exclusive  bool
}

// takeLocks takes ls in one statement.
func (tx *Tx) takeLocks(ctx context.Context, ls []ingestLock) error {
	if len(ls) == 0 {
		return nil
	}
	spaces, keys, excl := make([]int32, len(ls)), make([]int32, len(ls)), make([]bool, len(ls))
	for i, l := range ls {
		spaces[i], keys[i], excl[i] = l.space, l.key, l.exclusive
	}
	if _, err := tx.exec(ctx, lockIngestSQL, spaces, keys, excl); err != nil {
		return fmt.Errorf("wait for other writers of these conversations: %w", err)
	}
	return nil
}

func accountLock(acct string, mode lockMode) ingestLock {
	return ingestLock{ingestAccountSpace, lockHash(acct), mode == lockExclusive}
}

func convLock(acct, key string) ingestLock {
	return ingestLock{ingestConvSpace, lockHash(acct + "\x00" + key), true}
}

func lockHash(s string) int32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int32(h.Sum32())
}

// lockBatch takes the locks of Prefetch's batch: for each account, exclusive when some
// message of it has no conversation key yet, otherwise shared with its conversations'.
// keys holds each account's (acctName) conversation keys ("" for a message without one).
func (tx *Tx) lockBatch(ctx context.Context, keys map[string][]string) error {
	if tx.d.engine() != "postgres" || tx.readOnly {
		return nil
	}
	l := tx.locks.ready()
	var want []ingestLock
	for _, acct := range slices.Sorted(maps.Keys(keys)) {
		have := l.account[acct]
		if have == lockExclusive {
			continue
		}
		mode := lockShared
		if slices.Contains(keys[acct], "") {
			mode = lockExclusive
		}
		if have < mode {
			// From shared to exclusive too: it waits for the others that hold it shared (and
			// should one of them wait for us, PostgreSQL breaks the tie: writerBusy).
			want = append(want, accountLock(acct, mode))
			l.account[acct] = mode
		}
		if mode == lockExclusive {
			continue
		}
		for _, key := range keys[acct] {
			if k := [2]string{acct, key}; key != "" && !l.conv[k] {
				want = append(want, convLock(acct, key))
				l.conv[k] = true
			}
		}
	}
	return tx.takeLocks(ctx, want) // lockIngestSQL takes them in (space, key) order
}

// lockFor makes sure the transaction holds what storing a message of conversation key
// (or "" for a conversation found through the parent) needs: the account's exclusive
// lock when it holds nothing on the account, else the conversation's lock.
func (tx *Tx) lockFor(ctx context.Context, acct, key string) error {
	if tx.d.engine() != "postgres" || tx.readOnly {
		return nil
	}
	l := tx.locks.ready()
	switch have := l.account[acct]; {
	case have == lockExclusive:
		return nil
	case have == lockNone || key == "":
		l.account[acct] = lockExclusive
		return tx.takeLocks(ctx, []ingestLock{accountLock(acct, lockExclusive)})
	}
	k := [2]string{acct, key}
	if l.conv[k] {
		return nil
	}
	l.conv[k] = true
	return tx.takeLocks(ctx, []ingestLock{convLock(acct, key)})
}

// LockConversations takes ingest's locks on conversations by id, in one statement, before
// a person's action (or an outbox fate) links or unlinks answers, closes or reopens
// messages, or moves a conversation (PostgreSQL). Another host's ingest of the same
// conversation then finishes first, or waits: without it, a reply committed while an
// older inbound message was being stored elsewhere left that message unanswered. In one
// process ingestGate keeps the two apart already.
func (tx *Tx) LockConversations(ctx context.Context, ids []int64) error {
	if tx.d.engine() != "postgres" || tx.readOnly {
		return nil
	}
	var want []int64
	for _, id := range ids {
		if !tx.locks.byID[id] {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil
	}
	rows, err := tx.query(ctx, `SELECT a.channel, a.handle, c.ext_key FROM conversations c JOIN accounts a ON a.id = c.account_id
		WHERE c.id IN (SELECT unnest(CAST(? AS bigint[])))`, want)
	if err != nil {
		return fmt.Errorf("lock conversations: %w", err)
	}
	keys := map[string][]string{}
	for rows.Next() {
		var channel, handle, key string
		if err := rows.Scan(&channel, &handle, &key); err != nil {
			rows.Close()
			return err
		}
		keys[acctName(channel, handle)] = append(keys[acctName(channel, handle)], key)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock conversations: %w", err)
	}
	if err := tx.lockBatch(ctx, keys); err != nil {
		return err
	}
	tx.lockedIDs(want...)
	return nil
}

// lockedIDs notes conversations whose locks the transaction holds.
func (tx *Tx) lockedIDs(ids ...int64) {
	l := tx.locks.ready()
	for _, id := range ids {
		l.byID[id] = true
	}
}
