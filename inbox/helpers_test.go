package inbox

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/triage-inbox/triage/store"
)

// testClock is a settable clock for tests.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// newTestInbox opens a fresh database with the given config text, on a clock set to now.
func newTestInbox(t testing.TB, configText string, now time.Time) (*Service, *testClock) {
	t.Helper()
	cfg, err := ParseConfig("test.toml", configText)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &testClock{t: now}
	s, err := New(context.Background(), db, cfg, WithClock(clock.now), WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func inMsg(id, conv, text, when string) Message {
	return Message{Channel: "instagram", Account: "@acme", ID: id, Conversation: conv, Kind: KindComment,
		Author: &Author{ID: "a-" + conv, Handle: "@ana", Name: "Ana Ruiz"}, Text: text, CreatedAt: at(when)}
}

func outMsg(id, conv, agent, when string) Message {
	return Message{Channel: "instagram", Account: "@acme", ID: id, Conversation: conv, Kind: KindComment,
		Direction: Out, Agent: agent, Text: "Thanks, we're on it", CreatedAt: at(when)}
}

func mustIngest(t testing.TB, s *Service, msgs ...Message) IngestCounts {
	t.Helper()
	c, err := s.IngestMessages(context.Background(), msgs...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// convOf finds the conversation id of a conversation key through the queue.
func convOf(t testing.TB, s *Service, key string) int64 {
	t.Helper()
	rows, err := s.Queue(context.Background(), QueuePage{View: View{Name: "All"}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		info, err := s.db.Conversation(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if info.ExtKey == key {
			return r.ID
		}
	}
	t.Fatalf("no conversation %q", key)
	return 0
}
