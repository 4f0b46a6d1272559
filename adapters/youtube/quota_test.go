package youtube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// quotaExceeded waits until midnight Pacific (08:00 UTC in December, 09:00 in Berlin),
// says so, and nothing more is asked of YouTube until then; the next Pacific day it
// works again.
func TestQuotaExceededWaitsUntilMidnightPacific(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	th := f.comment("v", ana, "@ana", "hi", "")
	f.quotaOut = true
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	reset := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	if !errors.As(err, &ae) || ae.Permanent || ae.MaybeSent || ae.RetryAfter != reset.Sub(f.clock()) {
		t.Fatalf("Fetch = %v (%+v), want a wait until %s", err, ae, reset)
	}
	if !strings.Contains(err.Error(), "quota until 08:00 (midnight Pacific)") || !strings.Contains(err.Error(), "quotaExceeded") {
		t.Errorf("error %q", err)
	}
	noSecret(t, err.Error())
	asked := len(f.calls)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	a.show = berlin
	_, err = a.Send(context.Background(), out("yt:"+th, th, "hello"))
	if !errors.As(err, &ae) || ae.Permanent || !strings.Contains(err.Error(), "quota until 09:00 (midnight Pacific)") {
		t.Errorf("Send while the quota is spent = %v", err)
	}
	if len(f.calls) != asked {
		t.Errorf("YouTube was asked again while the quota was spent")
	}
	f.quotaOut = false
	f.wait(reset.Sub(f.clock()) + time.Second)
	if _, err := a.Send(context.Background(), out("yt:"+th, th, "hello")); err != nil {
		t.Errorf("Send after midnight Pacific = %v", err)
	}
}

// Lists stop at the budget less the reserve, so replies (and the look for a reply
// whose answer was lost) still go out; then the budget stops the replies too, until
// midnight Pacific.
func TestBudgetReservesRoomForReplies(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"quota": int64(150), "quota_reserve": int64(100)})
	th := f.comment("v", ana, "@ana", "hi", "")
	var err error
	lists := 0
	for range 100 {
		if _, err = a.held(context.Background(), "heldForReview"); err != nil {
			break
		}
		lists++
	}
	var ae *adapters.Error
	if lists != 50 || !errors.As(err, &ae) || ae.RetryAfter <= 0 || !strings.Contains(err.Error(), "quota until 08:00 (midnight Pacific)") ||
		!strings.Contains(err.Error(), "kept for replies") {
		t.Fatalf("%d lists, then %v; want 50 and a wait", lists, err)
	}
	if _, _, err := a.Sent(context.Background(), out("yt:"+th, th, "x")); err != nil {
		t.Fatalf("looking for a sent reply was refused: %v", err)
	}
	for i := range 1 {
		if _, err := a.Send(context.Background(), out("yt:"+th, th, "reply")); err != nil {
			t.Fatalf("reply %d refused: %v", i, err)
		}
	}
	_, err = a.Send(context.Background(), out("yt:"+th, th, "reply"))
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "101 of 150 units") || strings.Contains(err.Error(), "kept for replies") {
		t.Errorf("a second reply = %v, want the budget spent", err)
	}
	if n := len(f.sentReplies()); n != 1 {
		t.Errorf("%d replies posted, want 1", n)
	}
}

// Rate limits are temporary: a 429's Retry-After is honoured, a 403 rateLimitExceeded
// waits at least a minute; neither is taken for the daily quota.
func TestRateLimitsHonoured(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	th := f.comment("v", ana, "@ana", "hi", "")
	for _, c := range []struct {
		limited string
		wait    time.Duration
	}{{"429", 2 * time.Minute}, {"rateLimitExceeded", time.Minute}} {
		f.limited = c.limited
		_, err := a.Send(context.Background(), out("yt:"+th, th, "hello"))
		var ae *adapters.Error
		if !errors.As(err, &ae) || ae.Permanent || ae.MaybeSent || ae.RetryAfter != c.wait || strings.Contains(err.Error(), "quota until") {
			t.Errorf("%s: Send = %v (%+v), want a wait of %s", c.limited, err, ae, c.wait)
		}
	}
	if _, err := a.Send(context.Background(), out("yt:"+th, th, "hello")); err != nil {
		t.Errorf("Send after the limits = %v", err)
	}
}
