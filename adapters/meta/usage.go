package meta

import (
	"fmt"
	"net/http"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// Meta reports how much of a rate limit is used on every answer (X-App-Usage,
// X-Business-Use-Case-Usage), not only once it is reached. A client that keeps calling
// at 95% gets the account throttled for up to an hour; one that pauses lets the rolling
// window drain. So an answer at UsageSlowDown percent or more of any limit pauses the
// account's calls for UsagePause, or for the time to regain access Meta names.
const (
	UsageSlowDown = 90
	UsagePause    = 5 * time.Minute
)

// pause is when calls may start again, and why they stopped.
type pause struct {
	until time.Time
	used  float64 // the highest percentage reported
}

// noticeUsage reads an answer's usage headers and pauses the client when one nears its
// limit. A later answer with lower usage does not lift a pause already set.
func (c *Client) noticeUsage(h http.Header) {
	var used float64
	var regain time.Duration
	for _, u := range usages(h) {
		used = max(used, u.CallCount, u.TotalCPUTime, u.TotalTime)
		regain = max(regain, time.Duration(u.RegainAccess*float64(time.Minute)))
	}
	if used < UsageSlowDown && regain == 0 {
		return
	}
	until := c.now().Add(max(regain, UsagePause))
	c.mu.Lock()
	defer c.mu.Unlock()
	if until.After(c.paused.until) {
		c.paused = pause{until: until, used: used}
	}
}

// waitUsage refuses a call while the client is paused, with how long is left: a
// Temporary error the sync engine waits out.
func (c *Client) waitUsage(method, path string) error {
	c.mu.Lock()
	p := c.paused
	c.mu.Unlock()
	left := p.until.Sub(c.now())
	if left <= 0 {
		return nil
	}
	return adapters.Temporary(fmt.Errorf("%s %s: paused %s: Meta reported %.0f%% of account %s's rate limit used; calling again now would get it throttled",
		method, path, left.Round(time.Second), p.used, c.Account), left)
}
