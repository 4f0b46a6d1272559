// Package benchdb opens the databases benchmarks run on: an empty one, and a cached one of
// 1M synthetic messages (adapters/synth, seed 1) that the inbox and ui benchmarks share.
// It is test support, so it may reach across the layers.
package benchdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// End is the fixed "now" of the benchmark data and of the services opened over it.
var End = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// millionName is the cached database in os.TempDir(); change it whenever the generator or
// the schema changes, so an old file is not reused.
const millionName = "triage-bench-1m-v4.db"

// Open opens an inbox over path with the default config and the fixed clock, so opening a
// database built the same way recomputes nothing.
func Open(tb testing.TB, path string) *inbox.Service {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s, err := inbox.New(context.Background(), db, nil, inbox.WithClock(func() time.Time { return End }), inbox.WithAgent("maria"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Ingest stores n synthetic messages in batches of 10,000.
func Ingest(tb testing.TB, s *inbox.Service, n int) {
	tb.Helper()
	if _, err := synth.Ingest(context.Background(), s, n, 1, End, 10_000); err != nil {
		tb.Fatal(err)
	}
}

// Million opens the database of 1M messages (see Sized).
func Million(tb testing.TB) *inbox.Service { return Sized(tb, 1_000_000) }

// Sized opens a database of n messages, building it the first time into a file of its
// own and renaming it into place, so a run cut short or two packages benchmarked at once
// never see half a database.
func Sized(tb testing.TB, n int) *inbox.Service {
	tb.Helper()
	name := millionName
	if n != 1_000_000 {
		name = strings.Replace(millionName, "1m", strconv.Itoa(n), 1)
	}
	path := filepath.Join(os.TempDir(), name)
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		defer func() { os.Remove(tmp); os.Remove(tmp + "-wal"); os.Remove(tmp + "-shm") }()
		tb.Logf("building %s (%d messages, once)", path, n)
		s := Open(tb, tmp)
		Ingest(tb, s, n)
		if err := s.DB().Close(); err != nil {
			tb.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			tb.Fatal(err)
		}
	}
	return Open(tb, path)
}
