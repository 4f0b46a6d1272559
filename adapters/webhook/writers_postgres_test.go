package webhook_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/pgtest"
	"github.com/triage-inbox/triage/store"
)

// On PostgreSQL several writers store requests side by side. Requests whose messages
// span conversations reach different writers for the same conversation: every message
// is stored once, and each conversation's queue columns count all of its messages, as
// one writer would have.
func TestGroupCommitWritersSideBySideOnPostgres(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := inbox.New(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := db.IngestWriters(); n < 2 {
		t.Fatalf("PostgreSQL runs %d ingest transactions at once, want several", n)
	}
	g := webhook.NewGroupCommit(svc, webhook.GroupCommitOptions{Writers: db.IngestWriters()})
	defer g.Close()
	srv := httptest.NewServer(webhook.Handler(g, secret, webhook.HandlerOptions{}))
	defer srv.Close()

	const clients, each, convs = 12, 20, 7
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	// Each request: a customer's comment in one conversation and the brand's reply in
	// another, at times that interleave with other clients' requests, so a reply often
	// answers comments another writer is storing at that moment.
	type sent struct {
		conv int
		out  bool
		at   int64
	}
	var all []sent
	var mu sync.Mutex
	msg := func(c, i, j int) string {
		k := (c + i + 3*j) % convs
		at := base.Add(time.Duration(i*60+c*5-j*150) * time.Second)
		mu.Lock()
		all = append(all, sent{k, j == 1, at.UnixMilli()})
		mu.Unlock()
		if j == 1 {
			return fmt.Sprintf(`{"channel":"webhook","account":"relay","id":"m-%d-%d-%d","kind":"comment","conversation":"conv-%d",`+
				`"direction":"out","agent":"ana","text":"on it","created_at":%q}`, c, i, j, k, at.Format(time.RFC3339))
		}
		return fmt.Sprintf(`{"channel":"webhook","account":"relay","id":"m-%d-%d-%d","kind":"comment","conversation":"conv-%d",`+
			`"author":{"id":"p%d","name":"Person %d"},"text":"hi","created_at":%q}`, c, i, j, k, k, k, at.Format(time.RFC3339))
	}
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				body := "[" + msg(c, i, 0) + "," + msg(c, i, 1) + "]"
				if got, err := postSigned(srv, body); err != nil || !strings.Contains(got, `"new":2`) {
					errs <- fmt.Sprintf("client %d request %d: %v %s", c, i, err, got)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if ids := stored(t, svc); len(ids) != clients*each*2 {
		t.Errorf("stored %d messages, want %d", len(ids), clients*each*2)
	}
	// By hand: a comment waits when no reply in its conversation is as late.
	type want struct {
		unanswered int
		since      int64
	}
	wants := map[string]want{}
	for _, m := range all {
		if m.out {
			continue
		}
		answered := false
		for _, o := range all {
			answered = answered || o.out && o.conv == m.conv && o.at >= m.at
		}
		w := wants[fmt.Sprint("Person ", m.conv)]
		if !answered {
			if w.unanswered == 0 || m.at < w.since {
				w.since = m.at
			}
			w.unanswered++
		}
		wants[fmt.Sprint("Person ", m.conv)] = w
	}
	rows, err := svc.Queue(ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != convs {
		t.Fatalf("%d conversations, want %d", len(rows), convs)
	}
	waiting := 0
	for _, r := range rows {
		w, ok := wants[r.AuthorName]
		if !ok || r.Unanswered != w.unanswered || w.unanswered > 0 && r.SinceAt != w.since {
			t.Errorf("%s: %d unanswered since %d, want %+v", r.AuthorName, r.Unanswered, r.SinceAt, w)
		}
		waiting += w.unanswered
	}
	if waiting == 0 {
		t.Error("every comment is answered: the test checks nothing of what waits")
	}
}
