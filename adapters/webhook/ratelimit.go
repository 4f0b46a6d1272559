package webhook

import (
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// maxClients bounds how many clients the limiter remembers; past it, clients whose bucket
// has refilled (idle ones) are forgotten.
const maxClients = 10_000

// limiter is a token bucket per client (an IP for failed signatures, an account for
// signed requests): each holds up to burst tokens, refilled at rate
// per second; a request takes one.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for client, or says how long until one is there.
func (l *limiter) allow(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) >= maxClients {
			l.forgetIdle(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := (1 - b.tokens) / l.rate
	return false, time.Duration(wait * float64(time.Second))
}

// allowAll takes a token from each client's bucket, or from none of them and says how
// long until all have one: a request naming several accounts counts against each.
func (l *limiter) allowAll(clients []string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	bs := make([]*bucket, len(clients))
	for i, c := range clients {
		b, ok := l.buckets[c]
		if !ok {
			if len(l.buckets) >= maxClients {
				l.forgetIdle(now)
			}
			b = &bucket{tokens: l.burst, last: now}
			l.buckets[c] = b
		}
		b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
		b.last = now
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)/l.rate*float64(time.Second)))
		}
		bs[i] = b
	}
	if wait > 0 {
		return false, wait
	}
	for _, b := range bs {
		b.tokens--
	}
	return true, 0
}

// accounts are the distinct channel/account pairs of msgs, which signed requests are
// rate-limited by.
func accounts(msgs []inbox.Message) []string {
	var out []string
	for _, m := range msgs {
		k := m.Channel + "/" + m.Account
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// forgetIdle drops the buckets that would be full by now: forgetting them changes nothing.
func (l *limiter) forgetIdle(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// clientKey is who a failed signature counts against: its peer's IP address, or for IPv6 its /64,
// since one host commonly holds a whole /64. X-Forwarded-For is not trusted: anyone can
// send it. Behind a reverse proxy every request comes from the proxy and shares a bucket.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// retryAfterSeconds is a Retry-After value: whole seconds, at least one.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
