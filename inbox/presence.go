package inbox

import (
	"slices"
	"strings"
	"time"
)

// Presence: who else has a conversation open, and who is writing a reply in it, from
// each session's last activity (a key pressed), not from how long its connection lasts:
// someone who walked away from an open conversation stops being shown after the TTL.
// Presence lives in the process, shared by the sessions of one `triage team` server;
// two triage processes on one file do not see each other's (their changes to the data
// they do see, through the data_version watch).

// DefaultPresenceTTL is how long a session with no activity is still shown: long enough
// to read a long thread without touching a key, short enough that a screen left open
// over lunch stops claiming anyone's attention.
const DefaultPresenceTTL = 2 * time.Minute

// Presence is one other agent in a conversation.
type Presence struct {
	Agent    string
	Replying bool // writing a reply (the composer is open with text in it)
}

// Show says where the session is: the conversation open (0: none) and whether a reply
// is being written in it. It counts as activity. The others are told when it changes.
func (s *Session) Show(conv int64, replying bool) {
	if s == nil {
		return
	}
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.left {
		return
	}
	s.at, s.last = where{conv, replying && conv != 0}, h.now()
	h.refresh()
}

// Touch records activity (a key pressed): a session that had gone idle shows again.
func (s *Session) Touch() {
	if s == nil {
		return
	}
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	s.last = h.now()
	if s.shown != s.at {
		h.refresh()
	}
}

// Expire stops showing sessions idle for longer than the TTL, telling the others. Run
// calls it on every watch; tests call it after moving the clock.
func (h *Hub) Expire() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refresh()
}

// refresh works out what every session shows now and, when any differs from what the
// others were last told, tells every session; hub.mu is held.
func (h *Hub) refresh() {
	now, changed := h.now(), false
	for s := range h.sessions {
		w := s.at
		if now.Sub(s.last) >= h.ttl {
			w = where{}
		}
		if w != s.shown {
			s.shown, changed = w, true
		}
	}
	if changed {
		for s := range h.sessions {
			s.post(ChangePresence)
		}
	}
}

// Others is who else is in each conversation: the other agents' sessions that are not
// idle, one entry per agent (replying if any of their sessions is), by name. The
// session's own agent is left out, in whichever session they are.
func (s *Session) Others() map[int64][]Presence {
	if s == nil {
		return nil
	}
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[int64][]Presence{}
	for o := range h.sessions {
		w := o.shown
		if w.conv == 0 || o.agent == s.agent {
			continue
		}
		ps := out[w.conv]
		if i := slices.IndexFunc(ps, func(p Presence) bool { return p.Agent == o.agent }); i >= 0 {
			ps[i].Replying = ps[i].Replying || w.replying
			continue
		}
		out[w.conv] = append(ps, Presence{Agent: o.agent, Replying: w.replying})
	}
	for _, ps := range out {
		slices.SortFunc(ps, func(a, b Presence) int { return strings.Compare(a.Agent, b.Agent) })
	}
	return out
}
