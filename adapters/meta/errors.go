package meta

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// DefaultRateLimitWait is how long to wait after a rate limit when Meta names no time (an
// X-App-Usage at 100% says how much is used, not when it frees up; the app limit is a
// rolling hour).
const DefaultRateLimitWait = 10 * time.Minute

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// GraphError is Graph's error body, {"error":{"message","type","code","error_subcode",
// "fbtrace_id","is_transient"}}, with the request it answered. It is wrapped in an
// *adapters.Error; errors.As finds it, e.g. to read Code.
type GraphError struct {
	Method, Where string // "GET", "graph.facebook.com/v24.0/17841400000000001/media"
	Status        int
	Code          int    // 190: the token; 4, 17, 32, 613, 80001…: rate limits; 100: bad parameter
	Subcode       int    // with 190: 458 app removed, 460 password changed, 463 expired, 467 invalid
	Type          string // "OAuthException", "GraphMethodException"
	Message       string // Meta's message, without secrets, cut to adapters.MaxServerText
	Details       string // error_data.details (WhatsApp's plain explanation), likewise
	TraceID       string // fbtrace_id, for Meta's support
	Transient     bool   // is_transient: Meta says a retry may succeed
}

func (e *GraphError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Where, e.Status)
	if e.Code != 0 {
		s += fmt.Sprintf(": Graph error %d", e.Code)
		if e.Subcode != 0 {
			s += fmt.Sprintf("/%d", e.Subcode)
		}
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Details != "" {
		s += ": " + e.Details
	}
	if e.TraceID != "" {
		s += " (fbtrace_id " + e.TraceID + ")"
	}
	return s
}

// rateLimitCodes are Graph's throttling errors: application (4), user (17), page (32),
// per-API (613), the business use case limits (80001–80014) and WhatsApp's throughput
// (130429) and pair (131056) limits.
func rateLimitCode(code int) bool {
	switch {
	case slices.Contains([]int{4, 17, 32, 613, 130429, 131056}, code):
		return true
	case code >= 80001 && code <= 80014:
		return true
	}
	return false
}

// tokenCode: 190 is an invalid or expired access token, 102 an expired API session.
func tokenCode(code int) bool { return code == 190 || code == 102 }

// classify turns a non-2xx response into an *adapters.Error around a *GraphError: the
// token's errors say to reconnect and are Permanent; rate limits and 5xx (and errors Meta
// marks transient, and codes 1 and 2, "unknown" and "service unavailable") are Temporary
// with how long to wait; every other error is Permanent with Meta's message.
func (c *Client) classify(resp *http.Response, token string) error {
	ge := &GraphError{Status: resp.StatusCode}
	if req := resp.Request; req != nil && req.URL != nil {
		ge.Method, ge.Where = req.Method, req.URL.Host+req.URL.EscapedPath()
	}
	var b struct {
		Error struct {
			Message   string `json:"message"`
			Type      string `json:"type"`
			Code      int    `json:"code"`
			Subcode   int    `json:"error_subcode"`
			TraceID   string `json:"fbtrace_id"`
			Transient bool   `json:"is_transient"`
			// An object with details on WhatsApp; a string of JSON on some older calls.
			Data json.RawMessage `json:"error_data"`
		} `json:"error"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if json.Unmarshal(body, &b) == nil {
		e := b.Error
		ge.Code, ge.Subcode, ge.Transient = e.Code, e.Subcode, e.Transient
		ge.Type = adapters.ServerText(e.Type, token)
		ge.Message = adapters.ServerText(e.Message, token)
		ge.TraceID = adapters.ServerText(e.TraceID, token)
		var data struct {
			Details string `json:"details"`
		}
		if json.Unmarshal(e.Data, &data) == nil {
			ge.Details = adapters.ServerText(data.Details, token)
		}
	}
	out := &adapters.Error{Err: ge, Status: resp.StatusCode}
	wait := max(httpx.RetryAfter(resp.Header, c.now()), usageWait(resp.Header))
	switch {
	case tokenCode(ge.Code):
		out.Err = fmt.Errorf("reconnect: the token for account %s expired or is no longer valid: %w", c.Account, ge)
		out.Permanent = true
	case rateLimitCode(ge.Code) || resp.StatusCode == http.StatusTooManyRequests || usageFull(resp.Header):
		if wait == 0 {
			wait = DefaultRateLimitWait
		}
		out.Err = fmt.Errorf("rate limited by Meta, waiting %s: %w", wait, ge)
		out.RetryAfter = wait
	case resp.StatusCode >= 500, ge.Transient, ge.Code == 1, ge.Code == 2:
		out.RetryAfter = wait
		// Graph's "unexpected error" may come after the comment or message was created.
		out.MaybeSent = true
	default:
		out.Permanent = true
	}
	return out
}

// usage is one entry of X-Business-Use-Case-Usage, or the whole of X-App-Usage: percents
// of the limit used, and for business use cases the minutes until calls are allowed again.
type usage struct {
	CallCount    float64 `json:"call_count"`
	TotalCPUTime float64 `json:"total_cputime"`
	TotalTime    float64 `json:"total_time"`
	RegainAccess float64 `json:"estimated_time_to_regain_access"` // minutes
}

func (u usage) full() bool { return max(u.CallCount, u.TotalCPUTime, u.TotalTime) >= 100 }

// usages reads X-App-Usage ({"call_count":28,…}) and X-Business-Use-Case-Usage
// ({"{business-id}":[{"type":"pages","call_count":100,…,"estimated_time_to_regain_access":19}]}).
// Headers that do not parse are ignored.
func usages(h http.Header) []usage {
	var out []usage
	var app usage
	if v := strings.TrimSpace(h.Get("X-App-Usage")); v != "" && json.Unmarshal([]byte(v), &app) == nil {
		out = append(out, app)
	}
	var buc map[string][]usage
	if v := strings.TrimSpace(h.Get("X-Business-Use-Case-Usage")); v != "" && json.Unmarshal([]byte(v), &buc) == nil {
		for _, list := range buc {
			out = append(out, list...)
		}
	}
	return out
}

// usageFull says whether a usage header reports a limit reached, or a time to wait.
func usageFull(h http.Header) bool {
	for _, u := range usages(h) {
		if u.full() || u.RegainAccess > 0 {
			return true
		}
	}
	return false
}

// usageWait is the longest estimated_time_to_regain_access the headers name.
func usageWait(h http.Header) time.Duration {
	var d time.Duration
	for _, u := range usages(h) {
		d = max(d, time.Duration(u.RegainAccess*float64(time.Minute)))
	}
	return d
}

// idText formats a numeric ID read from config.
func idText(n int64) string { return strconv.FormatInt(n, 10) }
