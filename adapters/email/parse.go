package email

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset" // registers every charset with go-message
	gomail "github.com/emersion/go-message/mail"
	"github.com/inbucket/html2text"
	"golang.org/x/text/encoding/charmap"

	"github.com/triage-inbox/triage/inbox"
)

// maxPart bounds the text kept from one body part: a 10 MB HTML newsletter should not
// become a 10 MB row in the queue.
const maxPart = 1 << 20

// noText stands in for a message without any text, which ingest would otherwise refuse.
const noText = "(no text)"

// synthDomain marks a Message-ID made up for a message that had none.
const synthDomain = "no-message-id.invalid"

// parsed is what one raw message says, before it is tied to an account.
type parsed struct {
	id         string
	inReplyTo  string
	references []string
	fromAddr   string
	fromName   string
	subject    string
	date       time.Time
	text       string
	hash       string // of the raw bytes: a stable id for a message without Message-ID
	notMail    error  // why this is no email at all (sync keeps it as a note; import rejects it)
}

// errNoHeader is why an empty file, or one without a single header field, is no email.
var errNoHeader = errors.New("no header")

// wordDecoder decodes RFC 2047 encoded words in any charset go-message knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// parse reads a raw RFC 5322 message to its end. It never fails: a message that cannot
// be read becomes a note saying so, because dropping it silently would lose mail and
// stopping would hold every later message behind it.
func parse(r io.Reader) *parsed {
	sum := sha256.New()
	tee := io.TeeReader(r, sum)
	p := &parsed{}
	mr, err := gomail.CreateReader(tee)
	if err != nil && !message.IsUnknownCharset(err) {
		p.notMail = err
		p.subject = "(unreadable email)"
		p.text = "This email could not be read: " + err.Error()
	} else {
		if mr.Header.Len() == 0 {
			p.notMail = errNoHeader
		}
		p.readHeader(mr.Header)
		p.readBody(mr)
	}
	_, _ = io.Copy(io.Discard, tee) // the hash covers the whole message
	p.hash = hex.EncodeToString(sum.Sum(nil))[:32]
	p.validUTF8()
	return p
}

// validUTF8 replaces invalid UTF-8 in the text a person reads: header values that are
// not encoded words (8-bit Subject or From, a bad charset) and error text arrive raw.
// Message ids are left as sent: they are dedup and threading keys.
func (p *parsed) validUTF8() {
	for _, s := range []*string{&p.fromAddr, &p.fromName, &p.subject, &p.text} {
		*s = strings.ToValidUTF8(*s, "\uFFFD")
	}
}

func (p *parsed) readHeader(h gomail.Header) {
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		p.id = ids[0]
	}
	if ids := msgIDs(h.Get("In-Reply-To")); len(ids) > 0 {
		p.inReplyTo = ids[0]
	}
	p.references = msgIDs(h.Get("References"))
	p.subject, _ = h.Subject() // on error, the raw value is returned: better than nothing
	p.subject = fixC1(p.subject)
	p.date, _ = h.Date()
	for _, key := range []string{"From", "Sender", "Reply-To"} {
		if addrs, err := h.AddressList(key); err == nil && len(addrs) > 0 {
			p.fromAddr, p.fromName = addrs[0].Address, fixC1(addrs[0].Name)
			return
		}
		if raw := strings.TrimSpace(h.Get(key)); raw != "" && p.fromAddr == "" {
			// Malformed but present: keep the raw text, with an address if one is inside.
			p.fromAddr = rawAddress(raw)
		}
	}
}

// readBody keeps the plain-text parts, or the HTML parts as text when there is no plain
// one, and lists attachments by name at the end.
func (p *parsed) readBody(mr *gomail.Reader) {
	var plain, html, attached []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			// A broken MIME structure: keep what was read so far.
			break
		}
		h := partHeader(part.Header)
		ct, ctParams, _ := h.ContentType()
		disp, dispParams, _ := h.ContentDisposition()
		name := filename(dispParams["filename"], ctParams["name"])
		body := disp != "attachment" && name == ""
		switch {
		case body && ct == "text/plain":
			plain = append(plain, readText(part.Body))
		case body && ct == "text/html":
			html = append(html, readText(part.Body))
		default:
			if name == "" {
				name = ct // an unnamed part: say what it is
				if ct == "message/rfc822" {
					name = "forwarded email"
				}
			}
			attached = append(attached, name)
		}
	}
	text := strings.TrimSpace(strings.Join(plain, "\n\n"))
	if text == "" && len(html) > 0 {
		text = strings.TrimSpace(htmlToText(strings.Join(html, "\n")))
	}
	var b strings.Builder
	b.WriteString(text)
	for i, name := range attached {
		if i == 0 && text != "" {
			b.WriteString("\n")
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("[attachment: " + name + "]")
	}
	p.text = b.String()
}

// htmlToText renders HTML as readable text: paragraphs, lists, links as "text ( url )".
func htmlToText(s string) string {
	text, err := html2text.FromString(s, html2text.Options{})
	if err != nil {
		return s // the parser gave up: raw HTML beats no text
	}
	return text
}

// readText reads one decoded text part (charset already converted to UTF-8) with line
// ends made "\n".
func readText(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxPart))
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return fixC1(s)
}

// fixC1 turns C1 control characters into what Windows-1252 has at those bytes. Mail that
// says ISO-8859-1 is very often Windows-1252 (curly quotes, €, …), as browsers assume
// too; real C1 controls never belong in a message.
func fixC1(s string) string {
	if !strings.ContainsFunc(s, isC1) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isC1(r) {
			return charmap.Windows1252.DecodeByte(byte(r))
		}
		return r
	}, s)
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// partHeader returns the MIME header of a part, whichever kind the reader made of it.
func partHeader(h gomail.PartHeader) message.Header {
	switch h := h.(type) {
	case *gomail.InlineHeader:
		return h.Header
	case *gomail.AttachmentHeader:
		return h.Header
	}
	return message.Header{}
}

// filename prefers Content-Disposition's filename (RFC 2231 already decoded) over
// Content-Type's name, and decodes the encoded words many mailers put there anyway.
func filename(disp, ct string) string {
	name := disp
	if name == "" {
		name = ct
	}
	if dec, err := wordDecoder.DecodeHeader(name); err == nil {
		name = dec
	}
	return strings.TrimSpace(fixC1(name))
}

// msgIDs reads a Message-ID, In-Reply-To or References field leniently: ids are taken
// from their angle brackets, or, where a mailer left those out, split on spaces.
func msgIDs(v string) []string {
	var ids []string
	rest := v
	for {
		open := strings.IndexByte(rest, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '>')
		if end < 0 {
			break
		}
		if id := strings.TrimSpace(rest[open+1 : open+end]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[open+end+1:]
	}
	if len(ids) == 0 {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n' }) {
			if strings.Contains(f, "@") {
				ids = append(ids, f)
			}
		}
	}
	return ids
}

// rawAddress finds something address-like in a From field that did not parse.
func rawAddress(raw string) string {
	if ids := msgIDs(raw); len(ids) > 0 {
		return ids[0]
	}
	return raw
}

// toMessage ties a parsed message to this account. received is when the server got it
// (INTERNALDATE, or a Maildir's delivery time), used when the Date header is missing or
// later than that.
func (a *Adapter) toMessage(p *parsed, received time.Time) inbox.Message {
	id := p.id
	if id == "" {
		id = p.hash + "@" + synthDomain
	}
	conv := id
	switch {
	case len(p.references) > 0:
		conv = p.references[0]
	case p.inReplyTo != "":
		conv = p.inReplyTo
	}
	created := p.date
	if created.IsZero() || (!received.IsZero() && created.After(received)) {
		// Date is the sender's clock, often wrong (a skewed clock, a wrong time zone): a
		// mail dated after the server got it would sort after the reply that answers it.
		created = received
	}
	if created.IsZero() {
		created = a.now()
	}
	text := p.text
	if strings.TrimSpace(text) == "" {
		text = noText
	}
	author := &inbox.Author{ID: strings.ToLower(p.fromAddr), Handle: p.fromAddr, Name: p.fromName}
	if author.ID == "" {
		author.ID = "unknown"
	}
	dir := inbox.In
	if a.ours(p.fromAddr) {
		dir = inbox.Out
	}
	return inbox.Message{
		Channel:      Channel,
		Account:      a.address,
		ID:           id,
		Conversation: conv,
		InReplyTo:    p.inReplyTo,
		Kind:         inbox.KindEmail,
		Direction:    dir,
		Author:       author,
		Subject:      p.subject,
		Text:         text,
		CreatedAt:    created.UTC(),
	}
}

// ours reports whether mail from addr is the brand's own: from the account's address, or
// from one of the other addresses an import was given.
func (a *Adapter) ours(addr string) bool {
	if addr == "" {
		return false
	}
	return strings.EqualFold(addr, a.address) || slices.ContainsFunc(a.also, func(s string) bool { return strings.EqualFold(addr, s) })
}
