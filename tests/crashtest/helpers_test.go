// Package crashtest kills the real triage binary with SIGKILL at seeded random moments
// during import, sync and serve, and checks what a crash must never do: corrupt the
// database, duplicate or lose a message, or post a reply twice.
//
// CRASH_RUNS sets the kill runs per scenario (default 5; scripts/crash.sh uses 50) and
// CRASH_SEED the seed (default 1). Everything but timing follows from the seed; a failure
// names the seed and run to repeat it. `go test -short` skips the package.
package crashtest

import (
	"bufio"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/triage-inbox/triage/internal/syncbuf"
	_ "modernc.org/sqlite" // the checks read the database directly
)

// binPath is the triage binary built once by TestMain; "" under -short.
var binPath string

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		if testing.Short() {
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "triage-crashtest-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "crashtest:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		binPath = filepath.Join(dir, "triage")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/triage-inbox/triage").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "crashtest: build triage: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// settings are the scenario's runs and seed, from CRASH_RUNS and CRASH_SEED.
type settings struct {
	runs int
	seed uint64
}

func crashSettings(t *testing.T) settings {
	t.Helper()
	if testing.Short() {
		t.Skip("crash tests run the real binary; skipped under -short")
	}
	s := settings{runs: 5, seed: 1}
	if v := os.Getenv("CRASH_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CRASH_RUNS=%q: want a number of runs above 0", v)
		}
		s.runs = n
	}
	if v := os.Getenv("CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CRASH_SEED=%q: want an unsigned number", v)
		}
		s.seed = n
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("repeat with CRASH_SEED=%d CRASH_RUNS=%d go test -run '^%s$' ./tests/crashtest", s.seed, s.runs, t.Name())
		}
	})
	return s
}

// rng is the scenario's random source: the seed and a per-scenario stream.
func (s settings) rng(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(s.seed, stream)) }

// figures are what a scenario reports, and scripts/crash.sh prints.
type figures struct {
	name                               string
	runs, kills, survived              int
	messages, replies                  int
	measured, elapsed, maxDelay, total time.Duration
}

func (f *figures) log(t *testing.T) {
	t.Logf("crash %s: runs=%d kills=%d exited-before-kill=%d messages=%d replies=%d measured=%s max-delay=%s duration=%s",
		f.name, f.runs, f.kills, f.survived, f.messages, f.replies, f.measured.Round(time.Millisecond),
		f.maxDelay.Round(time.Millisecond), f.total.Round(time.Millisecond))
}

// delay draws a kill delay spread over [0, span).
func delay(r *rand.Rand, span time.Duration) time.Duration {
	return time.Duration(r.Int64N(int64(max(span, time.Millisecond))))
}

// childEnv is the environment for triage: the test's, without TRIAGE_* and with XDG
// folders inside dir, so no user's config or database is touched.
func childEnv(dir string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TRIAGE_") || strings.HasPrefix(kv, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"))
	return append(env, extra...)
}

// proc is a running triage.
type proc struct {
	cmd    *exec.Cmd
	out    *syncbuf.Buffer // stdout after the first line, and stderr
	first  chan string     // stdout's first line, then closed
	done   chan struct{}   // closed when the process has been waited for
	err    error           // Wait's answer
	signal syscall.Signal
}

// start runs triage with args.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binPath, args...), out: &syncbuf.Buffer{}, first: make(chan string, 1), done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stderr = p.out
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start triage %v: %v", args, err)
	}
	go func() {
		br := bufio.NewReader(stdout)
		line, err := br.ReadString('\n')
		if err == nil || line != "" {
			p.first <- line
		}
		close(p.first)
		p.out.Write([]byte(line))
		io.Copy(p.out, br)
		p.err = p.cmd.Wait()
		if ps := p.cmd.ProcessState; ps != nil {
			if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.signal = ws.Signal()
			}
		}
		close(p.done)
	}()
	return p
}

// kill sends SIGKILL and waits; it reports whether the process died of it rather than
// having exited before.
func (p *proc) kill() bool {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	return p.signal == syscall.SIGKILL
}

// exited reports whether the process has ended on its own.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to d for the process to end and returns its error; a process still
// running after d is killed and reported.
func (p *proc) wait(d time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		p.kill()
		return fmt.Errorf("still running after %s; killed", d)
	}
}

// runTriage runs triage to its end and returns its output; a non-zero exit fails t.
func runTriage(t *testing.T, env []string, args ...string) string {
	t.Helper()
	p := start(t, env, args...)
	if err := p.wait(2 * time.Minute); err != nil {
		t.Fatalf("triage %s: %v\n%s", strings.Join(args, " "), err, p.out.String())
	}
	return p.out.String()
}

// checkDB opens a database the way the checks read it.
func checkDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// integrity runs PRAGMA integrity_check and returns "" when it says ok.
func integrity(db *sql.DB) (string, error) {
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(lines) == 1 && lines[0] == "ok" {
		return "", nil
	}
	return strings.Join(lines, "; "), nil
}

// hasMessages reports whether the schema has been created (a kill may come first).
func hasMessages(db *sql.DB) (bool, error) {
	var n int
	err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'messages'").Scan(&n)
	return n > 0, err
}

// storedState is what the checks need of a database after a crash.
type storedState struct {
	problem string          // integrity_check's complaint, "" when ok
	count   int             // rows in messages
	dups    []string        // (channel, account, ext_id) stored more than once
	ids     map[string]bool // channel + " " + ext_id of every message
}

// readState checks integrity and reads the messages of the database at path.
func readState(t *testing.T, path string) storedState {
	t.Helper()
	db := checkDB(t, path)
	defer db.Close()
	var s storedState
	var err error
	if s.problem, err = integrity(db); err != nil {
		t.Fatalf("integrity_check %s: %v", path, err)
	}
	s.ids = map[string]bool{}
	ok, err := hasMessages(db)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return s
	}
	rows, err := db.Query(`SELECT m.channel, a.handle, m.ext_id, count(*) FROM messages m JOIN accounts a ON a.id = m.account_id
		GROUP BY m.channel, a.handle, m.ext_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch, acct, id string
		var n int
		if err := rows.Scan(&ch, &acct, &id, &n); err != nil {
			t.Fatal(err)
		}
		s.count += n
		if n > 1 || s.ids[ch+" "+id] {
			s.dups = append(s.dups, fmt.Sprintf("%s/%s/%s ×%d", ch, acct, id, n))
		}
		s.ids[ch+" "+id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// removeDB deletes a database and its WAL files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

// copyDB copies a closed database (and its WAL, if any) to dst.
func copyDB(t *testing.T, src, dst string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
