package email

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/triage-inbox/triage/adapters"
)

// TestDovecot runs the adapter against a real Dovecot: mail delivered into the user's
// Maildir shows up from Fetch, in order and threaded, without being marked \Seen; the
// Maildir source reads the same folder; Sent finds a filed reply; a recreated mailbox
// (new UIDVALIDITY) is read again.
func TestDovecot(t *testing.T) {
	d := startDovecot(t)
	files := []string{"thread-1.eml", "thread-2.eml", "thread-3.eml", "html-only.eml", "latin1.eml", "attachment.eml"}
	for i, f := range files {
		d.deliver(t, fmt.Sprintf("%d.M%dP1.test", 1732500010+i, i), f)
	}
	a := newAdapter(t, account(t, d.addr, "127.0.0.1:1", nil))
	ctx := ctxT(t)

	b, err := a.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != len(files) || b.More {
		t.Fatalf("got %d messages, want %d", len(b.Messages), len(files))
	}
	ids := map[string]bool{}
	for _, m := range b.Messages {
		ids[m.ID] = true
		if err := m.Validate(); err != nil {
			t.Errorf("%s does not validate: %v", m.ID, err)
		}
	}
	thread := b.Messages[:3]
	for i, want := range []string{"root-1@customer.test", "reply-2@acme.test", "follow-3@customer.test"} {
		if thread[i].ID != want || thread[i].Conversation != "root-1@customer.test" {
			t.Errorf("message %d: id %q conversation %q", i, thread[i].ID, thread[i].Conversation)
		}
	}
	if thread[1].Direction != "out" || thread[2].InReplyTo != "reply-2@acme.test" {
		t.Errorf("reply fields: %+v / %+v", thread[1], thread[2])
	}
	if !strings.Contains(b.Messages[4].Text, "30 € au lieu de 25 €") || !strings.HasSuffix(b.Messages[5].Text, "[attachment: reçu.jpg]") {
		t.Errorf("decoding through dovecot: %q / %q", b.Messages[4].Text, b.Messages[5].Text)
	}

	again, err := a.Fetch(ctx, b.Cursor)
	if err != nil || len(again.Messages) != 0 || again.Cursor != b.Cursor {
		t.Fatalf("second fetch: %d messages, cursor %q (was %q), %v", len(again.Messages), again.Cursor, b.Cursor, err)
	}
	d.deliver(t, "1732500100.M9P1.test", "no-id.eml")
	late, err := a.Fetch(ctx, b.Cursor)
	if err != nil || len(late.Messages) != 1 || !strings.HasSuffix(late.Messages[0].ID, "@"+synthDomain) {
		t.Fatalf("new delivery: %+v, %v", late.Messages, err)
	}
	ids[late.Messages[0].ID] = true
	c := dovecotClient(t, d)
	assertNoSeen(t, c, "INBOX", len(files)+1)

	t.Run("maildir source", func(t *testing.T) {
		// Dovecot has moved the files to cur/ by now, as a mail reader would.
		md := newAdapter(t, account(t, "", "127.0.0.1:1", map[string]any{"maildir": d.maildir, "imap": nil}))
		mb, err := md.Fetch(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, m := range mb.Messages {
			got = append(got, m.ID)
		}
		for id := range ids {
			want = append(want, id)
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("Maildir ids %v, IMAP ids %v", got, want)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		t.Setenv(passwordEnv, "wrong-"+testPassword)
		_, err := a.Fetch(ctx, "")
		mustClass(t, err, true)
		if strings.Contains(err.Error(), "wrong-") {
			t.Errorf("error shows the password: %q", err)
		}
	})

	t.Run("sent checker", func(t *testing.T) {
		if err := c.Create("Sent", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		check := a.(adapters.Checker)
		out := reply()
		if _, found, err := check.Sent(ctx, out); err != nil || found {
			t.Fatalf("before: found %v, %v", found, err)
		}
		id, raw, err := concrete(a).compose(out, "jane@customer.test")
		if err != nil {
			t.Fatal(err)
		}
		appendTo(t, c, "Sent", raw)
		got, found, err := check.Sent(ctx, out)
		if err != nil || !found || got != id {
			t.Errorf("after: %q found %v, %v; want %q", got, found, err, id)
		}
	})

	t.Run("uidvalidity", func(t *testing.T) {
		if err := c.Create("Support", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		appendTo(t, c, "Support", readEML(t, "thread-1.eml"))
		appendTo(t, c, "Support", readEML(t, "thread-2.eml"))
		sa := newAdapter(t, account(t, d.addr, "127.0.0.1:1", map[string]any{"mailbox": "Support"}))
		first, err := sa.Fetch(ctx, "")
		if err != nil || len(first.Messages) != 2 {
			t.Fatalf("first: %d, %v", len(first.Messages), err)
		}
		if err := c.Delete("Support").Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Create("Support", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		appendTo(t, c, "Support", readEML(t, "thread-3.eml"))
		next, err := sa.Fetch(ctx, first.Cursor)
		if err != nil || len(next.Messages) != 1 || next.Messages[0].ID != "follow-3@customer.test" {
			t.Fatalf("after re-create: %+v, %v (cursor %q -> %q)", next.Messages, err, first.Cursor, next.Cursor)
		}
		if v1, _ := parseIMAPCursor(first.Cursor); v1 == 0 || strings.HasPrefix(next.Cursor, first.Cursor[:strings.Index(first.Cursor, ":")+1]) {
			t.Errorf("UIDVALIDITY did not change: %q -> %q", first.Cursor, next.Cursor)
		}
	})
}

func dovecotClient(t *testing.T, d *dovecot) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(d.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Login(testAddress, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// assertNoSeen checks that no message in mailbox carries \Seen.
func assertNoSeen(t *testing.T, c *imapclient.Client, mailbox string, n int) {
	t.Helper()
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != n {
		t.Errorf("%d messages in %s, want %d", len(msgs), mailbox, n)
	}
	for _, m := range msgs {
		for _, f := range m.Flags {
			if f == imap.FlagSeen {
				t.Errorf("message %d is \\Seen", m.SeqNum)
			}
		}
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, c *imapclient.Client, mailbox string, raw []byte) {
	t.Helper()
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("append to %s: %v", mailbox, err)
	}
}
