package x

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// X's rate limits are per endpoint and per 15-minute window (some per 24 hours), told in
// headers on every answer (https://docs.x.com/x-api/fundamentals/rate-limits):
// x-rate-limit-limit, x-rate-limit-remaining, and x-rate-limit-reset (Unix seconds); the
// post limit per user and day in x-user-limit-24hour-remaining and -reset. There is no
// Retry-After.
const defaultWindow = 15 * time.Minute

// rateLimits remembers, per endpoint, until when its limit is spent: an answer saying
// remaining 0 means the next call would be refused, so it is not made before the reset.
type rateLimits struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func newRateLimits() *rateLimits { return &rateLimits{until: map[string]time.Time{}} }

// before returns the error that waits, when the endpoint's limit is spent.
func (l *rateLimits) before(endpoint string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	until, ok := l.until[endpoint]
	if !ok || !now.Before(until) {
		delete(l.until, endpoint)
		return nil
	}
	return &adapters.Error{Err: fmt.Errorf("x: %s: rate limit spent until %s UTC (x-rate-limit-remaining 0)", endpoint, until.UTC().Format("15:04:05")),
		RetryAfter: until.Sub(now)}
}

// after reads an answer's headers: a limit left at 0 blocks the endpoint until its reset.
func (l *rateLimits) after(endpoint string, h http.Header, now time.Time) {
	if reset, spent := spentUntil(h); spent && reset.After(now) {
		l.mu.Lock()
		l.until[endpoint] = reset
		l.mu.Unlock()
	}
}

// spentUntil says whether a limit in the headers is spent, and its reset.
func spentUntil(h http.Header) (time.Time, bool) {
	for _, p := range []string{"X-User-Limit-24hour-", "X-Rate-Limit-"} {
		if strings.TrimSpace(h.Get(p+"Remaining")) != "0" {
			continue
		}
		if reset, ok := unixHeader(h.Get(p + "Reset")); ok {
			return reset, true
		}
	}
	return time.Time{}, false
}

// retryAfter429 is how long a 429 waits: until the reset of the spent limit, else of
// x-rate-limit-reset, else a window.
func retryAfter429(h http.Header, now time.Time) time.Duration {
	reset, ok := spentUntil(h)
	if !ok {
		reset, ok = unixHeader(h.Get("X-Rate-Limit-Reset"))
	}
	if !ok {
		return defaultWindow
	}
	return max(reset.Sub(now), time.Second)
}

func unixHeader(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}
