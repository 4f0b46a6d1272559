package email

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

func TestFetchThread(t *testing.T) {
	srv := startIMAP(t)
	for _, f := range []string{"thread-1.eml", "thread-2.eml", "thread-3.eml"} {
		srv.deliver(t, "INBOX", f)
	}
	a := newAdapter(t, account(t, srv.addr, "127.0.0.1:1", nil))
	ctx := ctxT(t)

	b, err := a.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 3 || b.More {
		t.Fatalf("got %d messages (More %v), want 3", len(b.Messages), b.More)
	}
	want := []struct {
		id, inReplyTo string
		dir           inbox.Direction
		authorID      string
		name          string
		created       time.Time
	}{
		{"root-1@customer.test", "", inbox.In, "jane@customer.test", "Jane Doe", time.Date(2024, 11, 18, 8, 15, 0, 0, time.UTC)},
		{"reply-2@acme.test", "root-1@customer.test", inbox.Out, "support@acme.test", "Acme Support", time.Date(2024, 11, 18, 9, 0, 0, 0, time.UTC)},
		{"follow-3@customer.test", "reply-2@acme.test", inbox.In, "jane@customer.test", "Jane Doe", time.Date(2024, 11, 18, 10, 30, 0, 0, time.UTC)},
	}
	for i, w := range want {
		m := b.Messages[i]
		if m.ID != w.id || m.InReplyTo != w.inReplyTo || m.Direction != w.dir || !m.CreatedAt.Equal(w.created) {
			t.Errorf("message %d = id %q, in_reply_to %q, %s, %v; want %q, %q, %s, %v", i, m.ID, m.InReplyTo, m.Direction, m.CreatedAt, w.id, w.inReplyTo, w.dir, w.created)
		}
		if m.Conversation != "root-1@customer.test" {
			t.Errorf("message %d: conversation %q, want the root's Message-ID", i, m.Conversation)
		}
		if m.Channel != "email" || m.Account != testAddress || m.Kind != inbox.KindEmail {
			t.Errorf("message %d: channel %q account %q kind %q", i, m.Channel, m.Account, m.Kind)
		}
		if m.Author == nil || m.Author.ID != w.authorID || m.Author.Name != w.name || !strings.EqualFold(m.Author.Handle, w.authorID) {
			t.Errorf("message %d: author %+v, want id %q name %q", i, m.Author, w.authorID, w.name)
		}
		if wantSubject := "Re: My kettle whistles off-key"; i > 0 && m.Subject != wantSubject || i == 0 && m.Subject != wantSubject[4:] {
			t.Errorf("message %d: subject %q", i, m.Subject)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("message %d does not validate for ingest: %v", i, err)
		}
	}
	if got := b.Messages[0].Text; got != "Hello,\n\nmy new kettle whistles a quarter tone flat. Is that normal?\n\nJane" {
		t.Errorf("text = %q", got)
	}
	if b.Messages[0].Author.Handle != "Jane@Customer.test" {
		t.Errorf("handle %q: want the address as written", b.Messages[0].Author.Handle)
	}

	// The cursor covers all three: nothing new the second time.
	b2, err := a.Fetch(ctx, b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(b2.Messages) != 0 || b2.Cursor != b.Cursor || b2.More {
		t.Errorf("second fetch: %d messages, cursor %q (was %q)", len(b2.Messages), b2.Cursor, b.Cursor)
	}
	// A new arrival comes alone.
	srv.deliver(t, "INBOX", "html-only.eml")
	b3, err := a.Fetch(ctx, b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(b3.Messages) != 1 || b3.Messages[0].ID != "html-1@shop.test" {
		t.Fatalf("third fetch: %+v", b3.Messages)
	}
	assertUnseen(t, srv.addr, 4)
}

// assertUnseen checks that fetching left every message without \Seen.
func assertUnseen(t *testing.T, addr string, n int) {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testAddress, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != n {
		t.Fatalf("%d messages on the server, want %d", len(msgs), n)
	}
	for _, m := range msgs {
		for _, f := range m.Flags {
			if f == imap.FlagSeen {
				t.Errorf("message %d was marked \\Seen", m.SeqNum)
			}
		}
	}
}

func TestFetchDecodes(t *testing.T) {
	srv := startIMAP(t)
	for _, f := range []string{"html-only.eml", "latin1.eml", "attachment.eml", "no-id.eml"} {
		srv.deliver(t, "INBOX", f)
	}
	a := newAdapter(t, account(t, srv.addr, "127.0.0.1:1", nil))
	b, err := a.Fetch(ctxT(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 4 {
		t.Fatalf("got %d messages, want 4", len(b.Messages))
	}
	html, latin, att, noID := b.Messages[0], b.Messages[1], b.Messages[2], b.Messages[3]

	if html.Subject != "Order “421” shipped" {
		t.Errorf("encoded-word subject = %q", html.Subject)
	}
	for _, want := range []string{"Your order", "Order *421* has shipped.", "One kettle", "Two filters", "here ( https://shop.test/t/421 )"} {
		if !strings.Contains(html.Text, want) {
			t.Errorf("HTML text lacks %q:\n%s", want, html.Text)
		}
	}
	for _, bad := range []string{"<p>", "color: red", "</"} {
		if strings.Contains(html.Text, bad) {
			t.Errorf("HTML text still has %q:\n%s", bad, html.Text)
		}
	}

	if latin.Subject != "Problème de facture" || latin.Author.Name != "René Lefèvre" {
		t.Errorf("ISO-8859-1 headers: subject %q, name %q", latin.Subject, latin.Author.Name)
	}
	// =80 is € and =93/=94 are curly quotes in Windows-1252, which mail labelled
	// ISO-8859-1 usually is.
	if want := "Bonjour, la facture indique 30 € au lieu de 25 €. Merci de vérifier “vite”."; latin.Text != want {
		t.Errorf("ISO-8859-1 body = %q, want %q", latin.Text, want)
	}

	if want := "Please see the invoice attached.\n\n[attachment: invoice.pdf]\n[attachment: reçu.jpg]"; att.Text != want {
		t.Errorf("attachment text = %q, want %q", att.Text, want)
	}

	if !strings.HasSuffix(noID.ID, "@"+synthDomain) || noID.Conversation != noID.ID {
		t.Errorf("no Message-ID: id %q conversation %q", noID.ID, noID.Conversation)
	}
	// The made-up id is the same on every read of the same bytes.
	again, err := a.Fetch(ctxT(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if again.Messages[3].ID != noID.ID {
		t.Errorf("synthesized id changed: %q then %q", noID.ID, again.Messages[3].ID)
	}
	for i, m := range b.Messages {
		if err := m.Validate(); err != nil {
			t.Errorf("message %d does not validate: %v", i, err)
		}
	}
}

func TestFetchBatchesAndUIDValidity(t *testing.T) {
	srv := startIMAP(t)
	files := []string{"thread-1.eml", "thread-2.eml", "thread-3.eml", "html-only.eml", "latin1.eml"}
	for _, f := range files {
		srv.deliver(t, "INBOX", f)
	}
	a := newAdapter(t, account(t, srv.addr, "127.0.0.1:1", nil))
	concrete(a).batchSize = 2
	ctx := ctxT(t)

	var ids []string
	cursor := ""
	for i := 0; ; i++ {
		b, err := a.Fetch(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Messages) > 2 {
			t.Fatalf("batch of %d, want at most 2", len(b.Messages))
		}
		for _, m := range b.Messages {
			ids = append(ids, m.ID)
		}
		cursor = b.Cursor
		if !b.More {
			break
		}
		if i > 5 {
			t.Fatal("More never ends")
		}
	}
	if len(ids) != 5 || ids[0] != "root-1@customer.test" || ids[4] != "latin1@client.test" {
		t.Fatalf("ids over batches = %v", ids)
	}
	validity, last := parseIMAPCursor(cursor)
	if last != 5 || validity == 0 {
		t.Fatalf("cursor %q", cursor)
	}

	// The mailbox is re-created: its UIDVALIDITY changes and UIDs start at 1 again,
	// below the cursor's 5. Everything is read anew.
	if err := srv.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := srv.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	srv.deliver(t, "INBOX", "attachment.eml")
	b, err := a.Fetch(ctx, cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 1 || b.Messages[0].ID != "att-1@client.test" {
		t.Fatalf("after UIDVALIDITY change: %+v", b.Messages)
	}
	v2, l2 := parseIMAPCursor(b.Cursor)
	if v2 == validity || l2 != 1 {
		t.Errorf("cursor after the change %q (before %q)", b.Cursor, cursor)
	}
	// A cursor from the Maildir source is foreign: start over.
	b, err = a.Fetch(ctx, "maildir:1:x")
	if err != nil || len(b.Messages) != 1 {
		t.Errorf("foreign cursor: %d messages, %v", len(b.Messages), err)
	}
}

func TestFetchErrors(t *testing.T) {
	srv := startIMAP(t)
	ctx := ctxT(t)

	t.Run("wrong password", func(t *testing.T) {
		a := newAdapter(t, account(t, srv.addr, "127.0.0.1:1", nil))
		t.Setenv(passwordEnv, "wrong-"+testPassword) // contains the real one, to be sure
		_, err := a.Fetch(ctx, "")
		mustClass(t, err, true)
		if strings.Contains(err.Error(), "wrong-") {
			t.Errorf("error shows the password tried: %q", err)
		}
		if !strings.Contains(err.Error(), `account "support"`) {
			t.Errorf("error does not name the account: %q", err)
		}
	})
	t.Run("no such mailbox", func(t *testing.T) {
		a := newAdapter(t, account(t, srv.addr, "127.0.0.1:1", map[string]any{"mailbox": "Nope"}))
		_, err := a.Fetch(ctx, "")
		mustClass(t, err, true)
	})
	t.Run("server down", func(t *testing.T) {
		a := newAdapter(t, account(t, "127.0.0.1:1", "127.0.0.1:1", nil))
		_, err := a.Fetch(ctx, "")
		mustClass(t, err, false)
	})
	t.Run("server silent", func(t *testing.T) {
		// Accepts and never greets: the context's deadline must end the wait.
		ln := listen(t, "none", nil)
		defer ln.Close()
		a := newAdapter(t, account(t, ln.Addr().String(), ln.Addr().String(), nil))
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := a.Fetch(short, "")
		mustClass(t, err, false)
		_, err = a.Send(short, reply())
		mustClass(t, err, false)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v: the deadline was not honoured", d)
		}
	})
}

func TestNewConfigErrors(t *testing.T) {
	t.Setenv("UNSET_FOR_TEST", "")
	for _, tc := range []struct {
		extra map[string]any
		want  string
	}{
		{map[string]any{"address": nil}, "address is required"},
		{map[string]any{"address": "Support <support@acme.test>"}, "address"},
		{map[string]any{"security": "ssl"}, "security"},
		{map[string]any{"smtp": nil}, "smtp is required"},
		{map[string]any{"imap": nil}, "imap is required"},
		{map[string]any{"imap": "no-port"}, "imap"},
		{map[string]any{"password_env": nil}, "password_env or password_cmd is required"},
		{map[string]any{"password_env": "UNSET_FOR_TEST"}, "password_env"},
		{map[string]any{"poll": "often"}, "poll"},
		{map[string]any{"maildir": t.TempDir()}, "maildir"},
	} {
		_, err := New(ctxT(t), account(t, "127.0.0.1:1143", "127.0.0.1:1025", tc.extra))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"support"`) {
			t.Errorf("%v: error %v, want one naming the account and %q", tc.extra, err, tc.want)
		}
	}
	a, err := New(ctxT(t), account(t, "127.0.0.1:1143", "127.0.0.1:1025", map[string]any{"poll": "90s"}))
	if err != nil {
		t.Fatal(err)
	}
	if concrete(a).Poll() != 90*time.Second || a.Capabilities() != (adapters.Capabilities{Reply: true}) {
		t.Errorf("poll %v caps %+v", concrete(a).Poll(), a.Capabilities())
	}
	if _, ok := a.(adapters.Checker); !ok {
		t.Error("an IMAP account should implement adapters.Checker")
	}
}
