//go:build linux

package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// readyTimeout is how long a started server has to accept connections.
const readyTimeout = 30 * time.Second

// server is one throwaway cluster: its folder, its postmaster and an admin
// connection to its postgres database.
type server struct {
	dir    string // removed by stop; holds data/, postgres.log and owner.pid
	port   int
	pid    int           // the postmaster's
	exited chan struct{} // closed once the postmaster has exited and been reaped
	admin  *sql.DB
}

// url is the connection URL of database name on s.
func (s *server) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// startServer runs initdb and starts postgres, and returns once the server
// accepts connections.
//
// All child processes are started from one goroutine locked to its OS thread
// that lives as long as the server: Linux sends the parent-death signal when
// the thread that forked the child exits, not the process, and the Go runtime
// ends a thread when a goroutine locked to it returns. Forking from a test's
// goroutine would let a test that locked its thread take the server with it.
func startServer() (*server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	sweepStale()
	dir, err := makeDir(cred)
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir}
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the server
		err := s.run(bin, cred)
		ready <- err
		if err == nil {
			<-s.exited // keep the server's parent thread alive as long as the server
		}
	}()
	if err := <-ready; err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// run runs initdb, then starts postgres until it accepts connections; a port
// taken by someone else between freePort and postgres's bind gets two more
// tries. It runs on the server's locked thread.
func (s *server) run(bin string, cred *syscall.Credential) error {
	data := filepath.Join(s.dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"),
		"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = procAttr(cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb in %s: %w\n%s", data, err, lastLines(string(out), 15))
	}
	for attempt := 1; ; attempt++ {
		err := s.startPostgres(bin, data, cred)
		if err == nil {
			err = s.waitReady()
		}
		if err == nil {
			return nil
		}
		s.kill()
		if attempt == 3 || !strings.Contains(err.Error(), "Address already in use") {
			return err
		}
	}
}

// startPostgres starts the postmaster on a free port, logging to postgres.log.
func (s *server) startPostgres(bin, data string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logFile, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", data, "-p", strconv.Itoa(port), "-k", "",
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = procAttr(cred)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.port, s.pid, s.exited = port, cmd.Process.Pid, exited
	return nil
}

// waitReady polls the server until it answers, it exits, or readyTimeout passes.
func (s *server) waitReady() error {
	db, err := sql.Open("pgx", s.url("postgres"))
	if err != nil {
		return fmt.Errorf("open admin connection: %w", err)
	}
	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			s.admin = db
			return nil
		}
		select {
		case <-s.exited:
			db.Close()
			return fmt.Errorf("postgres exited before accepting connections:\n%s", s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			db.Close()
			return fmt.Errorf("postgres not accepting connections on port %d after %v: %v\n%s",
				s.port, readyTimeout, err, s.logTail())
		}
	}
}

// stop ends the server and removes its folder.
func (s *server) stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	s.kill()
	_ = os.RemoveAll(s.dir)
}

// kill ends the postmaster at once (SIGQUIT: immediate shutdown, nothing to
// keep; SIGKILL if that takes over 5 s) and waits until it is gone.
func (s *server) kill() {
	if s.pid <= 0 {
		return
	}
	_ = syscall.Kill(s.pid, syscall.SIGQUIT)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(s.pid, syscall.SIGKILL)
		<-s.exited
	}
	s.pid = 0
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	return lastLines(string(b), 15)
}

// findBinaries returns the folder holding initdb and postgres: pg_config's
// bindir, else the newest /usr/lib/postgresql/*/bin (Debian), else PATH.
func findBinaries() (string, error) {
	var tried []string
	has := func(dir string) bool {
		tried = append(tried, dir)
		for _, name := range []string{"initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		// Debian's pg_config may come from libpq-dev without a server.
		if dir := strings.TrimSpace(string(out)); dir != "" && has(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	newest, newestVersion := "", -1.0
	for _, dir := range dirs {
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		if err == nil && v > newestVersion && has(dir) {
			newest, newestVersion = dir, v
		}
	}
	if newest != "" {
		return newest, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	looked := ""
	if len(tried) > 0 {
		looked = "; looked in " + strings.Join(tried, ", ")
	}
	return "", fmt.Errorf("PostgreSQL not found: install Debian's postgresql "+
		"(initdb and postgres not in pg_config --bindir, /usr/lib/postgresql/*/bin or PATH%s)", looked)
}

// credential is the user the cluster runs as: nil (this process's user), or
// Debian's postgres user when running as root, which initdb and postgres refuse.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses root, but there is no postgres user to run it as (Debian's postgresql package creates one): %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user postgres: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// procAttr runs a child as cred and kills it when the thread that started it
// exits, which for the server's children means with the test process.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
}

// dirPrefix names the clusters' folders; sweepStale looks for it.
const dirPrefix = "triage-pgtest-"

// makeDir creates the cluster's folder, owned by cred's user when set. As root
// it goes directly under /tmp, so the postgres user can reach it whatever
// TMPDIR points at.
func makeDir(cred *syscall.Credential) (string, error) {
	parent := os.TempDir()
	if cred != nil {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, dirPrefix)
	if err != nil {
		return "", fmt.Errorf("make cluster folder: %w", err)
	}
	err = os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644)
	if err == nil && cred != nil {
		err = os.Chown(dir, int(cred.Uid), int(cred.Gid))
	}
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("prepare cluster folder %s: %w", dir, err)
	}
	return dir, nil
}

// sweepStale removes the folders of clusters whose test process has died
// without calling Main (its server died with it); a cluster weighs ~40 MB.
func sweepStale() {
	for _, parent := range []string{os.TempDir(), "/tmp"} {
		dirs, _ := filepath.Glob(filepath.Join(parent, dirPrefix+"*"))
		for _, dir := range dirs {
			b, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
			if err != nil {
				continue
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err == nil && pid > 0 && !alive(pid) {
				_ = os.RemoveAll(dir)
			}
		}
	}
}

// alive reports whether process pid exists and is not a zombie (a container
// whose init does not reap leaves zombies, and signalling one succeeds).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !os.IsNotExist(err)
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
