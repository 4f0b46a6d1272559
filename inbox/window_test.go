package inbox

import (
	"context"
	"testing"
)

// dm is a message in a direct conversation on channel; out marks one of ours.
func dm(channel, id, conv, when string, out bool) Message {
	m := Message{Channel: channel, Account: "acme", ID: id, Conversation: conv, Kind: KindDM, Text: "hello", CreatedAt: at(when)}
	if out {
		m.Direction, m.Agent = Out, "sam"
	} else {
		m.Author = &Author{ID: "c-" + conv, Handle: "maria.r", Name: "Maria R"}
	}
	return m
}

// The clock of every case is 2026-11-20 12:00 UTC; the window closes 24h after the
// customer's latest message by the time it was written.
func TestMessagingWindow(t *testing.T) {
	now := at("2026-11-20T12:00:00Z")
	cases := []struct {
		name     string
		msgs     []Message // in the order they arrive
		key      string
		applies  bool
		open     bool
		closesAt string
		text     string
	}{
		{
			name:    "instagram DM written 3h ago: open until tomorrow 09:00",
			msgs:    []Message{dm("instagram", "i1", "dm:1", "2026-11-20T09:00:00Z", false)},
			key:     "dm:1",
			applies: true, open: true, closesAt: "2026-11-21T09:00:00Z",
			text: "reply window: 21h left",
		},
		{
			name:    "messenger DM 23h30m ago: 30 minutes left",
			msgs:    []Message{dm("facebook", "f1", "dm:2", "2026-11-19T12:30:00Z", false)},
			key:     "dm:2",
			applies: true, open: true, closesAt: "2026-11-20T12:30:00Z",
			text: "reply window: 30m left",
		},
		{
			name: "instagram DM 26h ago, our reply since does not reopen it",
			msgs: []Message{dm("instagram", "i3", "dm:3", "2026-11-19T10:00:00Z", false),
				dm("instagram", "o3", "dm:3", "2026-11-20T11:00:00Z", true)},
			key:     "dm:3",
			applies: true, open: false, closesAt: "2026-11-20T10:00:00Z",
			text: "reply window closed 2h ago · Meta will refuse a reply",
		},
		{
			name:    "whatsapp 25h ago: closed, only templates",
			msgs:    []Message{dm("whatsapp", "w1", "dm:4", "2026-11-19T11:00:00Z", false)},
			key:     "dm:4",
			applies: true, open: false, closesAt: "2026-11-20T11:00:00Z",
			text: "reply window closed 1h ago · WhatsApp takes only templates now",
		},
		{
			name: "the latest written decides, though an older one arrived after it",
			msgs: []Message{dm("instagram", "i5b", "dm:5", "2026-11-20T08:00:00Z", false),
				dm("instagram", "i5a", "dm:5", "2026-11-19T08:00:00Z", false)},
			key:     "dm:5",
			applies: true, open: true, closesAt: "2026-11-21T08:00:00Z",
			text: "reply window: 20h left",
		},
		{
			name:    "exactly 24h ago: closed at this instant",
			msgs:    []Message{dm("facebook", "f6", "dm:6", "2026-11-19T12:00:00Z", false)},
			key:     "dm:6",
			applies: true, open: false, closesAt: "2026-11-20T12:00:00Z",
			text: "reply window closed 0s ago · Meta will refuse a reply",
		},
		{
			name:    "an instagram comment conversation has no window, however old",
			msgs:    []Message{inMsg("c7", "media:7", "nice", "2026-11-01T08:00:00Z")},
			key:     "media:7",
			applies: false, open: true,
		},
		{
			name:    "a DM on X has no window",
			msgs:    []Message{dm("x", "x8", "dm:8", "2026-11-01T08:00:00Z", false)},
			key:     "dm:8",
			applies: false, open: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestInbox(t, "", now)
			for _, m := range tc.msgs {
				mustIngest(t, s, m) // one by one: arrival order is part of the case
			}
			w, err := s.MessagingWindow(context.Background(), convOf(t, s, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			if w.Applies != tc.applies || w.Open != tc.open {
				t.Errorf("applies %v open %v, want %v %v", w.Applies, w.Open, tc.applies, tc.open)
			}
			if tc.closesAt != "" && !w.ClosesAt.Equal(at(tc.closesAt)) {
				t.Errorf("closes at %s, want %s", w.ClosesAt, tc.closesAt)
			}
			if got := w.WindowText(now); got != tc.text {
				t.Errorf("text %q, want %q", got, tc.text)
			}
		})
	}
}

// A window is read against a clock: the same window is open before it closes and
// closed after, and the time left counts down in whole minutes.
func TestWindowTextCountsDown(t *testing.T) {
	w := windowOf("instagram", KindDM, at("2026-11-20T09:00:00Z"), at("2026-11-20T09:00:00Z"))
	for _, tc := range []struct {
		now, want string
	}{
		{"2026-11-21T05:47:30Z", "reply window: 3h 12m left"},
		{"2026-11-21T08:59:30Z", "reply window: 1m left"},
		{"2026-11-21T11:05:00Z", "reply window closed 2h 5m ago · Meta will refuse a reply"},
	} {
		if got := w.WindowText(at(tc.now)); got != tc.want {
			t.Errorf("at %s: %q, want %q", tc.now, got, tc.want)
		}
	}
	if !w.OpenAt(at("2026-11-21T08:59:59Z")) || w.OpenAt(at("2026-11-21T09:00:00Z")) {
		t.Error("the window must be open until 09:00 the next day and closed from then")
	}
}

// A DM thread the brand started has no window open: the customer never wrote.
func TestMessagingWindowWithoutCustomerMessage(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	in := dm("instagram", "i1", "dm:9", "2026-11-20T08:00:00Z", false)
	mustIngest(t, s, in, dm("instagram", "o1", "dm:10", "2026-11-20T09:00:00Z", true))
	w, err := s.MessagingWindow(context.Background(), convOf(t, s, "dm:10"))
	if err != nil {
		t.Fatal(err)
	}
	if !w.Applies || w.Open || !w.ClosesAt.IsZero() {
		t.Fatalf("window %+v, want one that applies and is not open", w)
	}
	if got, want := w.WindowText(at("2026-11-20T12:00:00Z")), "no reply window: the customer has not written · Meta will refuse a reply"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
}
