// Command teamload soaks `triage team`: it starts the binary on a copy of a database with
// a generated team file, connects -n agents over SSH with ptys of 120×35, lets them work
// for -warmup and then -duration, and prints key latencies, propagation probes, the
// server's memory per session and errors; see BENCHMARKS.md.
//
//	go build -o /tmp/triage . && go run ./bench/teamload/cmd -triage /tmp/triage -db seed.db -n 50 -duration 3m
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/triage-inbox/triage/bench/teamload"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "teamload:", err)
		os.Exit(1)
	}
}

func run() error {
	bin := flag.String("triage", "triage", "the triage `binary` to serve with")
	db := flag.String("db", "", "the seeded `database` (copied: the run never changes it)")
	n := flag.Int("n", 50, "agents connected at once")
	leads := flag.Int("leads", 5, "of them leads")
	duration := flag.Duration("duration", 3*time.Minute, "measured time")
	warmup := flag.Duration("warmup", 15*time.Second, "unmeasured time after connecting")
	probeEvery := flag.Duration("probe-every", 30*time.Second, "a propagation probe this often (0: none)")
	minGap := flag.Duration("min-gap", 150*time.Millisecond, "least time between one key's answer and an agent's next key")
	maxGap := flag.Duration("max-gap", 400*time.Millisecond, "most time between keys")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "the agents' random choices")
	profile := flag.String("cpuprofile", "", "have the server write a CPU profile of the run to this `file` (TRIAGE_CPUPROFILE)")
	keep := flag.Bool("keep", false, "keep the run's folder (database, log) and print where")
	flag.Parse()
	if *db == "" {
		return errors.New("-db is required: a database made by triage import or triage demo")
	}
	dir, err := os.MkdirTemp("", "teamload-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Println("run folder:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	dbCopy := filepath.Join(dir, "triage.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(*db+suffix, dbCopy+suffix); err != nil && !(suffix != "" && errors.Is(err, os.ErrNotExist)) {
			return err
		}
	}
	agents, file, err := teamload.NewTeam(*n, *leads)
	if err != nil {
		return err
	}
	teamFile := filepath.Join(dir, "team_keys")
	if err := os.WriteFile(teamFile, file, 0o600); err != nil {
		return err
	}

	srv, err := startServer(*bin, dir, dbCopy, teamFile, *profile)
	if err != nil {
		return err
	}
	defer srv.stop()
	time.Sleep(2 * time.Second)
	rss0, _ := srv.status("VmRSS")

	ctx := context.Background()
	t0 := time.Now()
	w, err := teamload.Connect(ctx, teamload.Config{Addr: srv.addr, Agents: agents, Seed: *seed, MinGap: *minGap, MaxGap: *maxGap})
	if err != nil {
		return err
	}
	connected := time.Since(t0)
	rssConnected, _ := srv.status("VmRSS")
	w.Drive(ctx, *warmup, 0)
	rssWarm, _ := srv.status("VmRSS")
	measured := time.Now()
	res := w.Drive(ctx, *duration, *probeEvery)
	rssEnd, _ := srv.status("VmRSS")
	hwm, _ := srv.status("VmHWM")
	cpu := srv.cpu()
	w.Close()
	time.Sleep(time.Second) // let the server log the sessions' ends
	if err := srv.stop(); err != nil {
		return err
	}
	logErrors := logErrorTimes(dir, measured)

	keys := res.AllKeys()
	fmt.Printf("agents=%d connected_in=%s duration=%s keys=%d (%.1f/s) unanswered=%d actions=%d unsolicited=%.2f/s/session server_cpu=%.1fs\n",
		*n, connected.Round(time.Millisecond), res.Elapsed.Round(time.Second), len(keys), float64(len(keys))/res.Elapsed.Seconds(),
		res.Unanswered, res.Actions, res.Unsolicited, cpu)
	fmt.Printf("keypress: %s\n", summary(keys))
	if len(res.Checks) > 0 {
		quick := 0
		for _, d := range res.Checks {
			if d < time.Second {
				quick++
			}
		}
		fmt.Printf("unanswered keys: %d; the ? pressed after each was answered within 1 s %d times (the key changed nothing on screen), not %d times (the server was behind); its answer: %s\n",
			len(res.Checks), quick, len(res.Checks)-quick, summary(res.Checks))
	}
	kinds := make([]string, 0, len(res.Keys))
	for k := range res.Keys {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Printf("  %-6s %s\n", k, summary(res.Keys[k]))
	}
	var missing, loud int
	for _, p := range res.Probes {
		missing += p.Missing
		if !p.Quiet {
			loud++
		}
	}
	fmt.Printf("propagation: probes=%d (not quiet first: %d, agents held still %.0f%% of the time) per screen %s; to every screen %s; missing=%d\n",
		len(res.Probes), loud, 100*res.Paused.Seconds()/res.Elapsed.Seconds(), summary(res.ProbeDelays()), summary(res.ProbeMax()), missing)
	mb := func(kb int) float64 { return float64(kb) / 1024 }
	fmt.Printf("memory: rss_idle=%.1fMB rss_connected=%.1fMB rss_warm=%.1fMB rss_end=%.1fMB hwm=%.1fMB per_session_warm=%.2fMB per_session_end=%.2fMB\n",
		mb(rss0), mb(rssConnected), mb(rssWarm), mb(rssEnd), mb(hwm),
		mb(rssWarm-rss0)/float64(*n), mb(rssEnd-rss0)/float64(*n))
	fmt.Printf("errors: dropped=%d %v refusals_on_screen=%d server_log_errors=%d at %v\n", len(res.Dropped), res.Dropped, res.RefusalCount,
		len(logErrors), logErrors)
	for _, r := range res.Refusals {
		fmt.Printf("  refusal: %q\n", r)
	}
	return nil
}

func summary(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n=0"
	}
	p := func(q float64) string { return teamload.Percentile(ds, q).Round(100 * time.Microsecond).String() }
	return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s max=%s", len(ds), p(50), p(90), p(99), p(100))
}

// server is the triage team process.
type server struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

var servingRe = regexp.MustCompile(`serving the inbox over SSH on (\S+);`)

// startServer runs `triage team` with every XDG folder in dir, on a free loopback port,
// and waits for the line that says where it serves.
func startServer(bin, dir, db, teamFile, profile string) (*server, error) {
	cmd := exec.Command(bin, "team", "--db", db, "--listen", "127.0.0.1:0",
		"--authorized-keys", teamFile, "--host-key", filepath.Join(dir, "host_key"))
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+dir,
		"TRIAGE_CONFIG=", "TRIAGE_DB=")
	if profile != "" {
		cmd.Env = append(cmd.Env, "TRIAGE_CPUPROFILE="+profile)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := servingRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.addr = <-found:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("triage team ended before serving: %v", err)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, errors.New("triage team did not say where it serves in 30 s")
	}
}

// status reads a field of /proc/PID/status in kB.
func (s *server) status(field string) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, s.cmd.Process.Pid)
}

// cpu is the server's user and system time so far, in seconds.
func (s *server) cpu() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return float64(utime+stime) / 100 // USER_HZ
}

// stop ends the server as ctrl+c would (SIGTERM) and waits for it.
func (s *server) stop() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		return errors.New("triage team did not stop within 15 s of SIGTERM")
	}
}

// logErrorTimes is when each ERROR line in the server's log under dir was written,
// in whole seconds since the measured part of the run began (negative: before).
func logErrorTimes(dir string, since time.Time) []int {
	var at []int
	filepath.WalkDir(filepath.Join(dir, "triage"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".log") {
			return nil
		}
		b, _ := os.ReadFile(path)
		for line := range strings.Lines(string(b)) {
			if !strings.Contains(line, "level=ERROR") {
				continue
			}
			if len(at) < 5 || os.Getenv("TEAMLOAD_DEBUG") != "" {
				fmt.Fprint(os.Stderr, "server log: ", line)
			}
			ts, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
			if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				at = append(at, int(t.Sub(since).Seconds()))
			}
		}
		return nil
	})
	return at
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}
