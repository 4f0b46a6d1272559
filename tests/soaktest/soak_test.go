package soaktest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
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

// TestTwoUIsAndASync runs two UIs (maria and dev, each a scripted ui.Model) and the sync
// engine as three processes of their own on one database file, as people run triage:
// this test binary started again once per role (see TestSoakWorker). The test keeps the
// channel's server, to count every post, and checks the database once all have ended.
func TestTwoUIsAndASync(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	seconds := envInt("SOAK_SECONDS", 10)
	seed := envInt("SOAK_SEED", 1)
	path := filepath.Join(t.TempDir(), "triage.db")
	seedSoak(t, path)
	feed := newFeedServer()
	defer feed.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second+5*time.Minute)
	defer cancel()

	env := []string{envDB + "=" + path, envSeed + "=" + strconv.Itoa(seed)}
	syncer := startWorker(t, ctx, "sync", seconds, append(env, envFeed+"="+feed.URL)...)
	until := time.Now().Add(time.Duration(seconds) * time.Second)
	var uis []*worker
	for _, agent := range soakAgents {
		uis = append(uis, startWorker(t, ctx, agent, seconds, append(env, envUntil+"="+strconv.FormatInt(until.UnixMilli(), 10))...))
	}
	reports := map[string]workerReport{}
	for _, w := range uis {
		rep, err := w.wait()
		if err != nil {
			t.Error(err)
			continue
		}
		reports[w.role] = rep
	}
	syncer.stop() // the sync runs until both people are done, as before
	syncRep, err := syncer.wait()
	if err != nil {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
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
	checkSync(t, raw, feed, syncer.pid, syncRep, seed, seconds)
	for _, w := range uis {
		checkPerson(t, raw, w.pid, reports[w.role])
	}
}

// seedSoak makes the database with 300 conversations' first messages and closes it, so the
// processes find the schema in place.
func seedSoak(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg, err := inbox.ParseConfig("soak", soakConfig)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := inbox.New(ctx, db, cfg, inbox.WithAgent("sync"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []inbox.Message
	for i := 1; i <= 300; i++ {
		msgs = append(msgs, feedMessage(-i)) // negative ids: never fetched again
	}
	if _, err := svc.IngestMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// checkSync checks the sync process and the channel: nothing locked in its log, and every
// reply posted once at most — exactly once when the outbox says sent, never one that the
// outbox does not hold.
func checkSync(t *testing.T, raw *sql.DB, feed *feedServer, pid int, rep workerReport, seed, seconds int) {
	fetched, posts, total := feed.figures()
	var msgs int
	raw.QueryRow("SELECT count(*) FROM messages").Scan(&msgs)
	outbox := map[string]string{} // key -> status
	remote := map[string]string{} // key -> remote id
	rows, err := raw.Query("SELECT idempotency_key, status, remote_id FROM outbox WHERE kind = 'reply'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, st, r string
		rows.Scan(&k, &st, &r)
		outbox[k], remote[k] = st, r
	}
	rows.Close()
	status := map[string]int{}
	for k, st := range outbox {
		status[st]++
		switch n := posts[k]; {
		case n > 1:
			t.Errorf("reply %s was posted %d times", k, n)
		case st == "sent" && (n != 1 || remote[k] != "r-"+k):
			t.Errorf("reply %s is sent as %q but was posted %d times", k, remote[k], n)
		}
	}
	for k := range posts {
		if _, ok := outbox[k]; !ok {
			t.Errorf("the channel got a reply with key %s that the outbox does not hold", k)
		}
	}
	t.Logf("seed %d, %d s: sync (pid %d, %.1f s) fetched %d messages; %d messages stored; outbox %s; %d reply posts reached the channel for %d keys",
		seed, seconds, pid, rep.Seconds, fetched, msgs, sorted(status), total, len(posts))
	if rep.EngineErr != "" {
		t.Errorf("engine: %s", rep.EngineErr)
	}
	if lockWords(rep.EngineLog) {
		t.Errorf("the engine logged a lock error:\n%s", rep.EngineLog)
	} else if rep.EngineLog != "" {
		t.Logf("engine log:\n%s", rep.EngineLog)
	}
}

// checkPerson checks one UI process against the audit log: the UI logged no error, so none
// reached the person, nothing on screen or in its log spoke of a lock, and the actions are
// each in the audit log.
func checkPerson(t *testing.T, raw *sql.DB, pid int, p workerReport) {
	audit := map[string]int{}
	rows, err := raw.Query("SELECT action, count(*) FROM audit WHERE actor = ? GROUP BY action", p.Role)
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
	total := 0
	for _, n := range p.OK {
		total += n
	}
	t.Logf("%s (pid %d, %.1f s): %d successful actions, %d errors logged, %d lock mentions on screen or in the log, %d actions refused as they must be (an undo of a reply already sent, a claim lost); log probe: %q",
		p.Role, pid, p.Seconds, total, len(p.Errors), len(p.Locked), len(p.Refused), p.LogProbe)
	t.Logf("%s: gestures %v", p.Role, sorted(p.Gestures))
	t.Logf("%s: successful actions %v", p.Role, sorted(p.OK))
	t.Logf("%s: audit events %v", p.Role, sorted(audit))
	for _, e := range p.Errors {
		if lockWords(e) {
			t.Errorf("%s saw a lock error: %s", p.Role, e)
		} else {
			t.Errorf("%s: an action failed: %s", p.Role, e)
		}
	}
	for _, e := range p.Refused {
		t.Logf("%s: refused: %s", p.Role, e)
	}
	for _, s := range p.Locked {
		t.Errorf("%s: a lock on screen or in the log: %s", p.Role, s)
	}
	if p.LogProbe == "" {
		t.Errorf("%s: no proof that the UI's errors reach its log (no log probe)", p.Role)
	}
	// One audit event for every action that always changes something.
	for g, a := range map[string]string{"reply": "reply", "note": "note", "tag": "tag", "escalate": "escalate"} {
		if audit[a] != p.OK[g] {
			t.Errorf("%s: %d successful %s actions, %d %q audit events", p.Role, p.OK[g], g, audit[a], a)
		}
	}
	if audit["undo"] < p.OK["undo"] {
		t.Errorf("%s: %d undos, only %d undo audit events", p.Role, p.OK["undo"], audit["undo"])
	}
	// done, snooze and assign change nothing (and record nothing) when the other person
	// got there first; each records at most one event, as do escalate and reply (their
	// state change) and escalate (its priority).
	if audit["state"] > p.OK["done"]+p.OK["snooze"]+p.OK["escalate"]+p.OK["reply"] || audit["assign"] > p.OK["assign"] ||
		audit["priority"] > p.OK["escalate"] {
		t.Errorf("%s: more state or assign events than actions", p.Role)
	}
	if p.OK["done"]+p.OK["snooze"] > 0 && audit["state"] == 0 {
		t.Errorf("%s: state actions but no state events", p.Role)
	}
	if total == 0 {
		t.Errorf("%s: no action succeeded", p.Role)
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
