package inbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/benchdb"
	"github.com/triage-inbox/triage/internal/pgtest"
)

// The benchmarks and the test of imports on both engines use pgtest's throwaway cluster,
// which the package's TestMain (live_postgres_test.go) stops after the last of them.

// emptyOn is where a new, empty database on engine is.
func emptyOn(tb testing.TB, engine string) string {
	tb.Helper()
	if engine != "postgres" {
		return filepath.Join(tb.TempDir(), "triage.db")
	}
	if ok, why := pgtest.Available(); !ok {
		tb.Skipf("PostgreSQL needs a local PostgreSQL (pgtest): %s", why)
	}
	return pgtest.URL(tb)
}

// The same JSON Lines imported through the bulk load on SQLite and on PostgreSQL (COPY)
// give the same queue, page by page and view by view, the same search results and counts,
// and the same stats.
func TestBulkImportSameOnBothEngines(t *testing.T) {
	var jsonl bytes.Buffer
	enc := json.NewEncoder(&jsonl)
	synth.Messages(4000, 1, benchdb.End, func(m inbox.Message) {
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	})
	ctx := context.Background()
	got := map[string]string{}
	for _, engine := range benchdb.Engines {
		s := benchdb.Open(t, emptyOn(t, engine))
		counts, err := s.Ingest(ctx, false, func(b *inbox.Batch) error {
			if err := b.BulkLoad(); err != nil {
				return err
			}
			return s.PrepareJSONL(ctx, bytes.NewReader(jsonl.Bytes()), "synth.jsonl", func(pl inbox.PreparedLine) error {
				if pl.Err != nil {
					return pl.Err
				}
				_, err := b.AddPrepared(pl.Msg)
				return err
			})
		})
		if err != nil {
			t.Fatalf("%s: import: %v", engine, err)
		}
		got[engine] = fmt.Sprintf("%+v\n", counts) + inboxReport(t, s)
	}
	if got["sqlite"] != got["postgres"] {
		t.Errorf("the same import differs between the engines:\n%s", lineDiff(got["sqlite"], got["postgres"]))
	}
	if !strings.Contains(got["sqlite"], "refund") {
		t.Error("no search found anything; the test would prove nothing")
	}
}

// inboxReport is every page of every built-in view and of All, searches as typed and
// as a whole, their counts, and stats, one line a row.
func inboxReport(t *testing.T, s *inbox.Service) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	views := append(append([]inbox.View{}, inbox.BuiltinViews...), inbox.View{Name: "All"})
	for _, v := range views {
		for _, q := range []struct {
			text string
			live bool
		}{{"", false}, {"refund", false}, {"ref", true}, {"where is my", true}, {"kettle broke", false}, {"zzzq", true}} {
			var after *inbox.QueueKey
			for page := 0; ; page++ {
				rows, err := s.Queue(ctx, inbox.QueuePage{View: v, Query: q.text, Live: q.live, After: after, Limit: 97})
				if err != nil {
					t.Fatalf("view %s, query %q: %v", v.Name, q.text, err)
				}
				for _, r := range rows {
					fmt.Fprintf(&b, "%s %q page %d: %+v\n", v.Name, q.text, page, r)
				}
				if len(rows) < 97 {
					break
				}
				k := rows[len(rows)-1].Key
				after = &k
			}
			n, err := s.CountUpTo(ctx, v, q.text, q.live, 100_000)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %q count %d\n", v.Name, q.text, n)
		}
	}
	for _, req := range []inbox.StatsRequest{
		{Since: benchdb.End.Add(-61 * 24 * time.Hour), Until: benchdb.End},
		{Since: benchdb.End.Add(-30 * 24 * time.Hour), Until: benchdb.End, By: "channel"},
		{Since: benchdb.End.Add(-7 * 24 * time.Hour), Until: benchdb.End, By: "kind", Query: "refund"},
	} {
		st, err := s.Stats(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(st)
		fmt.Fprintf(&b, "stats %s\n", js)
	}
	return b.String()
}

// lineDiff shows the first lines where a and b differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	shown := 0
	for i := 0; i < max(len(al), len(bl)) && shown < 8; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "line %d\n  sqlite:   %s\n  postgres: %s\n", i+1, x, y)
			shown++
		}
	}
	return out.String()
}
