package team

import (
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/pgtest"
	"github.com/triage-inbox/triage/store"
	"github.com/triage-inbox/triage/ui"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// pgHost is one `triage team` host on the PostgreSQL database at url, wired as
// sharedInboxWith wires a host on a file: its own store handle, inbox and hub of live
// changes, and the screen of each session over them.
func pgHost(t *testing.T, url string) (*inbox.Service, func(*Session) (tea.Model, []tea.ProgramOption, error)) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, nil, inbox.WithClock(time.Now), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	hubCtx, stopHub := context.WithCancel(ctx)
	t.Cleanup(stopHub)
	hub := ui.RunHub(hubCtx, svc, testLog(t))
	return svc, func(sess *Session) (tea.Model, []tea.ProgramOption, error) {
		m, err := ui.NewSession(sess.Context(), svc, ui.SessionOptions{Agent: sess.Agent, Role: sess.Role, Theme: sess.Theme, Hub: hub})
		return m, nil, err
	}
}

// Two `triage team` hosts on one PostgreSQL database: dev, on the first, marks the one
// conversation done, and maria's screen on the second, untouched, shows the view empty
// within the second: from dev's key, through host 1's program and inbox, a commit with
// its notification, host 2's listener, hub and maria's program, to maria's terminal.
// Then the other way: a message that arrives through host 2 (as serve or sync there
// would write it) reaches dev's screen on host 1.
func TestPostgresActionReachesAScreenOnAnotherHost(t *testing.T) {
	url := pgtest.URL(t)
	svc1, programs1 := pgHost(t, url)
	svc2, programs2 := pgHost(t, url)
	ctx := context.Background()
	comment := func(id, conv, name, text string) inbox.Message {
		return inbox.Message{Channel: "facebook", Account: "106", ID: id, Conversation: conv, Kind: inbox.KindComment,
			Author: &inbox.Author{ID: "a-" + id, Name: name}, Text: text, CreatedAt: time.Now().Add(-time.Hour)}
	}
	if _, err := svc1.IngestMessages(ctx, comment("c1", "post:106_200", "Bea Costa", "Is this in stock?")); err != nil {
		t.Fatal(err)
	}
	maria, dev := newKey(t), newKey(t)
	team := []string{keyLine(`agent="maria",role="lead"`, maria), keyLine(`agent="dev"`, dev)}
	host1 := startServer(t, programs1, team...)
	host2 := startServer(t, programs2, team...)
	sd := connect(t, host1.addr, 120, 30, dev)
	sm := connect(t, host2.addr, 120, 30, maria)
	sd.WaitFor(t, "Bea Costa")
	sm.WaitFor(t, "Bea Costa")

	from, start := mark(sm), time.Now()
	press(t, sd, "d") // done, on dev's first row
	took := waitDrawn(t, sm, from, regexp.MustCompile(`empty`), start, liveLimit)
	t.Logf("dev's done on host 1 reached maria's screen on host 2 %v after dev's key", took.Round(time.Millisecond))

	from, start = mark(sd), time.Now()
	if _, err := svc2.IngestMessages(ctx, comment("c2", "post:106_201", "Ugo Neri", "Do you ship abroad?")); err != nil {
		t.Fatal(err)
	}
	took = waitDrawn(t, sd, from, regexp.MustCompile(`Ugo`), start, liveLimit)
	t.Logf("a message written through host 2 reached dev's screen on host 1 %v after it began", took.Round(time.Millisecond))
}
