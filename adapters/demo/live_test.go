package demo

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLiveDripsMessages(t *testing.T) {
	start := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	now := start
	l := NewLive(1, start, 5*time.Second, func() time.Time { return now })
	b, _ := l.Fetch(context.Background(), "")
	if len(b.Messages) != 0 {
		t.Fatalf("%d messages before any time passed", len(b.Messages))
	}
	now = start.Add(12 * time.Second)
	b, _ = l.Fetch(context.Background(), b.Cursor)
	if len(b.Messages) != 2 || b.Cursor != "2" || !b.Messages[1].CreatedAt.Equal(start.Add(10*time.Second)) {
		t.Fatalf("after 12s: %d messages, cursor %q", len(b.Messages), b.Cursor)
	}
	for _, m := range b.Messages {
		m.Normalize()
		if err := m.Validate(); err != nil {
			t.Errorf("live message invalid: %v", err)
		}
	}
	b, _ = l.Fetch(context.Background(), b.Cursor)
	if len(b.Messages) != 0 {
		t.Errorf("the same messages came twice")
	}
}

// A reopened demo goes on where the last session stopped: its first new message a few
// seconds after opening, with new ids, and round again once the prepared ones run out.
func TestLiveGoesOnInAReopenedDemo(t *testing.T) {
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	now := start
	l := NewLive(1, start, 5*time.Second, func() time.Time { return now })
	ctx := context.Background()
	b, _ := l.Fetch(ctx, "37") // the cursor the last session left
	if len(b.Messages) != 0 || b.Cursor != "37" {
		t.Fatalf("at opening: %d messages, cursor %q", len(b.Messages), b.Cursor)
	}
	now = start.Add(11 * time.Second)
	b, _ = l.Fetch(ctx, b.Cursor)
	if len(b.Messages) != 2 || b.Cursor != "39" {
		t.Fatalf("11s after opening: %d messages, cursor %q; want 2, 39", len(b.Messages), b.Cursor)
	}
	// The 38th prepared message, under a new id: "live-37-…", or a fresh one of Meta's
	// shape on Meta's channels (see liveMessage).
	m, prepared := b.Messages[0], l.msgs[37%len(l.msgs)]
	if m.Text != prepared.Text || m.ID == prepared.ID || !isMeta(m.Channel) && !strings.HasPrefix(m.ID, "live-37-") ||
		!b.Messages[1].CreatedAt.Equal(start.Add(10*time.Second)) {
		t.Errorf("first new message %s on %s at %v, prepared as %s", m.ID, m.Channel, b.Messages[1].CreatedAt, prepared.ID)
	}

	// Past the prepared messages it goes round them again, under ids not used before.
	l = NewLive(1, start, 5*time.Second, func() time.Time { return now })
	n := len(l.msgs)
	now = start.Add(time.Duration(n+2) * 5 * time.Second)
	b, _ = l.Fetch(ctx, "")
	if len(b.Messages) != n+2 || b.Cursor != strconv.Itoa(n+2) {
		t.Fatalf("after %d drips: %d messages, cursor %q", n+2, len(b.Messages), b.Cursor)
	}
	ids := map[string]bool{}
	for _, m := range b.Messages {
		if ids[m.ID] {
			t.Fatalf("id %s dripped twice", m.ID)
		}
		ids[m.ID] = true
	}
	if b.Messages[n].Text != b.Messages[0].Text {
		t.Errorf("message %d = %q, want the first one's text again", n, b.Messages[n].Text)
	}
}
