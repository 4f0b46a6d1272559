package bluesky

import "time"

// SetMaxPages sets how many pages one Fetch reads, for a test, and returns the old value.
func SetMaxPages(n int) int {
	old := maxPages
	maxPages = n
	return old
}

// SetClock sets the adapter's clock, for a test.
func (a *Adapter) SetClock(now func() time.Time) { a.now = now }
