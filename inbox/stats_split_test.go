package inbox_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/benchdb"
)

// Statistics read a period in slices, one per core, and add the slices up. Whatever the
// number of slices, every figure of every grouping must come out the same, spam,
// assignments and tags included.
func TestStatsSameWhateverTheSlices(t *testing.T) {
	s := benchdb.Open(t, filepath.Join(t.TempDir(), "split.db"))
	benchdb.Ingest(t, s, 4000)
	ctx := context.Background()
	rows, err := s.Queue(ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: 60})
	if err != nil || len(rows) < 60 {
		t.Fatal(err, len(rows))
	}
	for i, r := range rows {
		switch i % 3 {
		case 0:
			err = s.Spam(ctx, r.ID)
		case 1:
			err = s.Assign(ctx, "dev", r.ID)
		case 2:
			err = s.Tag(ctx, "billing", r.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, by := range append([]string{""}, inbox.GroupKeys...) {
		for _, query := range []string{"", "channel:x", "assignee:dev", "tag:billing", "refund"} {
			req := inbox.StatsRequest{Since: benchdb.End.Add(-40 * 24 * time.Hour), Until: benchdb.End, By: by, Query: query}
			var want string
			for _, procs := range []int{1, 2, 3, 7} {
				runtime.GOMAXPROCS(procs)
				st, err := s.Stats(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := json.Marshal(st)
				if procs == 1 {
					want = string(got)
					if st.Inbound == 0 && query == "" {
						t.Fatalf("by %q: no messages in the period; the test would prove nothing", by)
					}
					continue
				}
				if string(got) != want {
					t.Errorf("by %q query %q: %d slices give\n%s\none gives\n%s", by, query, procs, got, want)
				}
			}
		}
	}
}
