package demo

import (
	"context"
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
