package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// How a search narrows the queue by its words.
//
// The full-text index gives the messages with a word, and their conversations from the
// rowids (ftsKey); a queue page wants the first fifty of those conversations in queue
// order, within the view. Two plans answer that, and which is fast depends on how many
// messages have the words, which only the index knows:
//   - a rare word: look up each matching conversation, sort them, keep fifty (ftsLookup).
//     "kettle broke" at a million messages: 2,000 matches, 5 ms.
//   - a common word: walk the view in queue order and test each conversation against the
//     matches, stopping at fifty (ftsProbe). "refund" at a million: 70,000 matches in
//     53,000 conversations; looking them all up took 55 ms, walking 21 ms.
// commonText asks the index, reading at most commonTextRows matches (on PostgreSQL it
// takes the estimate of triage_text_plan from the statistics of fts_words, the
// conversations of the query's rarest word: the GIN index lists every match before the
// first), and remembers the answer for the query for a while (commonTextTTL), so the
// pages of one search (the first and those scrolled to) ask once.
// The answer only picks a plan: a stale one costs time, never a wrong row.

// commonTextRows is how many matching messages make words common. Looking up this many
// conversations costs about what walking a view of a million messages does. (A variable
// so tests can try both plans on a small inbox.)
var commonTextRows = 5000

// commonTextTTL is how long an answer of commonText is used: an inbox open all day
// takes in thousands of messages, and a word rare in the morning may not be by evening.
const commonTextTTL = 10 * time.Minute

type commonTextCache struct {
	mu sync.Mutex
	m  map[string]commonText
}

type commonText struct {
	common bool
	at     time.Time
}

// commonText reports whether the full-text query match is in at least commonTextRows
// messages.
func (db *DB) commonText(ctx context.Context, match string) (bool, error) {
	db.common.mu.Lock()
	known, ok := db.common.m[match]
	db.common.mu.Unlock()
	if ok && time.Since(known.at) < commonTextTTL {
		return known.common, nil
	}
	var n int
	err := db.sql.QueryRowContext(ctx, db.d.ftsCommon(), match, commonTextRows).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	common := n >= commonTextRows
	db.common.mu.Lock()
	if db.common.m == nil || len(db.common.m) >= 256 { // a session's searches; forget old ones wholesale
		db.common.m = make(map[string]commonText)
	}
	db.common.m[match] = commonText{common, time.Now()}
	db.common.mu.Unlock()
	return common, nil
}

// textUse chooses how a queue page narrows by the filter's full-text words.
func (db *DB) textUse(ctx context.Context, filter Cond, env Env) (ftsUse, error) {
	if filter == nil {
		return ftsLookup, nil
	}
	if _, _, match := conversationWhere(db.d, filter, env, ftsDriven); match != "" {
		common, err := db.commonText(ctx, match)
		if err != nil || !common {
			return ftsLookup, err
		}
		return ftsProbe, nil
	}
	return ftsLookup, nil
}

// ForgetTextPlans drops what commonText has learnt, so the next search of any words asks
// the index again. Benchmarks call it to measure a keystroke as typed: a new query each.
func (db *DB) ForgetTextPlans() {
	db.common.mu.Lock()
	db.common.m = nil
	db.common.mu.Unlock()
}
