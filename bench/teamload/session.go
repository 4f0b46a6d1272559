package teamload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// session is one agent's SSH session: what it printed and when, and where the agent is.
type session struct {
	name   string
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.Writer
	ended  chan struct{} // the session's Wait returned, with waitErr
	closed chan struct{} // close was called

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every output chunk
	nseq       uint64        // output chunks so far
	times      [256]time.Time
	last       time.Time // the last chunk's arrival
	waiting    bool      // a key of the session's own awaits its answer
	lastKey    time.Time
	keys       map[string][]time.Duration
	unanswered int
	// After each unanswered key, how long the screen took to answer ? (help, or a
	// character in a dialog): quick means the key changed nothing on the screen (the
	// agent's place was not where the tool guessed), slow that the server was behind.
	checks      []time.Duration
	actions     int
	unsolicited int
	refusals    []string
	closeOnce   sync.Once
	waitErr     error // set before ended is closed
	tail        []byte

	// The agent's place, as the keys sent make it; the driver's goroutine (or a probe,
	// holding the gate alone) only.
	state   state
	row     int  // cursor row in the queue, from the top
	canUndo bool // the last action was one's own done or tag
	typing  int  // characters still to type in the composer or the tag picker
	from    state
}

type state int

const (
	inQueue state = iota
	inConversation
	inComposer
	inTagPicker
)

// refusalMarks are what a screen shows when the inbox refuses an action or fails one.
var refusalMarks = [][]byte{[]byte("may not"), []byte("database is locked"), []byte("SQLITE_BUSY"), []byte("panic")}

func dialSession(ctx context.Context, cfg Config, a Agent) (*session, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("%s: dial: %w", a.Name, err)
	}
	cc, chans, reqs, err := gossh.NewClientConn(conn, cfg.Addr, &gossh.ClientConfig{
		User:            a.Name,
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(a.Key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), // a server on this machine, started by the caller
		Timeout:         30 * time.Second,
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%s: ssh: %w", a.Name, err)
	}
	client := gossh.NewClient(cc, chans, reqs)
	s := &session{name: a.Name, client: client, ended: make(chan struct{}), closed: make(chan struct{}),
		changed: make(chan struct{}), keys: map[string][]time.Duration{}}
	if s.sess, err = client.NewSession(); err != nil {
		client.Close()
		return nil, fmt.Errorf("%s: session: %w", a.Name, err)
	}
	out, err := s.sess.StdoutPipe()
	if err != nil {
		client.Close()
		return nil, err
	}
	if s.stdin, err = s.sess.StdinPipe(); err != nil {
		client.Close()
		return nil, err
	}
	if err := s.sess.RequestPty("xterm-256color", cfg.Height, cfg.Width, gossh.TerminalModes{}); err != nil {
		client.Close()
		return nil, fmt.Errorf("%s: pty: %w", a.Name, err)
	}
	if err := s.sess.Shell(); err != nil {
		client.Close()
		return nil, fmt.Errorf("%s: shell: %w", a.Name, err)
	}
	go s.read(out)
	go func() { s.waitErr = s.sess.Wait(); close(s.ended) }()
	// The first screen: some output, then nothing for a moment (the first page read).
	if _, ok := s.outputAfter(0, time.Time{}, 30*time.Second); !ok {
		s.close()
		return nil, fmt.Errorf("%s: no first screen in 30 s", a.Name)
	}
	for time.Since(s.lastOutput()) < 300*time.Millisecond {
		time.Sleep(50 * time.Millisecond)
	}
	return s, nil
}

// read records when each chunk of output arrives, and any refusal it shows.
func (s *session) read(r io.Reader) {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			now := time.Now()
			s.mu.Lock()
			s.nseq++
			s.times[s.nseq%uint64(len(s.times))] = now
			s.last = now
			s.tail = append(s.tail, buf[:n]...)
			if len(s.tail) > 16<<10 {
				s.tail = s.tail[len(s.tail)-8<<10:]
			}
			if !s.waiting && now.Sub(s.lastKey) > 100*time.Millisecond {
				s.unsolicited++
			}
			for _, m := range refusalMarks {
				if i := bytes.Index(buf[:n], m); i >= 0 {
					s.refusals = append(s.refusals, string(buf[max(0, i-40):min(n, i+80)]))
				}
			}
			close(s.changed)
			s.changed = make(chan struct{})
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (s *session) seq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nseq
}

func (s *session) lastOutput() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// outputAfter waits for the first chunk after chunk number seq that arrived at or after
// t0, at most timeout, and returns when it arrived.
func (s *session) outputAfter(seq uint64, t0 time.Time, timeout time.Duration) (time.Time, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for n := seq + 1; n <= s.nseq; n++ {
			if s.nseq-n >= uint64(len(s.times)) {
				continue // overwritten: a later chunk answers as well
			}
			if at := s.times[n%uint64(len(s.times))]; !at.Before(t0) {
				s.mu.Unlock()
				return at, true
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			return time.Time{}, false
		case <-s.ended:
			return time.Time{}, false
		}
	}
}

func (s *session) write(key string) {
	s.mu.Lock()
	s.lastKey = time.Now()
	s.mu.Unlock()
	s.stdin.Write([]byte(key))
}

// press writes key and waits for the screen's answer: the session's next output.
func (s *session) press(kind, key string, timeout time.Duration) {
	s.mu.Lock()
	seq := s.nseq
	s.waiting = true
	s.mu.Unlock()
	t0 := time.Now()
	s.write(key)
	at, ok := s.outputAfter(seq, t0, timeout)
	s.mu.Lock()
	s.waiting = false
	if ok {
		s.keys[kind] = append(s.keys[kind], at.Sub(t0))
	} else {
		// Counted at the timeout, a lower bound: leaving it out would flatter the tail.
		s.keys[kind] = append(s.keys[kind], timeout)
		s.unanswered++
	}
	s.mu.Unlock()
	if !ok {
		s.check(timeout)
	}
}

// check follows an unanswered key: it presses ?, which every screen answers (help opens,
// or a dialog's text takes it), records how long the answer took, and brings the agent
// back to the top of the queue, a place the tool knows.
func (s *session) check(timeout time.Duration) {
	seq, t0 := s.seq(), time.Now()
	s.write("?")
	at, ok := s.outputAfter(seq, t0, timeout)
	d := timeout
	if ok {
		d = at.Sub(t0)
	}
	s.mu.Lock()
	s.checks = append(s.checks, d)
	s.mu.Unlock()
	time.Sleep(150 * time.Millisecond)
	s.backToQueue()
}

func (s *session) resetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = map[string][]time.Duration{}
	s.unanswered, s.actions, s.unsolicited, s.refusals, s.checks = 0, 0, 0, nil, nil
}

func (s *session) dropped() bool {
	select {
	case <-s.ended:
		select {
		case <-s.closed:
			return false
		default:
			return true
		}
	default:
		return false
	}
}

func (s *session) close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.sess.Close()
		s.client.Close()
	})
}

// drive presses keys until ctx ends, a human gap between one key's answer and the next.
func (s *session) drive(ctx context.Context, w *Swarm, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x7ea31))
	gap := func() time.Duration {
		return w.cfg.MinGap + time.Duration(rng.Int64N(int64(w.cfg.MaxGap-w.cfg.MinGap)+1))
	}
	for {
		t := time.NewTimer(gap())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.ended:
			t.Stop()
			return
		case <-t.C:
		}
		w.gate.RLock()
		if ctx.Err() == nil {
			kind, key, action := s.next(rng)
			s.press(kind, key, w.cfg.KeyTimeout)
			if action {
				s.mu.Lock()
				s.actions++
				s.mu.Unlock()
			}
		}
		w.gate.RUnlock()
	}
}

// next picks the agent's next key from where they are, and moves them: only keys whose
// answer changes the screen, so that every key has an answer to wait for.
func (s *session) next(rng *rand.Rand) (kind, key string, action bool) {
	const (
		esc   = "\x1b"
		enter = "\r"
		ctrlS = "\x13"
	)
	roll := rng.IntN(100)
	switch s.state {
	case inQueue:
		switch {
		case roll < 40 || (roll < 55 && s.row == 0):
			s.row++
			return "j", "j", false
		case roll < 55:
			s.row--
			return "k", "k", false
		case roll < 70:
			s.state = inConversation
			return "enter", enter, false
		case roll < 80:
			s.canUndo = true
			return "d", "d", true // the row leaves the view; the cursor stays on the next
		case roll < 90:
			s.state, s.from, s.typing = inTagPicker, inQueue, 4
			return "t", "t", false
		case s.canUndo:
			s.canUndo = false
			return "u", "u", true
		default:
			s.row++
			return "j", "j", false
		}
	case inConversation:
		switch {
		case roll < 45:
			s.state = inQueue
			return "esc", esc, false
		case roll < 75:
			s.state, s.typing = inComposer, 8+rng.IntN(12)
			return "r", "r", false
		default:
			s.state, s.from, s.typing = inTagPicker, inConversation, 4
			return "t", "t", false
		}
	case inComposer:
		if s.typing > 0 {
			s.typing--
			// No q or y: a key meant for the composer that a lagging screen reads in
			// the queue must not quit the session (or answer "quit anyway?").
			c := "abcdefghijklmnoprstuvwxz      "[rng.IntN(30)]
			return "type", string(c), false
		}
		s.state = inConversation
		if roll < 10 {
			return "esc", esc, false // keep it as a draft
		}
		s.canUndo = false
		return "send", ctrlS, true
	case inTagPicker:
		if s.typing > 0 {
			s.typing--
			return "type", string("soak"[3-s.typing]), false
		}
		s.state, s.canUndo = s.from, true
		return "tag", enter, true // tags with "soak", or takes it off when it is there
	}
	s.state = inQueue
	return "esc", esc, false
}

// backToQueue brings the agent to the top of the queue without measuring (a probe's
// setup): three esc whatever the agent's place, since the place the keys sent make is a
// guess (a send that asked for a second look left the composer open), then g. Esc in
// the queue does nothing. At the top every screen shows the row the probe takes away,
// besides the view's count in the header.
//
// Each key waits for the screen's answer (or 300 ms: esc in the queue has none) and a
// pause: an esc that reaches the program in one read with the key after it is read as
// alt+that key, and under load the server reads late, so keys written 60 ms apart
// arrived together and left screens where they were.
func (s *session) backToQueue() {
	for _, key := range []string{"\x1b", "\x1b", "\x1b", "g"} {
		seq, t0 := s.seq(), time.Now()
		s.write(key)
		s.outputAfter(seq, t0, 300*time.Millisecond)
		time.Sleep(150 * time.Millisecond)
	}
	s.state, s.row, s.canUndo = inQueue, 0, false
}
