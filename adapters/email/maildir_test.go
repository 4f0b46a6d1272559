package email

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/triage-inbox/triage/adapters"
)

// makeMaildir creates an empty Maildir in a temporary folder.
func makeMaildir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "INBOX")
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// drop writes a testdata message into dir/sub under name, as a sync tool would.
func drop(t *testing.T, dir, sub, name, file string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, sub, name), readEML(t, file), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestMaildir(t *testing.T) {
	dir := makeMaildir(t)
	drop(t, dir, "new", "1732500000.M1P10.host", "thread-1.eml")
	drop(t, dir, "cur", "1732500001.M2P10.host:2,S", "thread-2.eml")
	drop(t, dir, "new", "1732500002.M3P10.host", "thread-3.eml")
	drop(t, dir, "tmp", "1732500003.M4P10.host", "latin1.eml") // still being delivered
	// No IMAP and no password: a local relay that takes mail without login.
	a := newAdapter(t, account(t, "", "127.0.0.1:25", map[string]any{"maildir": dir, "imap": nil, "password_env": nil}))
	if _, ok := a.(adapters.Checker); ok {
		t.Error("a Maildir account has no server to check and should not claim Checker")
	}
	ctx := ctxT(t)

	b, err := a.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range b.Messages {
		ids = append(ids, m.ID)
		if m.Conversation != "root-1@customer.test" {
			t.Errorf("%s: conversation %q", m.ID, m.Conversation)
		}
	}
	if len(ids) != 3 || ids[0] != "root-1@customer.test" || ids[2] != "follow-3@customer.test" || b.More {
		t.Fatalf("ids %v (More %v)", ids, b.More)
	}
	if b.Cursor != "maildir:1732500002:1732500002.M3P10.host" {
		t.Errorf("cursor %q", b.Cursor)
	}

	// A mail reader moves a message to cur/ and flags it: still nothing new.
	if err := os.Rename(filepath.Join(dir, "new", "1732500002.M3P10.host"), filepath.Join(dir, "cur", "1732500002.M3P10.host:2,RS")); err != nil {
		t.Fatal(err)
	}
	b2, err := a.Fetch(ctx, b.Cursor)
	if err != nil || len(b2.Messages) != 0 || b2.Cursor != b.Cursor {
		t.Fatalf("second fetch: %d messages, cursor %q, %v", len(b2.Messages), b2.Cursor, err)
	}

	// New deliveries come in order and in batches.
	drop(t, dir, "new", "1732500100.M5P10.host", "html-only.eml")
	drop(t, dir, "new", "1732500100.M6P10.host", "attachment.eml")
	drop(t, dir, "new", "1732500200.M7P10.host", "no-id.eml")
	concrete(a).batchSize = 2
	b3, err := a.Fetch(ctx, b.Cursor)
	if err != nil || len(b3.Messages) != 2 || !b3.More || b3.Messages[0].ID != "html-1@shop.test" {
		t.Fatalf("third fetch: %+v, %v", b3, err)
	}
	b4, err := a.Fetch(ctx, b3.Cursor)
	if err != nil || len(b4.Messages) != 1 || b4.More {
		t.Fatalf("fourth fetch: %+v, %v", b4, err)
	}
	// The same bytes get the same made-up id over IMAP and from the Maildir.
	srv := startIMAP(t)
	srv.deliver(t, "INBOX", "no-id.eml")
	ib, err := newAdapter(t, account(t, srv.addr, "127.0.0.1:1", nil)).Fetch(ctx, "")
	if err != nil || len(ib.Messages) != 1 || ib.Messages[0].ID != b4.Messages[0].ID {
		t.Errorf("made-up id over IMAP %v, from Maildir %q (%v)", ib.Messages, b4.Messages[0].ID, err)
	}
	// A cursor of the IMAP source starts over.
	concrete(a).batchSize = batchSize
	all, err := a.Fetch(ctx, "1234:5")
	if err != nil || len(all.Messages) != 6 {
		t.Errorf("foreign cursor: %d messages, %v", len(all.Messages), err)
	}
}

func TestMaildirFileMoved(t *testing.T) {
	dir := makeMaildir(t)
	drop(t, dir, "new", "1732500000.M1P10.host", "thread-1.eml")
	a := concrete(newAdapter(t, account(t, "", "127.0.0.1:25", map[string]any{"maildir": dir, "imap": nil})))
	files, err := listMaildir(dir)
	if err != nil || len(files) != 1 {
		t.Fatalf("list: %v %v", files, err)
	}
	// Between listing and reading, the file moves to cur/.
	if err := os.Rename(files[0].path, filepath.Join(dir, "cur", files[0].base+":2,S")); err != nil {
		t.Fatal(err)
	}
	m, ok, err := a.readMaildirFile(files[0])
	if err != nil || !ok || m.ID != "root-1@customer.test" {
		t.Fatalf("moved file: %v %v %v", m.ID, ok, err)
	}
	// Deleted meanwhile: skipped, not an error.
	if err := os.Remove(filepath.Join(dir, "cur", files[0].base+":2,S")); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.readMaildirFile(files[0]); ok || err != nil {
		t.Fatalf("deleted file: ok %v, err %v", ok, err)
	}
}

func TestMaildirCursor(t *testing.T) {
	for _, s := range []string{"", "1:2", "maildir:", "maildir:x:y", "maildir:5:"} {
		if _, ok := parseMaildirCursor(s); ok {
			t.Errorf("parseMaildirCursor(%q) accepted", s)
		}
	}
	f := mdFile{secs: 99, base: "99.a.host"}
	if g, ok := parseMaildirCursor(maildirCursor(f)); !ok || g.compare(f) != 0 {
		t.Errorf("round trip: %+v %v", g, ok)
	}
	// Delivery time orders before the name: 999… sorts before 1000… as numbers.
	early := mdFile{secs: 999999999, base: "999999999.z"}
	late := mdFile{secs: 1000000000, base: "1000000000.a"}
	if early.compare(late) >= 0 {
		t.Error("names compared as text, not by delivery time")
	}
}
