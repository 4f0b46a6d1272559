package x

import (
	"fmt"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// maxPage is the most posts or DM events one request asks for (max_results).
const maxPage = 100

// reads counts the posts and DM events read this UTC day, against max_reads_per_day: X
// bills each one read, once a UTC day however often it is read again (its daily
// deduplication), so each id counts once a day here too. Fetching asks for no more than
// the day has left (max_results), and once the day's reads are spent it waits until
// 00:00 UTC. The count also travels in the cursor, stored with the messages, so a
// restart goes on from it rather than 0 (the ids seen do not: after a restart an id read
// again counts again, which errs on the side of the bill). Looking for a reply already
// sent (Sent) is counted but never refused: a reply must not be held by the cap.
type reads struct {
	budget int // 0: no cap

	mu    sync.Mutex
	day   string // the UTC date counted, "2026-12-06"
	count int
	seen  map[string]bool // the ids counted on day
}

func newReads(budget int) *reads { return &reads{budget: budget} }

func utcDay(now time.Time) string { return now.UTC().Format(time.DateOnly) }

// nextUTCDay is the next 00:00 UTC after now.
func nextUTCDay(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func (r *reads) roll(now time.Time) {
	if day := utcDay(now); day != r.day {
		r.day, r.count, r.seen = day, 0, map[string]bool{}
	}
}

// restore takes the count a cursor carried, when it is of today and higher than ours.
func (r *reads) restore(now time.Time, day string, count int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.roll(now)
	if day == r.day && count > r.count {
		r.count = count
	}
}

// room is how many items the next read may ask for (at most maxPage), or the error that
// waits until 00:00 UTC when the day's reads are spent.
func (r *reads) room(now time.Time, name string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.roll(now)
	if r.budget == 0 {
		return maxPage, nil
	}
	if left := r.budget - r.count; left > 0 {
		return min(left, maxPage), nil
	}
	until := nextUTCDay(now)
	return 0, &adapters.Error{Err: capError(fmt.Sprintf("x %s: reads capped until 00:00 UTC: %d of %d posts and DM events read today (max_reads_per_day)",
		name, r.count, r.budget)), RetryAfter: until.Sub(now)}
}

// add counts the items read, each id once a UTC day.
func (r *reads) add(now time.Time, ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.roll(now)
	for _, id := range ids {
		if !r.seen[id] {
			r.seen[id] = true
			r.count++
		}
	}
}

// today is the day counted and its count, for the cursor.
func (r *reads) today(now time.Time) (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.roll(now)
	return r.day, r.count
}

// capError is the text of the reads cap's wait.
type capError string

func (e capError) Error() string { return string(e) }
