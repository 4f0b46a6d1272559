package crashtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

const (
	syncMentions = 200 // mentions on the fake server
	syncReplies  = 30  // the first syncReplies mentions are imported first and answered
	syncOverlap  = 5   // the saved cursor lies this many mentions before the last imported one
	mastoHandle  = "@acme@mastodon.example"
	mastoToken   = "crash-token"
)

func syncConfig(server string) string {
	// Replies leave at once: what a kill must not break is the sending, not the undo window.
	return fmt.Sprintf(`[outbox]
send_delay = "0s"

[[account]]
name      = "acme-mastodon"
channel   = "mastodon"
server    = %q
handle    = %q
token_env = "CRASH_MASTODON_TOKEN"
poll      = "300ms"
timeout   = "5s"
`, server, mastoHandle)
}

// mentionMessage is mention i as the Mastodon adapter stores it.
func mentionMessage(i int) inbox.Message {
	return inbox.Message{Channel: "mastodon", Account: mastoHandle, ID: statusID(i), Conversation: "mastodon:" + statusID(i),
		Kind: inbox.KindMention, Direction: inbox.In, CreatedAt: mentionAt(i),
		Author: &inbox.Author{ID: fmt.Sprint(100 + i), Handle: fmt.Sprintf("@customer%d@other.example", i), Name: fmt.Sprintf("Customer %d", i)},
		Text:   fmt.Sprintf("@acme my order %d never came", i), URL: "https://other.example/@customer/" + statusID(i)}
}

// syncTemplate builds the database every sync run starts from: the first syncReplies
// mentions already synced (the cursor a little before the last of them, so the next
// fetch sees some again) and a reply queued to each, through the inbox as the composer
// does it.
func syncTemplate(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := inbox.ParseConfig("crash config", syncConfig("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := inbox.New(ctx, db, cfg, inbox.WithAgent("crash"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Ingest(ctx, false, func(b *inbox.Batch) error {
		for i := range syncReplies {
			if _, err := b.Add(mentionMessage(i)); err != nil {
				return err
			}
		}
		return b.SetCursor("mastodon", mastoHandle, notifID(syncReplies-1-syncOverlap))
	})
	if err != nil {
		t.Fatalf("import mentions: %v", err)
	}
	check := checkDB(t, path)
	defer check.Close()
	for i := range syncReplies {
		var conv int64
		if err := check.QueryRow("SELECT conversation_id FROM messages WHERE channel = 'mastodon' AND ext_id = ?", statusID(i)).Scan(&conv); err != nil {
			t.Fatalf("conversation of mention %d: %v", i, err)
		}
		if _, err := svc.Reply(ctx, conv, fmt.Sprintf("Sorry about order %d, a new one is on its way.", i)); err != nil {
			t.Fatalf("reply to mention %d: %v", i, err)
		}
	}
}

// TestCrashSync kills a running `triage sync` at random moments while it fetches
// mentions and sends queued replies, finishes with `triage sync --once`, and checks that
// every mention is stored once and every reply posted exactly once (or visibly not).
func TestCrashSync(t *testing.T) {
	s := crashSettings(t)
	began := time.Now()
	dir := t.TempDir()
	env := childEnv(dir, "CRASH_MASTODON_TOKEN="+mastoToken)
	tmpl := filepath.Join(dir, "template.db")
	syncTemplate(t, tmpl)
	f := figures{name: "sync", messages: syncMentions, replies: syncReplies}

	// setup gives a run its own database, server and config.
	setup := func(name string) (db, config string, fake *fakeMastodon) {
		db = filepath.Join(dir, name+".db")
		copyDB(t, tmpl, db)
		fake = newFakeMastodon(mastoToken, syncMentions)
		config = filepath.Join(dir, name+".toml")
		if err := os.WriteFile(config, []byte(syncConfig(fake.URL)), 0o600); err != nil {
			t.Fatal(err)
		}
		return db, config, fake
	}

	db, config, fake := setup("measure")
	t0 := time.Now()
	runTriage(t, env, "sync", "--once", "--db", db, "--config", config)
	f.measured = time.Since(t0)
	checkSync(t, "uninterrupted", db, fake)
	fake.Close()
	removeDB(db)

	r := s.rng(0x73796e63)
	span := f.measured * 13 / 10
	posts := 0
	for run := range s.runs {
		db, config, fake := setup("run")
		kills := 1 + r.IntN(3)
		for k := range kills {
			d := delay(r, span)
			f.maxDelay = max(f.maxDelay, d)
			p := start(t, env, "sync", "--db", db, "--config", config)
			time.Sleep(d)
			if p.exited() {
				t.Fatalf("run %d kill %d: triage sync ended on its own: %v\n%s", run, k, p.err, p.out.String())
			}
			if p.kill() {
				f.kills++
			} else {
				f.survived++
			}
			if st := readState(t, db); st.problem != "" || len(st.dups) > 0 {
				t.Fatalf("run %d kill %d after %s: integrity %q, duplicates %v", run, k, d, st.problem, st.dups)
			}
		}
		runTriage(t, env, "sync", "--once", "--db", db, "--config", config)
		posts += checkSync(t, fmt.Sprintf("run %d", run), db, fake)
		fake.Close()
		removeDB(db)
		f.runs++
	}
	f.total = time.Since(began)
	f.log(t)
	t.Logf("crash sync: %d POSTs reached the server for %d replies (a resend with the same Idempotency-Key is not a second status)",
		posts, s.runs*syncReplies)
}

// checkSync checks a database after `sync --once` against the fake server, and returns
// how many POSTs reached the server.
func checkSync(t *testing.T, label, db string, fake *fakeMastodon) int {
	t.Helper()
	st := readState(t, db)
	if st.problem != "" || len(st.dups) > 0 {
		t.Fatalf("%s: integrity %q, duplicates %v", label, st.problem, st.dups)
	}
	for i := range syncMentions {
		if !st.ids["mastodon "+statusID(i)] {
			t.Errorf("%s: mention %d (status %s) was not stored", label, i, statusID(i))
		}
	}
	if want := syncMentions + syncReplies; st.count != want {
		t.Errorf("%s: %d messages stored, want %d (mentions and replies)", label, st.count, want)
	}

	posts, created := fake.snapshot()
	byKey := map[string]posted{}
	perParent := map[string]int{}
	for _, p := range created {
		if p.key == "" {
			t.Errorf("%s: status %s posted without an Idempotency-Key", label, p.id)
		}
		byKey[p.key] = p
		perParent[p.inReplyTo]++
	}
	for parent, n := range perParent {
		if n > 1 {
			t.Errorf("%s: %d replies posted to status %s; a reply must be posted once", label, n, parent)
		}
	}

	check := checkDB(t, db)
	defer check.Close()
	rows, err := check.Query("SELECT id, status, idempotency_key, remote_id, last_error FROM outbox WHERE kind = 'reply'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	states := map[string]int{}
	for rows.Next() {
		var id int64
		var status, key, remote, lastErr string
		if err := rows.Scan(&id, &status, &key, &remote, &lastErr); err != nil {
			t.Fatal(err)
		}
		n++
		states[status]++
		p, posted := byKey[key]
		switch status {
		case inbox.OutboxSent:
			if !posted {
				t.Errorf("%s: outbox %d is sent as %q but the server has no status with its key", label, id, remote)
			} else if p.id != remote {
				t.Errorf("%s: outbox %d is sent as %q but its key created status %s", label, id, remote, p.id)
			}
		case inbox.OutboxPending, inbox.OutboxFailed, inbox.OutboxUnknown:
			// visible to a person; a resend with the same key cannot post it twice
		default:
			t.Errorf("%s: outbox %d is %q after sync --once (%s)", label, id, status, lastErr)
		}
		delete(byKey, key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != syncReplies {
		t.Errorf("%s: %d replies in the outbox, want %d", label, n, syncReplies)
	}
	for key, p := range byKey {
		t.Errorf("%s: status %s (key %s) was posted for no reply in the outbox", label, p.id, key)
	}
	if states[inbox.OutboxSent] != syncReplies {
		var parts []string
		for k, v := range states {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v))
		}
		t.Logf("%s: outbox after sync --once: %s", label, strings.Join(parts, " "))
	}
	return posts
}
