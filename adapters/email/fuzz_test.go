package email

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzMails are raw messages: well-formed ones and the broken shapes mail arrives in.
var fuzzMails = []string{
	// plain
	"From: Ana <ana@example.test>\r\nTo: support@acme.test\r\nSubject: Where is my order?\r\n" +
		"Date: Fri, 20 Nov 2026 10:00:00 +0100\r\nMessage-ID: <a1@example.test>\r\n\r\nHello,\r\nwhere is it?\r\n",
	// multipart/alternative
	"From: ana@example.test\r\nSubject: alt\r\nMessage-ID: <a2@example.test>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain part\r\n" +
		"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html <b>part</b></p>\r\n--b1--\r\n",
	// broken boundary: declared but never used, and never closed
	"From: ana@example.test\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary=\"nope\"\r\n\r\n--other\r\n" +
		"Content-Type: text/plain\r\n\r\ntext\r\n--nope\r\nContent-Type: text/plain\r\n",
	// multipart without a boundary parameter
	"From: ana@example.test\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n",
	// base64 and quoted-printable, latin1
	"From: =?utf-8?B?w4FuYQ==?= <ana@example.test>\r\nSubject: =?iso-8859-1?Q?caf=E9?=\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =93quoted=94=\r\n soft break\r\n" +
		"--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nw6lsw6hudGUgYmFzZTY0\r\n" +
		"--x\r\nContent-Type: application/pdf; name=\"=?utf-8?Q?r=C3=A9sum=C3=A9.pdf?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--x--\r\n",
	// bad base64 and bad quoted-printable
	"From: ana@example.test\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@====\r\n",
	"From: ana@example.test\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\xff=0\r\n",
	// a 100 KB header line
	"From: ana@example.test\r\nSubject: " + strings.Repeat("long ", 20<<10) + "\r\n\r\nbody\r\n",
	"X-Long: " + strings.Repeat("a", 100<<10) + "\r\n\r\nbody\r\n",
	// an encoded-word subject with a bad charset, and one with a broken encoding
	"From: ana@example.test\r\nSubject: =?x-no-such-charset?Q?hi?=\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nbody \xff\xfe\r\n",
	"From: =?utf-8?B?!!!?= <ana@example.test>\r\nSubject: =?utf-8?Q?=FF=FE?= \xff raw\r\n\r\n\r\n",
	// no header at all, no body, garbage
	"", "\r\n\r\n", "just text, no header", "\x00\x01\x02:\r\n",
	"Subject: \x1b]52;c;aGk=\x07 \u202e C1 \u0085\u009b\r\nFrom: \"\x85\x9b\" <a@b>\r\n\r\n\x9b31mhi\r\n",
	"From: ana@example.test\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@example.test\r\n\r\ninner\r\n",
	"From: ana@example.test\r\nContent-Type: text/html\r\n\r\n<html><body><p>only html<script>x</script></body></html>\r\n",
}

// FuzzParse checks that any raw message parses without panicking into a message that
// passes Validate, with valid UTF-8 text, subject and author.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzMails {
		f.Add([]byte(s))
	}
	if files, err := filepath.Glob(filepath.Join("testdata", "*.eml")); err == nil {
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	received := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	a := &Adapter{name: "support", address: "support@acme.test", now: func() time.Time { return received }}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := parse(bytes.NewReader(raw))
		m := a.toMessage(p, received)
		m.Normalize()
		if err := m.Validate(); err != nil {
			t.Fatalf("parse(%q) gave an invalid message: %v", raw, err)
		}
		for what, s := range map[string]string{"text": m.Text, "subject": m.Subject, "author name": m.Author.Name, "author handle": m.Author.Handle} {
			if !utf8.ValidString(s) {
				t.Fatalf("parse(%q): %s %q is not valid UTF-8", raw, what, s)
			}
		}
	})
}
