// Package teamload drives `triage team` on 127.0.0.1 with many real SSH clients, each
// an agent of a generated team file with a pty of its own, doing what agents do at a
// human pace: moving in the queue, opening a conversation and going back, tagging,
// marking done, undoing, typing a reply and sending it. It measures how long each key
// takes to bring the screen's answer, how long an action takes to reach every other
// screen, and which sessions dropped. Its command (bench/teamload/cmd) starts the real
// binary and adds the server's memory; the figures are in BENCHMARKS.md.
package teamload

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// Agent is one member of the generated team.
type Agent struct {
	Name string // a01, a02, …
	Role string // agent or lead
	Key  gossh.Signer
}

// NewTeam makes n agents named a01…aNN with fresh Ed25519 keys, the first leads of them
// leads, and their team file (authorized_keys lines with agent= and role=).
func NewTeam(n, leads int) ([]Agent, []byte, error) {
	agents := make([]Agent, n)
	var file strings.Builder
	for i := range agents {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		signer, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			return nil, nil, err
		}
		role := "agent"
		if i < leads {
			role = "lead"
		}
		agents[i] = Agent{Name: fmt.Sprintf("a%02d", i+1), Role: role, Key: signer}
		fmt.Fprintf(&file, "agent=%q,role=%q %s %s@teamload\n", agents[i].Name, role,
			strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))), agents[i].Name)
	}
	return agents, []byte(file.String()), nil
}

// Config is one swarm.
type Config struct {
	Addr          string // the server, host:port on loopback
	Agents        []Agent
	Width, Height int           // each pty; default 120×35
	MinGap        time.Duration // between one key's answer and the next key; default 150 ms
	MaxGap        time.Duration // default 400 ms
	// KeyTimeout is how long a key waits for the screen's answer before it counts as
	// unanswered; default 5 s.
	KeyTimeout time.Duration
	Seed       uint64
}

func (c *Config) defaults() {
	if c.Width <= 0 || c.Height <= 0 {
		c.Width, c.Height = 120, 35
	}
	if c.MinGap <= 0 {
		c.MinGap = 150 * time.Millisecond
	}
	if c.MaxGap < c.MinGap {
		c.MaxGap = max(c.MinGap, 400*time.Millisecond)
	}
	if c.KeyTimeout <= 0 {
		c.KeyTimeout = 5 * time.Second
	}
}

// Swarm is the connected sessions.
type Swarm struct {
	cfg      Config
	sessions []*session
	// gate: each session holds it shared while a key of its own is on its way, a probe
	// holds it alone, so that no key is in flight while a probe measures.
	gate sync.RWMutex
}

// Connect opens one SSH session with a pty per agent, all at once, and waits until each
// has drawn its first screen. A session that cannot connect is an error.
func Connect(ctx context.Context, cfg Config) (*Swarm, error) {
	if err := loopbackOnly(cfg.Addr); err != nil {
		return nil, err
	}
	cfg.defaults()
	w := &Swarm{cfg: cfg, sessions: make([]*session, len(cfg.Agents))}
	errs := make([]error, len(cfg.Agents))
	var wg sync.WaitGroup
	for i, a := range cfg.Agents {
		wg.Go(func() {
			w.sessions[i], errs[i] = dialSession(ctx, cfg, a)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Close ends every session, as agents quitting their ssh would.
func (w *Swarm) Close() {
	for _, s := range w.sessions {
		if s != nil {
			s.close()
		}
	}
}

// Result is what Drive saw.
type Result struct {
	Elapsed time.Duration
	// Keys are the keys' latencies by kind (j, k, enter, esc, d, t, u, type, send,
	// tag): from writing the key to the session's next output bytes; a key unanswered
	// within Config.KeyTimeout counts as the timeout.
	Keys map[string][]time.Duration
	// Unanswered counts keys whose screen sent nothing within Config.KeyTimeout.
	Unanswered int
	// Checks are, for each unanswered key, how long the screen took to answer the ? the
	// tool pressed next (see session.check): the timeout when it did not.
	Checks []time.Duration
	// Actions counts the keys that changed the queue (done, tag, undo, send).
	Actions int
	// Probes are the propagation probes: for each, one delay per other session.
	Probes []Probe
	// Paused is how long the probes held every agent still, out of Elapsed.
	Paused time.Duration
	// Dropped names the sessions that ended before Close, with how they ended.
	Dropped []string
	// Refusals are the first few refusals or errors a screen showed.
	Refusals []string
	// RefusalCount counts them all.
	RefusalCount int
	// Unsolicited is output chunks that arrived while no key of the session's own was
	// waiting for its answer, a second per session: the live changes and presence the
	// screen was shown. It bounds how often a key's "answer" may have been someone
	// else's change instead.
	Unsolicited float64
}

// probeTimeout is how long a probe waits for every other screen.
const probeTimeout = 3 * time.Second

// Probe is one propagation probe: a done in one session, and how long each other
// session took to receive output after it.
type Probe struct {
	By      string
	Delays  []time.Duration
	Missing int  // sessions that received nothing within probeTimeout
	Quiet   bool // every session was quiet before the probe
}

// AllKeys is every key's latency.
func (r Result) AllKeys() []time.Duration {
	var all []time.Duration
	for _, d := range r.Keys {
		all = append(all, d...)
	}
	return all
}

// ProbeDelays is every (probe, other session) delay.
func (r Result) ProbeDelays() []time.Duration {
	var all []time.Duration
	for _, p := range r.Probes {
		all = append(all, p.Delays...)
	}
	return all
}

// ProbeMax is, per probe, the time until the last other session received output: the
// time for the action to reach every screen that drew it. Screens that drew nothing
// (Missing: not back on the queue when the probe came) are counted apart.
func (r Result) ProbeMax() []time.Duration {
	var all []time.Duration
	for _, p := range r.Probes {
		if len(p.Delays) > 0 {
			all = append(all, slices.Max(p.Delays))
		}
	}
	return all
}

// Percentile is the p-th percentile (0..100) of ds, nearest rank; 0 for none.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Drive runs the agents for d: each presses a key, waits for the screen's answer, waits
// a human gap (MinGap–MaxGap) and presses the next. Every probeEvery (0: never) all
// sessions pause and go back to the top of the queue, the swarm waits until no screen
// has drawn anything for 600 ms (at most 3 s), one session marks its row done, and the
// time until each other session receives output is recorded: in that quiet, any output
// is the change arriving.
func (w *Swarm) Drive(ctx context.Context, d, probeEvery time.Duration) Result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	for _, s := range w.sessions {
		s.resetStats()
	}
	var wg sync.WaitGroup
	for i, s := range w.sessions {
		wg.Go(func() { s.drive(ctx, w, w.cfg.Seed+uint64(i)) })
	}
	var probes []Probe
	var paused time.Duration
	if probeEvery > 0 {
		wg.Go(func() {
			t := time.NewTicker(probeEvery)
			defer t.Stop()
			for n := 0; ; n++ {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				t0 := time.Now()
				if p, ok := w.probe(ctx, n); ok {
					probes = append(probes, p)
				}
				paused += time.Since(t0)
			}
		})
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), Keys: map[string][]time.Duration{}, Probes: probes, Paused: paused}
	var unsolicited int
	for _, s := range w.sessions {
		s.mu.Lock()
		for k, ds := range s.keys {
			res.Keys[k] = append(res.Keys[k], ds...)
		}
		res.Unanswered += s.unanswered
		res.Checks = append(res.Checks, s.checks...)
		res.Actions += s.actions
		unsolicited += s.unsolicited
		res.RefusalCount += len(s.refusals)
		for _, r := range s.refusals {
			if len(res.Refusals) < 10 {
				res.Refusals = append(res.Refusals, s.name+": "+r)
			}
		}
		if s.dropped() {
			res.Dropped = append(res.Dropped, fmt.Sprintf("%s (%v)", s.name, s.waitErr))
		}
		s.mu.Unlock()
	}
	res.Unsolicited = float64(unsolicited) / res.Elapsed.Seconds() / float64(max(1, len(w.sessions)))
	return res
}

// probe is one propagation probe, n-th of the run; ok is false if the run ended first.
func (w *Swarm) probe(ctx context.Context, n int) (Probe, bool) {
	w.gate.Lock()
	defer w.gate.Unlock()
	if ctx.Err() != nil || len(w.sessions) < 2 {
		return Probe{}, false
	}
	var back sync.WaitGroup
	for _, s := range w.sessions {
		back.Go(s.backToQueue)
	}
	back.Wait()
	quiet := w.waitQuiet(ctx, 600*time.Millisecond, 3*time.Second)
	if ctx.Err() != nil {
		return Probe{}, false
	}
	by := w.sessions[n%len(w.sessions)]
	seqs := make([]uint64, len(w.sessions))
	for i, s := range w.sessions {
		seqs[i] = s.seq()
	}
	t0 := time.Now()
	by.write("d")
	by.canUndo = true
	p := Probe{By: by.name, Quiet: quiet}
	deadline := t0.Add(probeTimeout)
	for i, s := range w.sessions {
		if s == by {
			continue
		}
		at, ok := s.outputAfter(seqs[i], t0, max(time.Until(deadline), 0))
		if !ok {
			p.Missing++
			if os.Getenv("TEAMLOAD_DEBUG") != "" {
				s.mu.Lock()
				fmt.Fprintf(os.Stderr, "probe %d: %s drew nothing; its output ended:\n%s\n", n, s.name, ansi.Strip(string(s.tail[max(0, len(s.tail)-1500):])))
				s.mu.Unlock()
			}
			continue
		}
		p.Delays = append(p.Delays, at.Sub(t0))
	}
	return p, true
}

// waitQuiet waits until no session has received output for q, at most limit; it says
// whether that happened.
func (w *Swarm) waitQuiet(ctx context.Context, q, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var last time.Time
		for _, s := range w.sessions {
			if t := s.lastOutput(); t.After(last) {
				last = t
			}
		}
		if wait := q - time.Since(last); wait > 0 {
			time.Sleep(wait)
			continue
		}
		return true
	}
	return false
}

// loopbackOnly refuses anything but 127.0.0.1 or ::1: the load goes to this machine only.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("teamload: %q is not a 127.0.0.1 address; load goes to this machine only", addr)
}
