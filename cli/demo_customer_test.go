package cli

import (
	"cmp"
	"context"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// demoCustomer is how the queue begins to name the first customer of the Inbox view of
// the demo inbox at db as it stands at now (six characters, which even a narrow column
// keeps): a test that waits for the demo's queue to be drawn from the database waits for
// it, whatever the demo holds.
func demoCustomer(t *testing.T, db string, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg, err := inbox.ParseConfig("demo", demo.ConfigTOML())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := inbox.New(ctx, st, cfg, inbox.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := svc.Queue(ctx, inbox.QueuePage{View: inbox.BuiltinViews[0], Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("the demo's Inbox: %v, %v", rows, err)
	}
	name := []rune(cmp.Or(rows[0].AuthorName, rows[0].AuthorHandle))
	return string(name[:min(6, len(name))])
}
