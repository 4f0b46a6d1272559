package email

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/inbox"
)

// readAll collects what ReadMaildir gives: the messages, and the rejected files by name.
func readAll(t *testing.T, dir string, addresses ...string) ([]inbox.Message, map[string]error) {
	t.Helper()
	var msgs []inbox.Message
	bad := map[string]error{}
	err := ReadMaildir(ctxT(t), dir, addresses, func(path string, m inbox.Message, err error) error {
		if err != nil {
			bad[filepath.Base(path)] = err
			return nil
		}
		msgs = append(msgs, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs, bad
}

func writeRaw(t *testing.T, dir, sub, name, raw string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, sub, name), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
}

// An import reads a Maildir exactly as sync fetches it, except that a file that is no
// email at all is rejected instead of kept as a note.
func TestReadMaildirMatchesSync(t *testing.T) {
	dir := makeMaildir(t)
	drop(t, dir, "new", "1732500000.M1P10.host", "thread-1.eml")
	drop(t, dir, "cur", "1732500001.M2P10.host:2,S", "thread-2.eml")
	drop(t, dir, "new", "1732500002.M3P10.host", "thread-3.eml")
	drop(t, dir, "tmp", "1732500003.M4P10.host", "latin1.eml") // still being delivered
	drop(t, dir, "cur", "1732500100.M5P10.host:2,", "html-only.eml")
	drop(t, dir, "new", "1732500100.M6P10.host", "attachment.eml")
	drop(t, dir, "new", "1732500200.M7P10.host", "no-id.eml")
	writeRaw(t, dir, "new", "1732500300.M8P10.host", "hello world, this is no email\n")
	writeRaw(t, dir, "cur", "1732500301.M9P10.host:2,", "")
	writeRaw(t, dir, "new", "1732500302.M10P10.host", "From jane@customer.test Mon Nov 18 10:00:00 2024\nSubject: an mbox\n\nhi\n")

	a := newAdapter(t, account(t, "", "127.0.0.1:25", map[string]any{"maildir": dir, "imap": nil, "password_env": nil}))
	synced, err := a.Fetch(ctxT(t), "")
	if err != nil {
		t.Fatal(err)
	}
	imported, bad := readAll(t, dir, strings.ToUpper(testAddress))
	if len(imported) != 6 || len(synced.Messages) != 9 {
		t.Fatalf("imported %d messages, synced %d; want 6 and 9", len(imported), len(synced.Messages))
	}
	for i, m := range imported {
		if !reflect.DeepEqual(m, synced.Messages[i]) {
			t.Errorf("message %d:\nimport %+v\nsync   %+v", i, m, synced.Messages[i])
		}
	}
	if got := imported[1].Direction; got != inbox.Out {
		t.Errorf("the reply from %s: direction %q, want out", testAddress, got)
	}
	for name, want := range map[string]string{
		"1732500300.M8P10.host":    "not an email: message: malformed MIME header line: hello world",
		"1732500301.M9P10.host:2,": "not an email: no header",
		"1732500302.M10P10.host":   "not an email: message: malformed MIME header key: From jane@customer.test",
	} {
		if err := bad[name]; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	if len(bad) != 3 {
		t.Errorf("rejected %v, want the three files that are no email", bad)
	}
}

func TestReadMaildirAddresses(t *testing.T) {
	dir := makeMaildir(t)
	writeRaw(t, dir, "cur", "1.a:2,", "From: Jane <jane@customer.test>\nMessage-ID: <q@customer.test>\nSubject: refund\n\nWhere is my refund?\n")
	writeRaw(t, dir, "cur", "2.a:2,S", "From: Billing <Billing@Acme.test>\nMessage-ID: <a@acme.test>\nIn-Reply-To: <q@customer.test>\nSubject: Re: refund\n\nIt is on its way.\n")
	writeRaw(t, dir, "cur", "3.a:2,S", "Subject: no sender at all\nMessage-ID: <n@acme.test>\n\nHello.\n")

	msgs, _ := readAll(t, dir, "support@acme.test", "billing@acme.test")
	dirs := []inbox.Direction{msgs[0].Direction, msgs[1].Direction, msgs[2].Direction}
	if !reflect.DeepEqual(dirs, []inbox.Direction{inbox.In, inbox.Out, inbox.In}) {
		t.Errorf("directions %v, want in, out (billing@ is ours), in", dirs)
	}
	if msgs[1].Account != "support@acme.test" || msgs[1].Conversation != "q@customer.test" {
		t.Errorf("reply: account %q, conversation %q", msgs[1].Account, msgs[1].Conversation)
	}

	// With no address of ours, everything is inbound and the folder names the account.
	msgs, _ = readAll(t, dir)
	for _, m := range msgs {
		if m.Direction != inbox.In || m.Account != "INBOX" {
			t.Errorf("%s: direction %q, account %q; want in, INBOX", m.ID, m.Direction, m.Account)
		}
	}
}

func TestReadMaildirNotMaildir(t *testing.T) {
	dir := t.TempDir()
	if IsMaildir(dir) {
		t.Error("an empty folder passes for a Maildir")
	}
	err := ReadMaildir(ctxT(t), dir, nil, func(string, inbox.Message, error) error { return nil })
	if !errors.Is(err, ErrNotMaildir) || !strings.Contains(err.Error(), dir) {
		t.Errorf("ReadMaildir of an empty folder: %v, want ErrNotMaildir naming it", err)
	}
	// new/ alone is enough: a Maildir nothing has read yet.
	if err := os.Mkdir(filepath.Join(dir, "new"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeRaw(t, dir, "new", "1.a", "From: jane@customer.test\nMessage-ID: <q@customer.test>\n\nhi\n")
	if msgs, _ := readAll(t, dir); !IsMaildir(dir) || len(msgs) != 1 {
		t.Errorf("new/ alone: IsMaildir %v, %d messages", IsMaildir(dir), len(msgs))
	}
	// fn's error stops the reading.
	stop := errors.New("stop")
	if err := ReadMaildir(ctxT(t), dir, nil, func(string, inbox.Message, error) error { return stop }); err != stop {
		t.Errorf("fn's error: got %v", err)
	}
}
