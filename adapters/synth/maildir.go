package synth

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/triage-inbox/triage/inbox"
)

// Maildir writes messages as a Maildir: one RFC 5322 file per message in cur/, so mail
// readers (neomutt, aerc, notmuch) can open the same inbox triage imports. Every message
// is rendered as an email, whatever its channel, so n messages make n files: an email
// keeps its Message-ID and threads by its conversation's first Message-ID; a social
// message gets a Message-ID made of its channel and id. Names and contents depend only
// on the messages and the order they come in, so the same seed writes the same bytes.
type Maildir struct {
	dir string
	seq int
	buf bytes.Buffer
}

// NewMaildir makes dir a Maildir (cur, new and tmp), refusing one that already holds mail
// in cur/, so two runs never mix.
func NewMaildir(dir string) (*Maildir, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("make maildir %s: %w", dir, err)
		}
	}
	ents, err := os.ReadDir(filepath.Join(dir, "cur"))
	if err != nil {
		return nil, fmt.Errorf("make maildir %s: %w", dir, err)
	}
	if len(ents) > 0 {
		return nil, fmt.Errorf("make maildir %s: %w", dir, ErrMaildirNotEmpty)
	}
	return &Maildir{dir: dir}, nil
}

// ErrMaildirNotEmpty is returned by NewMaildir for a Maildir that already has messages.
var ErrMaildirNotEmpty = errors.New("cur/ already holds messages")

// Write adds m as the next file: cur/SECONDS.SEQ.synth:2, where SECONDS is when m was
// written, so a Maildir reader's delivery order is the messages' time order.
func (w *Maildir) Write(m inbox.Message) error {
	w.seq++
	w.buf.Reset()
	RenderEmail(&w.buf, m)
	name := fmt.Sprintf("%d.M%06dP0.synth:2,", m.CreatedAt.Unix(), w.seq)
	if m.Direction == inbox.Out {
		name += "S" // the brand's own replies are seen
	}
	path := filepath.Join(w.dir, "cur", name)
	if err := os.WriteFile(path, w.buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write maildir message %s: %w", path, err)
	}
	return nil
}

// RenderEmail writes m as an RFC 5322 message: plain UTF-8 text, LF line ends as Maildir
// files keep them, non-ASCII header text in RFC 2047 encoded words.
func RenderEmail(b *bytes.Buffer, m inbox.Message) {
	brand := &mail.Address{Name: "Acme Coffee", Address: brandAddress(m)}
	from, to := brand, brand
	if m.Direction == inbox.In && m.Author != nil {
		from = &mail.Address{Name: m.Author.Name, Address: authorAddress(m)}
	} else if m.Direction == inbox.Out {
		from = &mail.Address{Name: strings.ToUpper(m.Agent[:1]) + m.Agent[1:] + " at Acme Coffee", Address: brandAddress(m)}
		to = &mail.Address{Address: "customer@" + m.Channel + ".synth.example"}
	}
	id := messageID(m)
	thread := threadID(m)
	fmt.Fprintf(b, "Date: %s\n", m.CreatedAt.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	fmt.Fprintf(b, "From: %s\n", from)
	fmt.Fprintf(b, "To: %s\n", to)
	fmt.Fprintf(b, "Subject: %s\n", mime.QEncoding.Encode("utf-8", Subject(m)))
	fmt.Fprintf(b, "Message-ID: %s\n", id)
	if thread != id {
		fmt.Fprintf(b, "In-Reply-To: %s\nReferences: %s\n", thread, thread)
	}
	fmt.Fprintf(b, "X-Triage-Channel: %s\nX-Triage-Kind: %s\n", m.Channel, m.Kind)
	if m.URL != "" {
		fmt.Fprintf(b, "X-Triage-URL: %s\n", m.URL)
	}
	b.WriteString("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")
	b.WriteString(m.Text)
	b.WriteString("\n")
}

// Subject is the subject a message gets in the Maildir: its channel and kind in brackets
// (a marker every list row shows) and the first words of its text, "Re:" on replies.
func Subject(m inbox.Message) string {
	s := firstLine(m.Text)
	if m.Direction == inbox.Out {
		s = "Re: " + s
	}
	tag := m.Channel
	if string(m.Kind) != m.Channel {
		tag += " " + string(m.Kind)
	}
	return "[" + tag + "] " + s
}

// firstLine is the first line of text worth reading (a greeting like "Hi," is skipped),
// cut to 60 runes on a rune boundary.
func firstLine(text string) string {
	var line string
	for l := range strings.Lines(text) {
		l = strings.TrimSpace(l)
		if l == "" || (utf8.RuneCountInString(l) < 20 && strings.HasSuffix(l, ",")) {
			continue
		}
		line = l
		break
	}
	if utf8.RuneCountInString(line) > 60 {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:59])) + "…"
	}
	return line
}

func brandAddress(m inbox.Message) string {
	if m.Channel == "email" {
		return m.Account
	}
	return m.Channel + "@acme.synth.example"
}

func authorAddress(m inbox.Message) string {
	if strings.Contains(m.Author.Handle, "@") && m.Channel == "email" {
		return m.Author.Handle
	}
	h := strings.Trim(strings.ReplaceAll(m.Author.Handle, "@", "."), ".")
	return h + "@" + m.Channel + ".synth.example"
}

func messageID(m inbox.Message) string {
	if strings.HasPrefix(m.ID, "<") {
		return m.ID
	}
	return "<" + m.ID + "@" + m.Channel + ".synth.example>"
}

// threadID is the Message-ID replies point at: the email conversation's key (its first
// Message-ID), or a stable one made of the conversation key elsewhere.
func threadID(m inbox.Message) string {
	if strings.HasPrefix(m.Conversation, "<") {
		return m.Conversation
	}
	return "<" + strings.ReplaceAll(m.Conversation, ":", ".") + "@" + m.Channel + ".synth.example>"
}
