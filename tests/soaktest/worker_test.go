package soaktest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/internal/syncbuf"
	"github.com/triage-inbox/triage/ui"
)

// The soak's processes are this test binary run again with -test.run=^TestSoakWorker$
// and the environment below naming the role; each prints its figures as one JSON line.
const (
	envRole  = "SOAKTEST_WORKER" // maria, dev (a UI each) or sync (the engine)
	envDB    = "SOAKTEST_DB"     // the database file
	envSeed  = "SOAKTEST_SEED"   // the seed of the UIs' scripts
	envUntil = "SOAKTEST_UNTIL"  // UIs: play until this time, in Unix milliseconds
	envFeed  = "SOAKTEST_FEED"   // sync: the channel server's URL

	reportPrefix = "soak-report: "
)

// soakAgents are the people of the soak, in the order their scripts are seeded.
var soakAgents = []string{"maria", "dev"}

// workerReport is what one process did, as it prints it for the test that started it.
type workerReport struct {
	Role      string         `json:"role"`
	Gestures  map[string]int `json:"gestures,omitempty"`   // gestures played
	OK        map[string]int `json:"ok,omitempty"`         // successful actions per gesture
	Errors    []string       `json:"errors,omitempty"`     // every error the UI logged: footer, dialog or composer
	Refused   []string       `json:"refused,omitempty"`    // undos of replies the sync had sent meanwhile, claims the other person won
	Locked    []string       `json:"locked,omitempty"`     // screens and log lines that spoke of a lock, with the gesture
	LogProbe  string         `json:"log_probe,omitempty"`  // UIs: the error logged for an action made to fail
	EngineLog string         `json:"engine_log,omitempty"` // sync: what the engine logged as errors
	EngineErr string         `json:"engine_err,omitempty"` // sync: what Run returned
	Seconds   float64        `json:"seconds"`
}

// TestSoakWorker is one process of TestTwoUIsAndASync: a person's UI playing its script
// until the time given, or the sync engine running until its standard input closes. Run
// by itself it skips.
func TestSoakWorker(t *testing.T) {
	role := os.Getenv(envRole)
	if role == "" {
		t.Skip("a process of TestTwoUIsAndASync, which starts it")
	}
	start := time.Now()
	var rep workerReport
	if role == "sync" {
		rep = runSyncWorker(t)
	} else {
		rep = runUIWorker(t, role)
	}
	rep.Role, rep.Seconds = role, time.Since(start).Seconds()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s\n", reportPrefix, b)
}

// runUIWorker opens the database as the person, drives the UI with the seeded script until
// the time is up, and ends on the log screen, as a person would read it.
func runUIWorker(t *testing.T, agent string) workerReport {
	i := slices.Index(soakAgents, agent)
	if i < 0 {
		t.Fatalf("%s=%q: want sync or one of %v", envRole, agent, soakAgents)
	}
	ms, err := strconv.ParseInt(os.Getenv(envUntil), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", envUntil, err)
	}
	until := time.UnixMilli(ms)
	svc := openInbox(t, os.Getenv(envDB), agent)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log, logger := newUILog()
	c := &ui.Common{Ctx: ctx, Inbox: svc, Styles: ui.NewStyles(true), FixedTheme: true, Keys: ui.DefaultKeyMap(),
		Now: time.Now, Log: logger, Width: 120, Height: 35}
	p := &person{agent: agent, d: newDriver(ui.New(c)), log: log, gesture: "start", ok: map[string]int{}, gestures: map[string]int{}}
	rng := rand.New(rand.NewPCG(uint64(envInt(envSeed, 1)), uint64(i)))
	if _, err := p.settle(); err != nil {
		t.Fatal(err)
	}
	p.readLog()
	for time.Now().Before(until) {
		if err := p.play(rng); err != nil {
			t.Fatalf("%s: %v", agent, err)
		}
	}
	p.gesture = "log screen"
	p.d.key("L")
	if _, err := p.settle(); err != nil {
		t.Fatal(err)
	}
	p.readLog()
	rep := workerReport{Gestures: p.gestures, OK: p.ok, Errors: p.errs, Refused: p.refused, Locked: p.locked}
	rep.LogProbe = probeLog(t, p, cancel)
	return rep
}

// probeLog makes the UI fail once more, on purpose, and returns the error the log got
// for it: the person's errors are read from the log, so a log that the UI stopped
// writing to would hide a lock error and must fail the soak instead. Done with the
// context cancelled fails with "context canceled".
func probeLog(t *testing.T, p *person, cancel context.CancelFunc) string {
	p.gesture = "log probe"
	p.d.key("esc") // back to the queue from the log screen
	cancel()
	p.d.key("d")
	if _, err := p.settle(); err != nil {
		t.Fatal(err)
	}
	var logged []string
	for _, r := range p.log.records()[p.seen:] {
		if r.isError() && strings.Contains(r.Msg, context.Canceled.Error()) {
			return r.Msg
		}
		logged = append(logged, r.line)
	}
	t.Fatalf("done with the context cancelled: the UI logged no error for it (logged meanwhile: %q); its errors would go unseen", logged)
	return ""
}

// runSyncWorker runs the engine against the channel server until standard input closes:
// the starting test closes it once both people are done, and it closes by itself when
// that test dies.
func runSyncWorker(t *testing.T) workerReport {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	svc := openInbox(t, os.Getenv(envDB), "sync")
	var log syncbuf.Buffer
	eng := engine.New(svc, []engine.Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Poll: 150 * time.Millisecond,
		Adapter: newFeedClient(os.Getenv(envFeed))}},
		engine.Options{Log: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelError}))})
	var rep workerReport
	if err := eng.Run(ctx); err != nil {
		rep.EngineErr = err.Error()
	}
	rep.EngineLog = log.String()
	return rep
}

// worker is one process of the soak, seen from the test that started it.
type worker struct {
	role           string
	pid            int
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout, stderr bytes.Buffer
}

// startWorker starts this test binary again as role, with env added to this process's own.
func startWorker(t *testing.T, ctx context.Context, role string, seconds int, env ...string) *worker {
	t.Helper()
	w := &worker{role: role}
	w.cmd = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSoakWorker$", "-test.count=1",
		"-test.timeout="+(time.Duration(seconds)*time.Second+4*time.Minute).String())
	w.cmd.Env = append(append(os.Environ(), envRole+"="+role), env...)
	w.cmd.Stdout, w.cmd.Stderr = &w.stdout, &w.stderr
	w.cmd.WaitDelay = 10 * time.Second
	stdin, err := w.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	w.stdin = stdin
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", role, err)
	}
	w.pid = w.cmd.Process.Pid
	t.Cleanup(func() {
		if w.cmd.ProcessState == nil { // the test ended early: do not leave it running
			w.cmd.Process.Kill()
			w.cmd.Wait()
		}
	})
	return w
}

// stop closes the worker's standard input, which ends the sync process.
func (w *worker) stop() { w.stdin.Close() }

// wait waits for the process to end and reads its report.
func (w *worker) wait() (workerReport, error) {
	err := w.cmd.Wait()
	var rep workerReport
	found := false
	sc := bufio.NewScanner(bytes.NewReader(w.stdout.Bytes()))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), reportPrefix); ok {
			if jerr := json.Unmarshal([]byte(line), &rep); jerr != nil {
				err = errors.Join(err, fmt.Errorf("report: %w", jerr))
			}
			found = true
		}
	}
	if !found {
		err = errors.Join(err, errors.New("no report"))
	}
	if err != nil {
		return rep, fmt.Errorf("%s process (pid %d): %w\nstdout:\n%s\nstderr:\n%s", w.role, w.pid, err, w.stdout.String(), w.stderr.String())
	}
	return rep, nil
}
