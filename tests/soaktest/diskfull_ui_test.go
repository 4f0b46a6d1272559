package soaktest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
	"github.com/triage-inbox/triage/ui"
)

// TestDiskFullUI fills the disk while the UI is open on a database there (root, 2 MiB
// tmpfs, as TestDiskFullImport). Tagging, closing and writing and queuing a reply must
// each fail with "disk is full" on the screen while the UI stays up; what was committed
// stays whole; the text being written stays in the composer; once the filler goes, the
// same actions succeed. Then a reply written while the disk is full is closed with esc:
// its text must reach the draft once there is room again.
func TestDiskFullUI(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	mnt := mountTmpfs(t)
	ctx := context.Background()
	path := filepath.Join(mnt, "triage.db")
	seedDB(t, path, seedMessages("old", 60, 200))
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := func() time.Time { return roNow }
	svc, err := inbox.New(ctx, db, nil, inbox.WithClock(now), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	log, logger := newUILog() // every error the UI showed, footer, dialog or composer
	c := &ui.Common{Ctx: ctx, Inbox: svc, Styles: ui.NewStyles(true), FixedTheme: true, Keys: ui.DefaultKeyMap(),
		Now: now, Log: logger, Width: 120, Height: 35}
	d := newDriver(ui.New(c))
	// do presses keys ("type:…" types text), each settled, and returns the screen.
	do := func(keys ...string) string {
		t.Helper()
		if err := d.settle(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if text, ok := strings.CutPrefix(k, "type:"); ok {
				d.typ(text)
			} else {
				d.key(k)
			}
			if err := d.settle(30 * time.Second); err != nil {
				t.Fatal(err)
			}
		}
		return d.screen()
	}
	// failed checks that the action failed, said why on the screen and left the UI up.
	failed := func(action, screen string, before int) {
		t.Helper()
		errs := log.errors()
		if len(errs) == before {
			t.Errorf("%s on a full disk reported no error:\n%s", action, screen)
		} else {
			t.Logf("%s: %s", action, strings.Join(errs[before:], "; "))
		}
		if !strings.Contains(screen, "disk is full") {
			t.Errorf("%s on a full disk: the screen does not say the disk is full (the error was %q):\n%s",
				action, strings.Join(errs[before:], "; "), screen)
		}
		if !strings.Contains(screen, "triage › Inbox 20 ") {
			t.Errorf("%s on a full disk: the UI is not up with its 20 conversations:\n%s", action, screen)
		}
	}

	if screen := do(); !strings.Contains(screen, "@old0 ") {
		t.Fatalf("the queue did not show:\n%s", screen)
	}
	filler := fillDisk(t, mnt)

	// Tag, in the tag picker: it stays open with the error.
	n := len(log.errors())
	failed("tag", do("t", "type:diskfull", "enter"), n)
	do("esc")
	// Close (done), from the queue: the error is in the footer.
	n = len(log.errors())
	failed("done", do("d"), n)
	// A reply: the draft written as one types fails, then queuing it fails; the composer
	// stays open with the text, and quitting asks first.
	const reply = "Your parcel left Lyon this morning; the tracking link follows."
	n = len(log.errors())
	screen := do("r", "type:"+reply)
	failed("saving the draft", screen, n)
	if !strings.Contains(screen, reply) || !strings.Contains(screen, "draft not saved yet") {
		t.Errorf("the composer lost the text or hides that it is not saved:\n%s", screen)
	}
	n = len(log.errors())
	screen = do("ctrl+s")
	failed("queuing the reply", screen, n)
	if errs := log.errors()[n:]; !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, "reply to conversation") }) {
		t.Errorf("queuing the reply on a full disk did not fail: %q", errs)
	}
	if !strings.Contains(screen, "Reply to @old0") || !strings.Contains(screen, reply) {
		t.Errorf("after the refused reply the composer is gone or lost the text:\n%s", screen)
	}
	if screen = do("ctrl+c"); !strings.Contains(screen, "not saved yet. Quit anyway?") {
		t.Errorf("quitting with the text unsaved did not ask first:\n%s", screen)
	}
	do("n")
	if ok, msgs := checkDB(t, path); ok != "ok" || msgs != 60 {
		t.Errorf("on the full disk: integrity_check %q, %d messages, want ok and the 60 committed", ok, msgs)
	}

	// Room again: the same actions succeed.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	n = len(log.errors())
	if screen = do("ctrl+s"); !strings.HasPrefix(status(screen), "replied") || strings.Contains(screen, "Reply to @old0") {
		t.Errorf("queuing the reply once there is room did not succeed:\n%s", screen)
	}
	if screen = do("t", "type:diskfull", "enter"); !strings.HasPrefix(status(screen), "tagged diskfull") {
		t.Errorf("tagging once there is room did not succeed:\n%s", screen)
	}
	if screen = do("d"); status(screen) != "done" {
		t.Errorf("done once there is room did not succeed:\n%s", screen)
	}
	if errs := log.errors(); len(errs) > n {
		t.Errorf("errors once there was room: %q", errs[n:])
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count("SELECT count(*) FROM messages m JOIN outbox o ON o.message_id = m.id WHERE m.direction = 'out' AND m.text = ?", reply); got != 1 {
		t.Errorf("the reply is in the outbox %d times, want once, with every byte", got)
	}
	if got := count("SELECT count(*) FROM drafts"); got != 0 {
		t.Errorf("%d drafts left after the reply was queued", got)
	}
	for action, want := range map[string]int{"reply": 1, "tag": 1, "state": 2} { // state: waiting (the reply), done
		if got := count("SELECT count(*) FROM audit WHERE action = ?", action); got != want {
			t.Errorf("%d %q audit events, want %d: the failed attempts must leave none", got, action, want)
		}
	}
	if ok, msgs := checkDB(t, path); ok != "ok" || msgs != 61 {
		t.Errorf("after: integrity_check %q, %d messages, want ok and 61 (the 60 and the reply)", ok, msgs)
	}

	// A reply written on a full disk and closed with esc: the composer cannot keep it as
	// the draft, so it stays open and says so; once there is room, esc keeps it.
	filler = fillDisk(t, mnt)
	const draft = "Second answer, still being written when the disk filled."
	screen = do("r", "type:"+draft, "esc")
	if !strings.Contains(screen, draft) || !strings.Contains(screen, "disk is full") {
		t.Errorf("esc on a full disk closed the composer or lost the text, or did not say why:\n%s", screen)
	}
	if !strings.Contains(screen, "esc again closes without keeping it") {
		t.Errorf("esc on a full disk: the screen does not warn that esc again throws the text away (ui/composer.go onSaved appends it to the error line, which the dialog cuts at its width):\n%s", screen)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	screen = do("esc")
	if got := count("SELECT count(*) FROM drafts WHERE body = ?", draft); got != 1 && !strings.Contains(screen, draft) {
		t.Errorf("the text written on the full disk is lost: esc again, once there was room, closed the composer without saving it as the draft (ui/composer.go close: discard, set by the failed save, is not cleared when space comes back):\n%s", screen)
	}
}
