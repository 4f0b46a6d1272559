package inbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/triage-inbox/triage/store"
)

// Live: a change committed anywhere reaches every open screen within a second, without
// a screen asking the database over and over. One Hub per process (per database) is
// what its sessions share: it hears of this process's commits at once (store.OnCommit)
// and of other processes' commits through one watch (Run: SQLite's data_version, or on
// PostgreSQL the notifications of other hosts' commits), and tells every session. Who is
// where (presence.go) travels the same way.

// Change says what changed; a session may be told of several at once.
type Change uint8

const (
	// ChangeData: something was committed to the database; what shows must be read again.
	ChangeData Change = 1 << iota
	// ChangePresence: someone opened or left a conversation, started or stopped writing
	// a reply in one, or went idle.
	ChangePresence
)

// DefaultWatchEvery is how often Run looks for commits of other processes: well within
// the second a change may take to reach a screen, and a read of one page-sized pragma
// (on PostgreSQL, of a counter the watch's listener keeps).
const DefaultWatchEvery = 250 * time.Millisecond

// DefaultLiveGap is the least time between two changes told to one session: a screen
// reads again at most this often however fast others write (fifty agents' drafts are
// saved as they type), and what changed meanwhile is told at once after it.
const DefaultLiveGap = 200 * time.Millisecond

// ErrLeft means the session has left the hub; nothing more will come.
var ErrLeft = errors.New("the session has left")

// Hub is what the sessions of one process share: news of changes, and presence.
type Hub struct {
	db  *store.DB
	now func() time.Time
	ttl time.Duration
	gap time.Duration

	mu       sync.Mutex
	sessions map[*Session]struct{}

	// The watch of Run, shared with Changed: a commit of this process, made on another
	// connection than the watch's, changes data_version as a commit of another process
	// does, so each was told twice, at once and again at the next watch, and every
	// screen read everything twice. Changed now reads the version before telling of a
	// commit here, so the watch reports only what came since (VersionWatch.Seen; on
	// PostgreSQL the watch never counts this process's commits, and Seen leaves another
	// host's that came meanwhile for Run to tell).
	watchMu sync.Mutex
	watch   *store.VersionWatch
}

// HubOption adjusts a Hub.
type HubOption func(*Hub)

// WithPresenceTTL sets how long a session with no activity is still shown (see
// DefaultPresenceTTL).
func WithPresenceTTL(d time.Duration) HubOption { return func(h *Hub) { h.ttl = d } }

// WithLiveGap sets the least time between two changes told to one session (see
// DefaultLiveGap); tests use 0.
func WithLiveGap(d time.Duration) HubOption { return func(h *Hub) { h.gap = d } }

// NewHub makes the hub of the service's database, on the service's clock. Every commit
// made through that database from then on tells the hub's sessions.
func NewHub(svc *Service, opts ...HubOption) *Hub {
	h := &Hub{db: svc.db, now: svc.now, ttl: DefaultPresenceTTL, gap: DefaultLiveGap, sessions: map[*Session]struct{}{}}
	for _, o := range opts {
		o(h)
	}
	svc.db.OnCommit(h.Changed)
	return h
}

// Changed tells every session that the database changed: the hook of every commit made
// through the hub's database. First the watch of other processes' commits takes the new
// version as seen, so that the commit is not told again at the next watch; a commit of
// another process that it takes too (SQLite) is told by this very change, since the
// sessions are told after it landed and read after they are told.
func (h *Hub) Changed() {
	h.watchMu.Lock()
	if h.watch != nil {
		if err := h.watch.Seen(context.Background()); err != nil {
			h.closeWatch() // Run opens it again, and tells everyone then
		}
	}
	h.watchMu.Unlock()
	h.tell(ChangeData)
}

// closeWatch closes the watch; watchMu is held.
func (h *Hub) closeWatch() {
	if h.watch != nil {
		h.watch.Close()
		h.watch = nil
	}
}

func (h *Hub) tell(c Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.sessions {
		s.post(c)
	}
}

// Run watches for commits of other processes every interval (DefaultWatchEvery when
// every <= 0) and lets presence expire, until ctx ends. One Run per hub. It fails only
// when the first watch cannot open; a watch that fails later (a connection lost) is
// opened again on the next interval, and every session reads again then, since a
// change may have come while nobody was watching.
func (h *Hub) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = DefaultWatchEvery
	}
	w, err := h.db.WatchVersion(ctx)
	if err != nil {
		return err
	}
	h.watchMu.Lock()
	h.watch = w
	h.watchMu.Unlock()
	defer func() {
		h.watchMu.Lock()
		h.closeWatch()
		h.watchMu.Unlock()
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		h.Expire()
		if h.look(ctx) {
			h.tell(ChangeData)
		}
	}
}

// look reads the watch, opening it again if it failed, and says whether the sessions
// must be told: another process committed, or the watch was lost for a while.
func (h *Hub) look(ctx context.Context) bool {
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	if h.watch == nil {
		w, err := h.db.WatchVersion(ctx)
		if err != nil {
			return false
		}
		h.watch = w
		return true // a change may have come while nobody was watching
	}
	changed, err := h.watch.Changed(ctx)
	if err != nil {
		h.closeWatch()
		return false
	}
	return changed
}

// Session is one person's screen in a hub: where they are, when they last did something,
// and the changes they have not yet been told of.
type Session struct {
	hub   *Hub
	agent string
	// Guarded by hub.mu.
	at      where     // what the person is doing now
	shown   where     // what the others were last told (zero once idle)
	last    time.Time // the person's last activity
	pending Change
	left    bool
	wake    chan struct{} // a token when pending became non-zero; closed on Leave
	told    time.Time     // when Next last returned changes (wall time: tests fix the clock); Next's goroutine only
}

// where is a session's place: the conversation open (0: none) and whether a reply is
// being written in it.
type where struct {
	conv     int64
	replying bool
}

// Join adds a session of agent to the hub. Leave it when the session ends.
func (h *Hub) Join(agent string) *Session {
	s := &Session{hub: h, agent: agent, last: h.now(), wake: make(chan struct{}, 1)}
	h.mu.Lock()
	h.sessions[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Agent is whose session it is.
func (s *Session) Agent() string { return s.agent }

// post records a change for the session and wakes it; hub.mu is held.
func (s *Session) post(c Change) {
	if s.left {
		return
	}
	s.pending |= c
	select {
	case s.wake <- struct{}{}:
	default: // already woken: the changes wait together, so a busy screen reads once
	}
}

// Next waits for the changes the session has not been told of yet and returns them
// together. It returns ErrLeft once the session left, or ctx's error.
func (s *Session) Next(ctx context.Context) (Change, error) {
	if wait := s.hub.gap - time.Since(s.told); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		}
	}
	defer func() { s.told = time.Now() }()
	for {
		s.hub.mu.Lock()
		c, left := s.pending, s.left
		s.pending = 0
		s.hub.mu.Unlock()
		switch {
		case left:
			return 0, ErrLeft
		case c != 0:
			return c, nil
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// Leave ends the session: the others no longer see it, and Next returns ErrLeft.
func (s *Session) Leave() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.left {
		return
	}
	s.at = where{}
	h.refresh()
	s.left = true
	delete(h.sessions, s)
	close(s.wake)
}
