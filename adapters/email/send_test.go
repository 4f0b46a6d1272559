package email

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// reply answers the third message of the testdata thread.
func reply() inbox.Outgoing {
	return inbox.Outgoing{
		OutboxID:     7,
		Key:          "ob-7-3f9a",
		Channel:      "email",
		Account:      testAddress,
		Conversation: "root-1@customer.test",
		Kind:         inbox.KindEmail,
		Text:         "Thanks Jane, we will send a new whistle.\nThe team",
		InReplyTo:    "follow-3@customer.test",
		To:           &inbox.Author{ID: "jane@customer.test", Handle: "jane@customer.test", Name: "Jane Doe"},
		Subject:      "Re: My kettle whistles off-key",
		Quote:        "Sure, it is attached to my next mail.\n\nJane",
	}
}

func TestSend(t *testing.T) {
	srv := startSMTP(t, testPassword)
	a := newAdapter(t, account(t, "127.0.0.1:1", srv.addr, map[string]any{"from_name": "Acme Support"}))
	concrete(a).now = func() time.Time { return time.Date(2024, 11, 18, 12, 0, 0, 0, time.UTC) }

	id, err := a.Send(ctxT(t), reply())
	if err != nil {
		t.Fatal(err)
	}
	if id != "ob-7-3f9a@acme.test" {
		t.Errorf("remote id %q, want the key at our domain", id)
	}
	got := srv.mails()
	if len(got) != 1 {
		t.Fatalf("server received %d mails, want 1", len(got))
	}
	rec := got[0]
	if rec.from != testAddress || len(rec.to) != 1 || rec.to[0] != "jane@customer.test" || rec.user != testAddress {
		t.Errorf("envelope from %q to %v (user %q)", rec.from, rec.to, rec.user)
	}
	m, err := mail.ReadMessage(bytes.NewReader(rec.data))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"From":                      `"Acme Support" <support@acme.test>`,
		"To":                        `"Jane Doe" <jane@customer.test>`,
		"Subject":                   "Re: My kettle whistles off-key",
		"Message-Id":                "<ob-7-3f9a@acme.test>",
		"In-Reply-To":               "<follow-3@customer.test>",
		"References":                "<root-1@customer.test> <follow-3@customer.test>",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"Mime-Version":              "1.0",
		"Date":                      "Mon, 18 Nov 2024 12:00:00 +0000",
	} {
		if got := m.Header.Get(key); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	p := parse(bytes.NewReader(rec.data))
	want := "Thanks Jane, we will send a new whistle.\nThe team\n\nJane Doe <jane@customer.test> wrote:\n> Sure, it is attached to my next mail.\n>\n> Jane"
	if p.text != want {
		t.Errorf("body:\n%s\nwant:\n%s", p.text, want)
	}

	// Read back from the mailbox (a Bcc, or the Sent folder), the reply threads into the
	// conversation as ours.
	msg := concrete(a).toMessage(p, time.Time{})
	if msg.Direction != inbox.Out || msg.Conversation != "root-1@customer.test" || msg.InReplyTo != "follow-3@customer.test" || msg.ID != id {
		t.Errorf("sent reply read back: %+v", msg)
	}
}

func TestComposeHeaders(t *testing.T) {
	a := &Adapter{address: testAddress, fromName: "Acme\r\nBcc: evil@x.test", now: time.Now}
	out := reply()
	out.Subject = "Kettle\r\nBcc: evil@x.test ünïcode"
	out.To.Name = "Jane\nX-Evil: 1"
	out.Key = "key with spaces"
	out.InReplyTo = "abc@" + synthDomain // made up by us: no client knows it
	out.Conversation = out.InReplyTo
	out.Quote = ""
	id, raw, err := a.compose(out, "jane@customer.test")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" || m.Header.Get("X-Evil") != "" {
		t.Errorf("header injection through untrusted text:\n%s", raw)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "Re: Kettle Bcc: evil@x.test ünïcode" {
		t.Errorf("subject %q", subject)
	}
	if m.Header.Get("In-Reply-To") != "" || m.Header.Get("References") != "" {
		t.Errorf("made-up ids leaked into threading headers:\n%s", raw)
	}
	if !strings.HasPrefix(id, "triage-") || !strings.HasSuffix(id, "@acme.test") || id != messageID("key with spaces", testAddress) {
		t.Errorf("id for an unsafe key: %q", id)
	}
	if body := parse(bytes.NewReader(raw)).text; body != "Thanks Jane, we will send a new whistle.\nThe team" {
		t.Errorf("body without quote: %q", body)
	}
}

func TestReplySubject(t *testing.T) {
	for in, want := range map[string]string{
		"Kettle":      "Re: Kettle",
		"Re: Kettle":  "Re: Kettle",
		"RE: Kettle":  "RE: Kettle",
		"re:Kettle":   "re:Kettle",
		"Fwd: Kettle": "Re: Fwd: Kettle",
		"":            "Re:",
	} {
		if got := replySubject(in); got != want {
			t.Errorf("replySubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSendErrors(t *testing.T) {
	ctx := ctxT(t)
	cases := []struct {
		name      string
		rcptErr   error
		password  string // what the adapter uses
		permanent bool
	}{
		{"550 recipient rejected", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}, testPassword, true},
		{"421 service unavailable", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Try again later"}, testPassword, false},
		{"451 greylisted", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted"}, testPassword, false},
		{"wrong password", nil, "wrong-" + testPassword, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, testPassword)
			srv.refuseRcpt(tc.rcptErr)
			a := newAdapter(t, account(t, "127.0.0.1:1", srv.addr, nil))
			t.Setenv(passwordEnv, tc.password)
			_, err := a.Send(ctx, reply())
			mustClass(t, err, tc.permanent)
			if strings.Contains(err.Error(), tc.password) {
				t.Errorf("error shows the password: %q", err)
			}
			if len(srv.mails()) != 0 {
				t.Error("a refused mail was recorded")
			}
		})
	}
	t.Run("server down", func(t *testing.T) {
		a := newAdapter(t, account(t, "127.0.0.1:1", "127.0.0.1:1", nil))
		_, err := a.Send(ctx, reply())
		mustClass(t, err, false)
	})
	t.Run("no recipient", func(t *testing.T) {
		a := newAdapter(t, account(t, "127.0.0.1:1", "127.0.0.1:1", nil))
		out := reply()
		out.To = &inbox.Author{ID: "x", Handle: "not an address"}
		_, err := a.Send(ctx, out)
		mustClass(t, err, true)
	})
	t.Run("server without AUTH", func(t *testing.T) {
		srv := startSMTP(t, "")
		a := newAdapter(t, account(t, "127.0.0.1:1", srv.addr, nil))
		_, err := a.Send(ctx, reply())
		mustClass(t, err, true)
	})
}

func TestSentChecker(t *testing.T) {
	imapSrv := startIMAP(t)
	if err := imapSrv.user.Create("Sent", nil); err != nil {
		t.Fatal(err)
	}
	smtpSrv := startSMTP(t, testPassword)
	a := newAdapter(t, account(t, imapSrv.addr, smtpSrv.addr, nil))
	check, ok := a.(adapters.Checker)
	if !ok {
		t.Fatal("IMAP adapter is not a Checker")
	}
	ctx := ctxT(t)
	out := reply()
	if _, found, err := check.Sent(ctx, out); err != nil || found {
		t.Fatalf("before sending: found %v, err %v", found, err)
	}
	id, err := a.Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	// The server files what it sent in Sent, as Gmail and many hosts do.
	imapSrv.appendRaw(t, "Sent", smtpSrv.mails()[0].data)
	got, found, err := check.Sent(ctx, out)
	if err != nil || !found || got != id {
		t.Fatalf("after sending: id %q found %v err %v, want %q", got, found, err, id)
	}
	other := out
	other.Key = "ob-8-other"
	if _, found, err := check.Sent(ctx, other); err != nil || found {
		t.Errorf("another key: found %v, err %v", found, err)
	}
}
