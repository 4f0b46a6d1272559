package soaktest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
	"github.com/triage-inbox/triage/ui"
	_ "modernc.org/sqlite" // the checks read the database directly
)

const soakConfig = `
agent = "maria"
agents = ["maria", "dev"]

[escalation]
reasons = ["billing", "bug"]
`

// openInbox opens the database file as a process of its own would: its own pool.
func openInbox(t *testing.T, path, agent string) *inbox.Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg, err := inbox.ParseConfig("soak", soakConfig)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := inbox.New(ctx, db, cfg, inbox.WithAgent(agent))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// feed is a channel that has something new on every fetch, a third of it in
// conversations it has already started, and takes every reply.
type feed struct {
	mu    sync.Mutex
	next  int
	posts int
}

func (f *feed) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Idempotent: true}
}

func (f *feed) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, _ := strconv.Atoi(cursor)
	var b adapters.Batch
	for i := n + 1; i <= n+3; i++ {
		b.Messages = append(b.Messages, feedMessage(i))
	}
	b.Cursor = strconv.Itoa(n + 3)
	f.next = n + 3
	return b, nil
}

func (f *feed) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts++
	return "r-" + out.Key, nil
}

func feedMessage(i int) inbox.Message {
	conv := i
	if i%3 == 0 {
		conv = i / 3 // back to an earlier conversation
	}
	return inbox.Message{Channel: "mastodon", Account: "@acme", ID: fmt.Sprintf("m%d", i), Conversation: fmt.Sprintf("c%d", conv),
		Kind: inbox.KindMention, Author: &inbox.Author{ID: fmt.Sprintf("u%d", conv%50), Handle: fmt.Sprintf("@user%d", conv%50), Name: "Ana Ruiz"},
		Text: fmt.Sprintf("where is order %d?", i), CreatedAt: time.Now().Add(-time.Minute)}
}

// lockedLog keeps what the engine logs, to look for lock errors in it.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// person is one UI and what its script did.
type person struct {
	agent    string
	d        *driver
	gesture  string         // the gesture being played, which the reports are counted under
	ok       map[string]int // successful actions per gesture
	errs     []string       // every error the UI reported
	gestures map[string]int // gestures played
	screens  []string       // footers that mention a lock, with the gesture
	tags     int            // tags created, each new, so each is one audit event
}

func (p *person) observe(msg tea.Msg) {
	kind, text, err, ok := uiReport(msg)
	if !ok {
		return
	}
	if err != nil {
		p.errs = append(p.errs, fmt.Sprintf("%s during %s: %v", kind, p.gesture, err))
		return
	}
	if kind == "actionMsg" && p.gesture != "" && !strings.Contains(text, "snoozed conversations are back") {
		p.ok[p.gesture]++
	}
}

var gestureNames = []string{"down", "up", "done", "tag", "escalate", "snooze", "assign", "undo", "reply", "note"}

// play does one gesture chosen by rng and waits for it to settle.
func (p *person) play(rng *rand.Rand) error {
	g := gestureNames[rng.IntN(len(gestureNames))]
	p.gesture = g
	p.gestures[g]++
	d := p.d
	switch g {
	case "down":
		d.key("j")
	case "up":
		d.key("k")
	case "done":
		d.key("d")
	case "tag":
		p.tags++
		d.key("t")
		if err := d.settle(30 * time.Second); err != nil {
			return err
		}
		d.typ(fmt.Sprintf("%s-%d", p.agent, p.tags))
		if err := d.settle(30 * time.Second); err != nil {
			return err
		}
		d.key("enter")
	case "escalate":
		d.key("e")
		if err := d.settle(30 * time.Second); err != nil {
			return err
		}
		d.key("ctrl+s")
	case "snooze":
		d.key("s")
		d.key("enter")
	case "assign":
		d.key("a")
		if err := d.settle(30 * time.Second); err != nil {
			return err
		}
		d.key("enter")
	case "undo":
		d.key("u")
	case "reply", "note":
		d.key(g[:1])
		if err := d.settle(30 * time.Second); err != nil {
			return err
		}
		d.typ(fmt.Sprintf("%s from %s %d", g, p.agent, rng.IntN(1000)))
		if err := d.settle(30 * time.Second); err != nil {
			return err
		}
		d.key("ctrl+s")
	}
	if err := d.settle(30 * time.Second); err != nil {
		return fmt.Errorf("%s: %w", g, err)
	}
	screen := d.screen()
	if lockWords(screen) {
		p.screens = append(p.screens, g+": "+lastLine(screen))
	}
	// A dialog left open (nothing to act on, a refused action) is closed as a person would.
	for range 3 {
		if !strings.Contains(screen, "esc") || !dialogOpen(screen) {
			break
		}
		d.key("esc")
		if err := d.settle(30 * time.Second); err != nil {
			return err
		}
		screen = d.screen()
	}
	return nil
}

// dialogOpen tells a dialog on screen by its frame's corner.
func dialogOpen(screen string) bool {
	return strings.Contains(screen, "╭") || strings.Contains(screen, "┌")
}

func lockWords(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "locked") || strings.Contains(s, "busy")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func TestTwoUIsAndASync(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	seconds := envInt("SOAK_SECONDS", 10)
	seed := envInt("SOAK_SEED", 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "triage.db")

	syncSvc := openInbox(t, path, "sync")
	var seedMsgs []inbox.Message
	for i := 1; i <= 300; i++ {
		seedMsgs = append(seedMsgs, feedMessage(-i)) // negative ids: never fetched again
	}
	if _, err := syncSvc.IngestMessages(ctx, seedMsgs...); err != nil {
		t.Fatal(err)
	}
	ch := &feed{}
	var engineLog lockedLog
	eng := engine.New(syncSvc, []engine.Account{{Name: "masto", Channel: "mastodon", Handle: "@acme", Poll: 150 * time.Millisecond, Adapter: ch}},
		engine.Options{Log: slog.New(slog.NewTextHandler(&engineLog, &slog.HandlerOptions{Level: slog.LevelError}))})
	engineDone := make(chan error, 1)
	go func() { engineDone <- eng.Run(ctx) }()

	people := []*person{{agent: "maria"}, {agent: "dev"}}
	var wg sync.WaitGroup
	runErrs := make([]error, len(people))
	stop := time.Now().Add(time.Duration(seconds) * time.Second)
	for i, p := range people {
		p.ok, p.gestures = map[string]int{}, map[string]int{}
		svc := openInbox(t, path, p.agent)
		c := &ui.Common{Ctx: ctx, Inbox: svc, Styles: ui.NewStyles(true), FixedTheme: true, Keys: ui.DefaultKeyMap(),
			Now: time.Now, Width: 120, Height: 35}
		p.d = newDriver(ui.New(c), p.observe)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
			if err := p.d.settle(30 * time.Second); err != nil {
				runErrs[i] = err
				return
			}
			for time.Now().Before(stop) {
				if err := p.play(rng); err != nil {
					runErrs[i] = fmt.Errorf("%s: %w", p.agent, err)
					return
				}
			}
			// The log screen, as a person would read it.
			p.gesture = ""
			p.d.key("L")
			if lockWords(p.d.screen()) {
				p.screens = append(p.screens, "log screen:\n"+p.d.screen())
			}
		}()
	}
	wg.Wait()
	cancel()
	if err := <-engineDone; err != nil {
		t.Errorf("engine: %v", err)
	}
	if err := errors.Join(runErrs...); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	var msgs, sent int
	raw.QueryRow("SELECT count(*) FROM messages").Scan(&msgs)
	raw.QueryRow("SELECT count(*) FROM outbox WHERE status = 'sent'").Scan(&sent)
	t.Logf("seed %d, %d s: %d messages stored (%d fetched by sync), %d replies sent by sync", seed, seconds, msgs, ch.next, sent)
	if l := engineLog.String(); lockWords(l) {
		t.Errorf("the engine logged a lock error:\n%s", l)
	} else if l != "" {
		t.Logf("engine log:\n%s", l)
	}

	for _, p := range people {
		audit := map[string]int{}
		rows, err := raw.Query("SELECT action, count(*) FROM audit WHERE actor = ? GROUP BY action", p.agent)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a string
			var n int
			rows.Scan(&a, &n)
			audit[a] = n
		}
		rows.Close()
		t.Logf("%s: gestures %v", p.agent, sorted(p.gestures))
		t.Logf("%s: successful actions %v", p.agent, sorted(p.ok))
		t.Logf("%s: audit events %v", p.agent, sorted(audit))
		for _, e := range p.errs {
			if lockWords(e) {
				t.Errorf("%s saw a lock error: %s", p.agent, e)
			} else {
				t.Errorf("%s: an action failed: %s", p.agent, e)
			}
		}
		for _, s := range p.screens {
			t.Errorf("%s: a lock error on screen: %s", p.agent, s)
		}
		// One audit event for every action that always changes something.
		for g, a := range map[string]string{"reply": "reply", "note": "note", "tag": "tag", "escalate": "escalate"} {
			if audit[a] != p.ok[g] {
				t.Errorf("%s: %d successful %s actions, %d %q audit events", p.agent, p.ok[g], g, audit[a], a)
			}
		}
		if audit["undo"] < p.ok["undo"] {
			t.Errorf("%s: %d undos, only %d undo audit events", p.agent, p.ok["undo"], audit["undo"])
		}
		// done, snooze and assign change nothing (and record nothing) when the other person
		// got there first; each records at most one event, as do escalate and reply (their
		// state change) and escalate (its priority).
		if audit["state"] > p.ok["done"]+p.ok["snooze"]+p.ok["escalate"]+p.ok["reply"] || audit["assign"] > p.ok["assign"] ||
			audit["priority"] > p.ok["escalate"] {
			t.Errorf("%s: more state or assign events than actions", p.agent)
		}
		if p.ok["done"]+p.ok["snooze"] > 0 && audit["state"] == 0 {
			t.Errorf("%s: state actions but no state events", p.agent)
		}
		total := 0
		for _, n := range p.ok {
			total += n
		}
		if total == 0 {
			t.Errorf("%s: no action succeeded", p.agent)
		}
	}
}

func sorted(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, m[k])
	}
	return strings.TrimSpace(b.String())
}
