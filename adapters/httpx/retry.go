package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// unixFloor tells a Unix time from a delay in seconds in a rate-limit reset header: no
// delay is 30 years long, and no reset is before 2001.
const unixFloor = 1_000_000_000

// RetryAfter reads how long a response asks to wait before the next try, as of now:
//
//   - Retry-After, in seconds or as an HTTP date;
//   - else, when the rate-limit headers say nothing is left (X-RateLimit-Remaining or
//     RateLimit-Remaining is 0, or absent), the reset in X-RateLimit-Reset or
//     RateLimit-Reset: an ISO 8601 date (Mastodon), a Unix time in seconds (Bluesky), or
//     a number too small to be a Unix time, read as seconds from now (the IETF draft).
//
// It returns 0 when no header says, or when the time named is past.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return positive(time.Duration(n) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return positive(t.Sub(now))
		}
	}
	for _, prefix := range []string{"X-RateLimit-", "RateLimit-"} {
		reset := strings.TrimSpace(h.Get(prefix + "Reset"))
		if reset == "" {
			continue
		}
		if left := strings.TrimSpace(h.Get(prefix + "Remaining")); left != "" && left != "0" {
			continue
		}
		if d, ok := untilReset(reset, now); ok {
			return d
		}
	}
	return 0
}

// untilReset reads a rate-limit reset value.
func untilReset(v string, now time.Time) (time.Duration, bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < unixFloor {
			return positive(time.Duration(f * float64(time.Second))), true
		}
		sec := int64(f)
		t := time.Unix(sec, int64((f-float64(sec))*1e9))
		return positive(t.Sub(now)), true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return positive(t.Sub(now)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return positive(t.Sub(now)), true
	}
	return 0, false
}

// positive rounds a wait up to whole seconds, and a past time to 0.
func positive(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return ((d + time.Second - 1) / time.Second) * time.Second
}
