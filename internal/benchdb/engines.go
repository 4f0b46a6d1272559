package benchdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/pgtest"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the database's own admin
)

// Engines are the engines a benchmark runs on, by the name of its sub-benchmarks.
var Engines = []string{"sqlite", "postgres"}

// SizedOn opens the database of n synthetic messages on engine: Sized's cached file on
// SQLite; on PostgreSQL a database of pgtest's cluster, built the first time the process
// asks and kept until the cluster stops (pgtest.Main), so the runs of -count share it.
// Without PostgreSQL the benchmark is skipped, with pgtest's reason.
//
// The PostgreSQL database is loaded by bulk import (BulkLoad: COPY, indexes built once),
// the SQLite file in batches of 10,000 without one; both give the same inbox
// (TestBulkImportSameOnBothEngines). Then VACUUM ANALYZE: what autovacuum does in the
// minute after an import, done at once so no run measures an inbox half vacuumed.
func SizedOn(tb testing.TB, engine string, n int) *inbox.Service {
	tb.Helper()
	if engine != "postgres" {
		return Sized(tb, n)
	}
	if ok, why := pgtest.Available(); !ok {
		tb.Skipf("PostgreSQL benchmarks need a local PostgreSQL (pgtest): %s", why)
	}
	pgMu.Lock()
	defer pgMu.Unlock()
	u, ok := pgBuilt[n]
	if !ok {
		var err error
		if u, err = buildPostgres(tb, n); err != nil {
			tb.Fatal(err)
		}
		pgBuilt[n] = u
	}
	return Open(tb, u)
}

var (
	pgMu    sync.Mutex
	pgBuilt = map[int]string{} // database URL by number of messages
)

// buildPostgres makes a database of its own beside the test's throwaway one (which goes
// with tb) and loads n messages into it.
func buildPostgres(tb testing.TB, n int) (string, error) {
	scratch := pgtest.URL(tb)
	admin, err := sql.Open("pgx", scratch)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	name := fmt.Sprintf("triage_bench_%d", n)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	pu, err := url.Parse(scratch)
	if err != nil {
		return "", err
	}
	pu.Path = "/" + name
	u := pu.String()
	s := Open(tb, u)
	start := time.Now()
	if _, err := BulkImport(context.Background(), s, n); err != nil {
		return "", err
	}
	loaded := time.Since(start)
	if err := s.DB().Close(); err != nil {
		return "", err
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM ANALYZE"); err != nil {
		return "", fmt.Errorf("vacuum %s: %w", name, err)
	}
	tb.Logf("built %s: %d messages imported in %v (%.0f msgs/s), vacuumed in %v", name, n,
		loaded.Round(time.Millisecond), float64(n)/loaded.Seconds(), (time.Since(start) - loaded).Round(time.Millisecond))
	return u, nil
}

// BulkImport stores n synthetic messages (seed 1, ending at End) as `triage import` does:
// one transaction, a bulk load, messages prepared on another goroutine ahead of storing.
func BulkImport(ctx context.Context, s *inbox.Service, n int) (inbox.IngestCounts, error) {
	return s.Ingest(ctx, false, func(b *inbox.Batch) error {
		if err := b.BulkLoad(); err != nil {
			return err
		}
		return s.PrepareMessages(ctx, func(yield func(int, inbox.Message, *inbox.LineError) error) error {
			var err error
			line := 0
			synth.Messages(n, 1, End, func(m inbox.Message) {
				if err == nil {
					line++
					err = yield(line, m, nil)
				}
			})
			return err
		}, func(pl inbox.PreparedLine) error {
			if pl.Err != nil {
				return pl.Err
			}
			_, err := b.AddPrepared(pl.Msg)
			return err
		})
	})
}
