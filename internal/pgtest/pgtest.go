// Package pgtest gives tests a fresh PostgreSQL database on a throwaway cluster.
//
// The first call to URL in a test process runs initdb in a temporary folder and
// starts a postgres server on a random loopback port (trust auth, fsync off: it
// holds nothing worth keeping). Every later call in the same process reuses
// that server and only creates a new, empty database, which costs milliseconds
// where a cluster costs seconds. When running as root, initdb and postgres run
// as Debian's `postgres` user, since both refuse root.
//
// The server dies with the test process: it is started with a parent-death
// signal (SIGKILL), so even a crashed or killed test binary leaves no server
// behind. A package that uses pgtest should also stop the server and remove its
// folder after its last test, from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without PostgreSQL installed, URL skips the test and says why; when the
// environment variable CI is set, it fails the test instead, so CI never passes
// by skipping.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	once      sync.Once
	shared    *server
	sharedErr error
	dbSeq     atomic.Int64
)

// start starts the process's cluster on first use and returns it, or the
// reason it could not start; the outcome is cached, so a missing or broken
// PostgreSQL costs one attempt per process, not one per test.
func start() (*server, error) {
	once.Do(func() { shared, sharedErr = startServer() })
	return shared, sharedErr
}

// Available starts the process's cluster if it is not running yet and reports
// whether it runs; when it does not, the string says why. Benchmarks and
// helpers that want to decide before calling URL use it.
func Available() (bool, string) {
	if _, err := start(); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// URL returns a postgres:// URL of a new, empty database that belongs to this
// test alone, for sql.Open("pgx", url) with github.com/jackc/pgx/v5/stdlib
// imported. The database is dropped when the test ends. If PostgreSQL cannot
// run here, URL fails the test when CI is set and skips it otherwise.
func URL(tb testing.TB) string {
	tb.Helper()
	s, err := start()
	if err != nil {
		unavailable(tb, err)
	}
	name := fmt.Sprintf("t%04d_%s", dbSeq.Add(1), identPart(tb.Name()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE ends sessions the test left open; a failed drop costs only disk
		// on a cluster that is about to go.
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// unavailable fails the test under CI and skips it elsewhere, with the reason.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Skipf("pgtest: %v", err)
}

// Main runs the package's tests, then stops the cluster (if one was started)
// and removes its folder; it returns m.Run's exit code. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	return code
}

// identPart turns a test name into a lowercase SQL identifier fragment short
// enough that a database name stays within PostgreSQL's 63 bytes.
func identPart(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}
