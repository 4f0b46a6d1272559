package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// With the clock running (Tick > 0, as in ui.Run and ui.NewSession), the screen listens
// to its hub session by itself: another agent opening a conversation comes back as a
// liveMsg, and once the session has left, listening ends instead of waiting for ever.
func TestListenHearsTheHub(t *testing.T) {
	c := demoCommon(t)
	dev := hubFor(t, c, "dev")
	c.Tick = time.Hour
	m := New(c)
	got := make(chan tea.Msg, 1)
	go func() { got <- m.listen()() }()
	dev.Show(1, false)
	select {
	case msg := <-got:
		if lm, ok := msg.(liveMsg); !ok || lm.change&inbox.ChangePresence == 0 {
			t.Fatalf("heard %#v, want a liveMsg of presence", msg)
		}
	case <-time.After(time.Second):
		t.Fatal("nothing heard within a second")
	}
	go func() { got <- m.listen()() }()
	c.Session.Leave()
	select {
	case msg := <-got:
		if msg != nil {
			t.Fatalf("after leaving: %#v, want nothing", msg)
		}
	case <-time.After(time.Second):
		t.Fatal("listening did not end when the session left")
	}
}
