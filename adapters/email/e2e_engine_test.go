package email

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/store"
)

// A customer's two-message thread: the first mail, and a follow-up that threads under it
// with In-Reply-To and References.
const (
	grinderRoot = "From: Jane Doe <jane@customer.test>\nTo: Acme Support <support@acme.test>\n" +
		"Subject: Grinder arrived broken\nDate: Tue, 24 Nov 2026 09:00:00 +0000\nMessage-ID: <grinder-1@customer.test>\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" +
		"Hello,\n\nthe grinder I ordered arrived with a cracked hopper.\n\nJane\n"
	grinderFollow = "From: Jane Doe <jane@customer.test>\nTo: support@acme.test\n" +
		"Subject: Re: Grinder arrived broken\nDate: Tue, 24 Nov 2026 09:30:00 +0000\nMessage-ID: <grinder-2@customer.test>\n" +
		"In-Reply-To: <grinder-1@customer.test>\nReferences: <grinder-1@customer.test>\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" +
		"I forgot: the order number is 4417.\n\nJane\n"
	grinderReply = "Sorry about that, Jane! A new hopper ships today."
)

// e2eDesk is an inbox on a temporary database with a clock the test moves, synced by the
// real engine through the email adapter: IMAP from imapAddr, SMTP to an in-process server.
type e2eDesk struct {
	svc  *inbox.Service
	smtp *smtpServer
	eng  *engine.Engine

	mu  sync.Mutex
	now time.Time
}

func newE2EDesk(t *testing.T, imapAddr string) *e2eDesk {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "triage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := &e2eDesk{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), smtp: startSMTP(t, testPassword)}
	if d.svc, err = inbox.New(ctx, db, inboxtest.SendAtOnce(t), inbox.WithClock(d.clock), inbox.WithAgent("maria")); err != nil {
		t.Fatal(err)
	}
	a := newAdapter(t, account(t, imapAddr, d.smtp.addr, map[string]any{"from_name": "Acme Support"}))
	d.eng = engine.New(d.svc, []engine.Account{{Name: "support", Channel: Channel, Handle: testAddress, Adapter: a}}, engine.Options{})
	return d
}

func (d *e2eDesk) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *e2eDesk) wait(dt time.Duration) {
	d.mu.Lock()
	d.now = d.now.Add(dt)
	d.mu.Unlock()
}

// conversation is the inbox's id of the grinder thread.
func (d *e2eDesk) conversation(t *testing.T) int64 {
	t.Helper()
	id, err := d.svc.ConversationID(context.Background(), Channel, testAddress, "grinder-1@customer.test")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// outbox is the one reply in the outbox.
func (d *e2eDesk) outbox(t *testing.T) store.OutboxEntry {
	t.Helper()
	out, err := d.svc.DB().Outbox(context.Background())
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %+v, %v; want one reply", out, err)
	}
	return out[0]
}

func (d *e2eDesk) thread(t *testing.T) []inbox.MessageRow {
	t.Helper()
	th, err := d.svc.Thread(context.Background(), d.conversation(t), 50)
	if err != nil {
		t.Fatal(err)
	}
	return th.Messages
}

// deliverRaw puts a message into the dovecot Maildir as an MDA does (tmp/, then new/),
// received at the given time when it is not zero (Dovecot reads it from the mtime).
func deliverRaw(t *testing.T, d *dovecot, name string, raw []byte, received time.Time) {
	t.Helper()
	raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	tmp := filepath.Join(d.maildir, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(tmp, d.uid, d.gid); err != nil {
		t.Fatal(err)
	}
	if !received.IsZero() {
		if err := os.Chtimes(tmp, received, received); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(tmp, filepath.Join(d.maildir, "new", name)); err != nil {
		t.Fatal(err)
	}
}

func deliverGrinderThread(t *testing.T, d *dovecot) {
	t.Helper()
	deliverRaw(t, d, "1795510800.M1P1.test", []byte(grinderRoot), time.Time{})
	deliverRaw(t, d, "1795512600.M2P1.test", []byte(grinderFollow), time.Time{})
}

// TestEngineEmailEndToEnd: mail delivered to the mailbox on a real Dovecot reaches the
// queue through the sync engine, threaded; a reply queued in the inbox goes out once over
// SMTP, threaded under the customer's last mail, and the outbox says so; a copy of the
// reply read back from the mailbox (a Bcc) is recognised, not stored twice.
func TestEngineEmailEndToEnd(t *testing.T) {
	dc := startDovecot(t)
	deliverGrinderThread(t, dc)
	d := newE2EDesk(t, dc.addr)
	ctx := ctxT(t)
	if err := d.eng.Once(ctx); err != nil {
		t.Fatal(err)
	}

	rows, err := d.svc.Queue(ctx, inbox.QueuePage{View: inbox.BuiltinViews[0], Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("queue = %+v, %v; want the one thread", rows, err)
	}
	r := rows[0]
	if r.ID != d.conversation(t) || r.Channel != Channel || r.Account != testAddress || r.AuthorName != "Jane Doe" ||
		r.AuthorHandle != "jane@customer.test" || r.Unanswered != 2 || r.LastText != "I forgot: the order number is 4417.\n\nJane" {
		t.Errorf("queue row %+v", r)
	}
	msgs := d.thread(t)
	if len(msgs) != 2 {
		t.Fatalf("thread has %d messages, want 2", len(msgs))
	}
	for i, want := range []struct{ id, inReplyTo, subject, text string }{
		{"grinder-1@customer.test", "", "Grinder arrived broken", "Hello,\n\nthe grinder I ordered arrived with a cracked hopper.\n\nJane"},
		{"grinder-2@customer.test", "grinder-1@customer.test", "Re: Grinder arrived broken", "I forgot: the order number is 4417.\n\nJane"},
	} {
		m := msgs[i]
		if m.ExtID != want.id || m.InReplyTo != want.inReplyTo || m.Subject != want.subject || m.Text != want.text ||
			m.Direction != "in" || m.AuthorHandle != "jane@customer.test" || m.AuthorName != "Jane Doe" {
			t.Errorf("message %d: %+v", i, m)
		}
	}

	if _, err := d.svc.Reply(ctx, d.conversation(t), grinderReply); err != nil {
		t.Fatal(err)
	}
	if err := d.eng.Once(ctx); err != nil {
		t.Fatal(err)
	}
	got := d.smtp.mails()
	if len(got) != 1 {
		t.Fatalf("SMTP received %d mails, want 1", len(got))
	}
	st := d.outbox(t)
	if rec := got[0]; rec.from != testAddress || len(rec.to) != 1 || rec.to[0] != "jane@customer.test" {
		t.Errorf("envelope from %q to %v", rec.from, rec.to)
	}
	m, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"From":        `"Acme Support" <support@acme.test>`,
		"To":          `"Jane Doe" <jane@customer.test>`,
		"Subject":     "Re: Grinder arrived broken",
		"Message-Id":  "<" + st.Key + "@acme.test>",
		"In-Reply-To": "<grinder-2@customer.test>",
		"References":  "<grinder-1@customer.test> <grinder-2@customer.test>",
	} {
		if v := m.Header.Get(key); v != want {
			t.Errorf("%s: %q, want %q", key, v, want)
		}
	}
	wantBody := grinderReply + "\n\nJane Doe <jane@customer.test> wrote:\n> I forgot: the order number is 4417.\n>\n> Jane"
	if body := parse(bytes.NewReader(got[0].data)).text; body != wantBody {
		t.Errorf("body:\n%s\nwant:\n%s", body, wantBody)
	}
	if st.Status != inbox.OutboxSent || st.RemoteID != st.Key+"@acme.test" || st.Attempts != 1 {
		t.Errorf("outbox %+v", st)
	}
	msgs = d.thread(t)
	if last := msgs[len(msgs)-1]; len(msgs) != 3 || last.Direction != "out" || last.Text != grinderReply ||
		last.OutboxStatus != inbox.OutboxSent || last.ExtID != st.RemoteID {
		t.Errorf("thread after the reply: %d messages, last %+v", len(msgs), last)
	}

	d.wait(time.Hour)
	if err := d.eng.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(d.smtp.mails()); n != 1 {
		t.Errorf("another sync sent %d mails in all, want still 1", n)
	}

	// The team Bccs itself: the reply comes back through IMAP and is known as ours.
	deliverRaw(t, dc, "1795530000.M3P1.test", got[0].data, time.Time{})
	if err := d.eng.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := d.thread(t); len(msgs) != 3 {
		t.Errorf("the reply read back from the mailbox was stored again: %d messages", len(msgs))
	}
}

// TestEngineEmailRefusals: a temporary SMTP refusal (451) is retried once its time has
// come, and exactly one mail goes out; a permanent one (550) leaves the reply failed,
// with its text in the conversation, and it is not tried again.
func TestEngineEmailRefusals(t *testing.T) {
	dc := startDovecot(t)
	deliverGrinderThread(t, dc)

	queued := func(t *testing.T) *e2eDesk {
		d := newE2EDesk(t, dc.addr)
		ctx := ctxT(t)
		if err := d.eng.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.svc.Reply(ctx, d.conversation(t), grinderReply); err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("451 then accepted", func(t *testing.T) {
		d := queued(t)
		ctx := ctxT(t)
		d.smtp.refuseRcpt(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try again later"})
		if err := d.eng.Once(ctx); err == nil || !strings.Contains(err.Error(), "451") {
			t.Fatalf("Once = %v, want the 451", err)
		}
		if st := d.outbox(t); st.Status != inbox.OutboxPending || st.Attempts != 1 || !strings.Contains(st.LastError, "Greylisted") {
			t.Fatalf("after the 451: %+v", st)
		}
		d.smtp.refuseRcpt(nil)
		d.wait(20 * time.Second) // the adapter asks for 30 s after a 4xx
		if err := d.eng.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if n, st := len(d.smtp.mails()), d.outbox(t); n != 0 || st.Attempts != 1 {
			t.Fatalf("retried before its time: %d mails, %+v", n, st)
		}
		d.wait(15 * time.Second)
		if err := d.eng.Once(ctx); err != nil {
			t.Fatal(err)
		}
		d.wait(time.Hour)
		if err := d.eng.Once(ctx); err != nil {
			t.Fatal(err)
		}
		got, st := d.smtp.mails(), d.outbox(t)
		if len(got) != 1 || st.Status != inbox.OutboxSent || st.Attempts != 2 || !bytes.Contains(got[0].data, []byte("<"+st.RemoteID+">")) {
			t.Errorf("%d mails, outbox %+v", len(got), st)
		}
	})

	t.Run("550 fails and stays visible", func(t *testing.T) {
		d := queued(t)
		ctx := ctxT(t)
		d.smtp.refuseRcpt(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"})
		if err := d.eng.Once(ctx); err == nil || !strings.Contains(err.Error(), "550") {
			t.Fatalf("Once = %v, want the 550", err)
		}
		st := d.outbox(t)
		if st.Status != inbox.OutboxFailed || st.Attempts != 1 || !strings.Contains(st.LastError, "550") || !strings.Contains(st.LastError, "No such user") {
			t.Errorf("outbox %+v", st)
		}
		msgs := d.thread(t)
		if last := msgs[len(msgs)-1]; last.Direction != "out" || last.Text != grinderReply || last.OutboxStatus != inbox.OutboxFailed {
			t.Errorf("the failed reply is not visible with its text: %+v", last)
		}
		d.smtp.refuseRcpt(nil)
		d.wait(24 * time.Hour)
		if err := d.eng.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if n, st := len(d.smtp.mails()), d.outbox(t); n != 0 || st.Status != inbox.OutboxFailed {
			t.Errorf("a failed reply was sent again: %d mails, %+v", n, st)
		}
	})
}

// TestEngineEmailSenderClockAhead: a customer's mail whose Date is ahead of our clock (a
// sender with a wrong clock or time zone) is still the mail a reply answers: the reply
// keeps its subject, threads under it and quotes it, and the mail counts as answered.
func TestEngineEmailSenderClockAhead(t *testing.T) {
	dc := startDovecot(t)
	raw := strings.Replace(grinderRoot, "Tue, 24 Nov 2026 09:00:00 +0000", "Wed, 25 Nov 2026 14:00:00 +0000", 1)
	deliverRaw(t, dc, "1795600000.M1P1.test", []byte(raw), time.Date(2026, 11, 25, 11, 58, 0, 0, time.UTC))
	d := newE2EDesk(t, dc.addr) // our clock: 12:00, two hours before the mail's Date
	ctx := ctxT(t)
	if err := d.eng.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Reply(ctx, d.conversation(t), grinderReply); err != nil {
		t.Fatal(err)
	}
	if err := d.eng.Once(ctx); err != nil {
		t.Fatal(err)
	}
	got := d.smtp.mails()
	if len(got) != 1 {
		t.Fatalf("SMTP received %d mails, want 1", len(got))
	}
	m, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if s, irt := m.Header.Get("Subject"), m.Header.Get("In-Reply-To"); s != "Re: Grinder arrived broken" || irt != "<grinder-1@customer.test>" ||
		!strings.Contains(parse(bytes.NewReader(got[0].data)).text, "> the grinder I ordered arrived with a cracked hopper.") {
		t.Errorf("reply to a mail dated ahead: Subject %q, In-Reply-To %q, body:\n%s", s, irt, got[0].data)
	}
	th, err := d.svc.Thread(ctx, d.conversation(t), 10)
	if err != nil || th.Info.Unanswered != 0 {
		t.Errorf("after the reply: %d unanswered, %v", th.Info.Unanswered, err)
	}
}
