package serveload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Serve is a `triage serve` this package started: the real binary, on 127.0.0.1 at a
// port of its choosing, over the database DB (a file, or a postgres:// URL), with a
// config and XDG folders of its own so nothing of the user's is read or written.
type Serve struct {
	URL string // http://127.0.0.1:port
	Bin string
	DB  string
	Dir string // its config, XDG folders and serve.log (its stderr)

	cmd  *exec.Cmd
	env  []string
	done chan error
}

// secretVar is the environment variable the started serve reads its secret from.
const secretVar = "SERVELOAD_WEBHOOK_SECRET"

// StartServe starts bin as `triage serve --listen 127.0.0.1:0 --db db` with secret as
// its webhook secret and the default [serve] settings, and waits until it listens. An
// empty db is a fresh SQLite file in the Serve's folder; a PostgreSQL URL should name a
// fresh database, which serve creates the schema of. A profile path has serve write a CPU
// profile of its whole run there (TRIAGE_CPUPROFILE).
func StartServe(ctx context.Context, bin, db, profile string, secret []byte) (*Serve, error) {
	dir, err := os.MkdirTemp("", "serveload-")
	if err != nil {
		return nil, err
	}
	if db == "" {
		db = filepath.Join(dir, "triage.db")
	}
	config := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(config, []byte("[serve]\nsecret_env = \""+secretVar+"\"\n"), 0o600); err != nil {
		return nil, err
	}
	s := &Serve{Bin: bin, DB: db, Dir: dir, done: make(chan error, 1)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRIAGE_") && !strings.HasPrefix(kv, "XDG_") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"), secretVar+"="+string(secret))
	s.cmd = exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--db", db, "--config", config)
	s.cmd.Env = s.env
	if profile != "" { // serve's alone, not the export that counts afterwards
		s.cmd.Env = append(slices.Clip(s.env), "TRIAGE_CPUPROFILE="+profile)
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()  // the child holds its own descriptor
	s.cmd.Stderr = logFile // its log of every request, kept off the terminal
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case first <- sc.Text():
			default:
			}
		}
		s.done <- s.cmd.Wait()
	}()
	select {
	case line := <-first:
		addr, ok := strings.CutPrefix(line, "listening on ")
		if !ok {
			s.cmd.Process.Kill()
			return nil, fmt.Errorf("triage serve did not start: %q", line)
		}
		s.URL, _, _ = strings.Cut(addr, " ")
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("triage serve ended before listening: %v", err)
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		return nil, errors.New("triage serve did not start in a minute")
	case <-ctx.Done():
		s.cmd.Process.Kill()
		return nil, ctx.Err()
	}
}

// Stop ends serve as ctrl+c does (SIGTERM: it commits what it accepted) and waits.
func (s *Serve) Stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		return err
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		return errors.New("triage serve did not stop in a minute after SIGTERM")
	}
}

// Stored counts, in `triage export` of serve's database, the messages whose id starts
// with prefix, and how many of them appear more than once.
func (s *Serve) Stored(ctx context.Context, prefix string) (ids map[string]int, err error) {
	cmd := exec.CommandContext(ctx, s.Bin, "export", "--db", s.DB)
	cmd.Env = s.env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("triage export: %w", err)
	}
	ids = map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		_, rest, ok := strings.Cut(line, `"id":"`+prefix+"-")
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(rest, `"`)
		ids[prefix+"-"+id]++
	}
	return ids, nil
}

// Remove deletes the Serve's folder (and a SQLite database made in it).
func (s *Serve) Remove() error { return os.RemoveAll(s.Dir) }
