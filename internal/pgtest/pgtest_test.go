//go:build linux

package pgtest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// init keeps the main goroutine on the main thread, so the goroutines of
// TestServerOutlivesStartingThread run on other threads: the runtime ends
// those when a goroutine locked to one returns, but only wedges the main one.
func init() { runtime.LockOSThread() }

// open connects to a database from URL and closes it when the test ends.
func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestVersionIsPostgreSQL(t *testing.T) {
	db := open(t, URL(t))
	var version string
	if err := db.QueryRow("SELECT version()").Scan(&version); err != nil {
		t.Fatalf("select version(): %v", err)
	}
	if !strings.HasPrefix(version, "PostgreSQL ") {
		t.Fatalf("version() = %q, want PostgreSQL …", version)
	}
	t.Log(version)
}

func TestDatabasesAreDistinctAndEmpty(t *testing.T) {
	urlA, urlB := URL(t), URL(t)
	if urlA == urlB {
		t.Fatalf("URL returned the same database twice: %s", urlA)
	}
	a, b := open(t, urlA), open(t, urlB)
	for _, db := range []*sql.DB{a, b} {
		var n int
		err := db.QueryRow("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n)
		if err != nil || n != 0 {
			t.Fatalf("a new database has %d tables (err %v), want 0", n, err)
		}
	}
	if _, err := a.Exec("CREATE TABLE only_in_a (id int)"); err != nil {
		t.Fatalf("create table in a: %v", err)
	}
	if _, err := a.Exec("INSERT INTO only_in_a VALUES (1)"); err != nil {
		t.Fatalf("insert in a: %v", err)
	}
	if _, err := b.Exec("SELECT * FROM only_in_a"); err == nil {
		t.Fatal("a table made in database a is visible in database b")
	}
}

// TestParallelSubtests: the server started by the first URL call still serves
// tests that run later and in parallel, on other goroutines and threads.
func TestParallelSubtests(t *testing.T) {
	for i := range 6 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			db := open(t, URL(t))
			if _, err := db.Exec("CREATE TABLE t (n int)"); err != nil {
				t.Fatalf("create table: %v", err)
			}
			if _, err := db.Exec("INSERT INTO t VALUES ($1)", i); err != nil {
				t.Fatalf("insert: %v", err)
			}
			var n int
			if err := db.QueryRow("SELECT sum(n) FROM t").Scan(&n); err != nil || n != i {
				t.Fatalf("sum = %d (err %v), want %d", n, err, i)
			}
		})
	}
}

// TestServerOutlivesStartingThread: a server started from a goroutine that
// locks its thread and returns (so the runtime ends that thread) keeps
// running; a parent-death signal tied to that thread would have killed it.
func TestServerOutlivesStartingThread(t *testing.T) {
	if ok, why := Available(); !ok {
		unavailable(t, fmt.Errorf("%s", why))
	}
	t.Parallel()
	type result struct {
		s      *server
		err    error
		onMain bool
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		s, err := startServer()
		done <- result{s, err, syscall.Gettid() == syscall.Getpid()}
	}()
	r := <-done
	if r.err != nil {
		t.Fatalf("start a second server: %v", r.err)
	}
	if r.onMain {
		r.s.stop()
		t.Fatal("the starting goroutine ran on the main thread, which never exits: the test proves nothing")
	}
	defer r.s.stop()
	time.Sleep(300 * time.Millisecond) // let the runtime end the thread
	select {
	case <-r.s.exited:
		t.Fatal("the server died with the thread of the goroutine that started it")
	default:
	}
	if err := r.s.admin.Ping(); err != nil {
		t.Fatalf("ping the server after its starter's thread ended: %v", err)
	}
}

// TestServerDiesWithTestProcess starts a test process that starts a cluster,
// kills it with SIGKILL (no cleanup runs), and checks the postmaster goes too.
func TestServerDiesWithTestProcess(t *testing.T) {
	if ok, why := Available(); !ok {
		unavailable(t, fmt.Errorf("%s", why))
	}
	t.Parallel()
	child := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	child.Env = append(os.Environ(), "PGTEST_HELPER_PROCESS=1")
	child.Stderr = os.Stderr
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatalf("start helper process: %v", err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()

	var pid int
	var dir string
	lines := bufio.NewScanner(stdout)
	for pid == 0 && lines.Scan() {
		fmt.Sscanf(lines.Text(), "postmaster %d %s", &pid, &dir)
	}
	if pid == 0 {
		t.Fatalf("helper process printed no postmaster pid (scan error %v)", lines.Err())
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if !alive(pid) {
		t.Fatalf("postmaster %d is not running while its test process lives", pid)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill helper process: %v", err)
	}
	_ = child.Wait()
	for deadline := time.Now().Add(5 * time.Second); alive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("postmaster %d still runs 5 s after its test process was killed", pid)
		}
	}
}

// TestHelperProcess is the test process TestServerDiesWithTestProcess kills:
// it starts its cluster, prints the postmaster's pid and folder, and waits.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("PGTEST_HELPER_PROCESS") != "1" {
		t.Skip("helper for TestServerDiesWithTestProcess")
	}
	db := open(t, URL(t))
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	fmt.Printf("postmaster %d %s\n", shared.pid, shared.dir)
	time.Sleep(time.Minute) // killed long before
}
