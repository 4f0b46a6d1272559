package youtube

import (
	"fmt"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	_ "time/tzdata" // America/Los_Angeles where the system has no zone files
)

// DefaultQuota is the YouTube Data API's daily quota for a project, in units.
const DefaultQuota = 10_000

// cost is what a call spends, in quota units
// (https://developers.google.com/youtube/v3/determine_quota_cost), and whether it is
// part of a reply or a moderation, which may spend the reserve.
type cost struct {
	units int
	reply bool
}

var (
	costList  = cost{1, false} // commentThreads.list, comments.list while fetching
	costCheck = cost{1, true}  // comments.list looking for a reply before it is sent again
	costWrite = cost{50, true} // comments.insert, comments.setModerationStatus
)

// pacific is where the quota's day ends: it resets at midnight Pacific time.
var pacific = mustZone("America/Los_Angeles")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: cannot happen
	}
	return loc
}

// quota counts the units spent this Pacific day. Lists stop at budget-reserve, so
// replies and moderation (50 units each) always find room; writes may use it all. Once
// YouTube says quotaExceeded, nothing is sent until midnight Pacific. The count lives in
// memory: a restart starts it at 0, and YouTube's own quotaExceeded is then the bound.
type quota struct {
	budget, reserve int

	mu      sync.Mutex
	day     string    // the Pacific date counted, "2026-12-06"
	spent   int       // units spent on day
	blocked time.Time // YouTube said the quota is spent: nothing until then
}

func newQuota(budget, reserve int) *quota { return &quota{budget: budget, reserve: reserve} }

// resetAfter is the next midnight Pacific after now.
func resetAfter(now time.Time) time.Time {
	y, m, d := now.In(pacific).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, pacific)
}

func (q *quota) roll(now time.Time) {
	if day := now.In(pacific).Format(time.DateOnly); day != q.day {
		q.day, q.spent = day, 0
	}
}

// ceiling is how far calls of that cost may spend: fetching leaves the reserve.
func (q *quota) ceiling(c cost) int {
	if c.reply {
		return q.budget
	}
	return q.budget - q.reserve
}

// take spends units, or says how long to wait when the day's budget has no room for them.
func (q *quota) take(now time.Time, c cost, show *time.Location) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	if now.Before(q.blocked) {
		return waitErr(now, q.blocked, show, "YouTube said the daily quota is spent", nil)
	}
	if q.spent+c.units > q.ceiling(c) {
		why := fmt.Sprintf("%d of %d units spent today", q.spent, q.budget)
		if !c.reply {
			why += fmt.Sprintf(", %d kept for replies", q.reserve)
		}
		return waitErr(now, resetAfter(now), show, why, nil)
	}
	q.spent += c.units
	return nil
}

// exhausted records YouTube's quotaExceeded: every call waits until midnight Pacific.
func (q *quota) exhausted(now time.Time, show *time.Location, cause error) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	q.blocked = resetAfter(now)
	q.spent = max(q.spent, q.budget)
	return waitErr(now, q.blocked, show, "YouTube said the daily quota is spent", cause)
}

// left is the units lists may still spend today, and the time until the day ends.
func (q *quota) left(now time.Time) (int, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	if now.Before(q.blocked) {
		return 0, q.blocked.Sub(now)
	}
	return max(0, q.ceiling(costList)-q.spent), resetAfter(now).Sub(now)
}

// used is the units spent today.
func (q *quota) used(now time.Time) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(now)
	return q.spent
}

// waitErr is the error that waits until the quota resets, telling the time in show:
// "youtube: quota until 09:00 (midnight Pacific): 9000 of 10000 units spent today".
func waitErr(now, until time.Time, show *time.Location, why string, cause error) error {
	msg := fmt.Sprintf("youtube: quota until %s (midnight Pacific): %s", until.In(show).Format("15:04"), why)
	var err error = quotaError(msg)
	if cause != nil {
		err = fmt.Errorf("%s: %w", msg, cause)
	}
	return &adapters.Error{Err: err, RetryAfter: until.Sub(now)}
}

// quotaError is the text of a quota wait without a server's answer under it.
type quotaError string

func (e quotaError) Error() string { return string(e) }
