package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"unicode"

	gomail "github.com/emersion/go-message/mail"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// Send mails the reply over SMTP and returns its Message-ID (without angle brackets),
// which is out.Key at the domain of our address: the idempotency key stays visible in
// the mail, and Sent can look for it.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	if out.To == nil || strings.TrimSpace(out.To.Handle) == "" {
		return "", a.wrap(adapters.Permanent(errors.New("the reply has no recipient address")), "", "send reply")
	}
	to, err := mail.ParseAddress(out.To.Handle)
	if err != nil {
		return "", a.wrap(adapters.Permanent(fmt.Errorf("recipient %q is not an email address: %w", out.To.Handle, err)), "", "send reply")
	}
	id, raw, err := a.compose(out, to.Address)
	if err != nil {
		return "", a.wrap(adapters.Permanent(err), "", "compose reply to "+to.Address)
	}
	pw, err := a.password(ctx)
	if err != nil {
		return "", err
	}
	if err := a.submit(ctx, pw, to.Address, raw); err != nil {
		return "", a.wrap(err, pw, "send reply to "+to.Address+" via SMTP "+a.smtpAddr)
	}
	return id, nil
}

// compose writes the reply as a text/plain, quoted-printable message that threads under
// the message answered.
func (a *Adapter) compose(out inbox.Outgoing, to string) (id string, raw []byte, err error) {
	id = messageID(out.Key, a.address)
	var h gomail.Header
	h.SetDate(a.now())
	h.SetAddressList("From", []*gomail.Address{{Name: headerText(a.fromName), Address: a.address}})
	h.SetAddressList("To", []*gomail.Address{{Name: headerText(out.To.Name), Address: to}})
	h.SetSubject(replySubject(out.Subject))
	h.SetMessageID(id)
	parent := threadID(out.InReplyTo)
	if parent != "" {
		h.SetMsgIDList("In-Reply-To", []string{parent})
	}
	h.SetMsgIDList("References", references(threadID(out.Conversation), parent))
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	var buf bytes.Buffer
	w, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return "", nil, err
	}
	if _, err := io.WriteString(w, replyBody(out)); err != nil {
		return "", nil, err
	}
	if err := w.Close(); err != nil {
		return "", nil, err
	}
	return id, buf.Bytes(), nil
}

// replySubject is "Re: " and the subject answered, without stacking "Re: Re:".
func replySubject(subject string) string {
	s := headerText(subject)
	if len(s) >= 3 && strings.EqualFold(s[:3], "re:") {
		return s
	}
	return strings.TrimSpace("Re: " + s)
}

// replyBody is the reply's text and, when there is one, the original quoted below it.
// Outgoing carries no date for the original, so the attribution names only the author.
func replyBody(out inbox.Outgoing) string {
	text := strings.TrimRight(strings.ReplaceAll(out.Text, "\r\n", "\n"), "\n ")
	quote := strings.TrimRight(strings.ReplaceAll(out.Quote, "\r\n", "\n"), "\n ")
	if strings.TrimSpace(quote) == "" {
		return text + "\n"
	}
	who := headerText(out.To.Name)
	switch {
	case who == "":
		who = out.To.Handle
	case out.To.Handle != "":
		who += " <" + out.To.Handle + ">"
	}
	var b strings.Builder
	b.WriteString(text + "\n\n" + who + " wrote:\n")
	for _, line := range strings.Split(quote, "\n") {
		if line == "" {
			b.WriteString(">\n")
		} else {
			b.WriteString("> " + line + "\n")
		}
	}
	return b.String()
}

// references lists the thread root and the parent, once each, for References.
func references(root, parent string) []string {
	var ids []string
	for _, id := range []string{root, parent} {
		if id != "" && (len(ids) == 0 || ids[0] != id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// threadID returns id when it may go in In-Reply-To or References: not one we made up
// for a message without Message-ID (no mail client knows it), and nothing that could
// break the header.
func threadID(id string) string {
	id = strings.TrimSpace(strings.Trim(strings.TrimSpace(id), "<>"))
	if id == "" || strings.HasSuffix(id, "@"+synthDomain) || strings.ContainsFunc(id, func(r rune) bool {
		return r == '<' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r)
	}) {
		return ""
	}
	return id
}

// messageID is key@domain-of-address. A key with characters a Message-ID cannot hold is
// replaced by its hash, so the mapping stays one to one; no key gets a random id.
func messageID(key, address string) string {
	_, domain, _ := strings.Cut(address, "@")
	switch {
	case key == "":
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		key = "triage-" + hex.EncodeToString(b)
	case strings.ContainsFunc(key, func(r rune) bool { return !isIDChar(r) }) || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") || strings.Contains(key, ".."):
		sum := sha256.Sum256([]byte(key))
		key = "triage-" + hex.EncodeToString(sum[:16])
	}
	return key + "@" + domain
}

// isIDChar reports whether r may appear in the left side of a Message-ID (RFC 5322
// dot-atom text), less the characters some servers mishandle.
func isIDChar(r rune) bool {
	return r < unicode.MaxASCII && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_+=!#$%&*^~", r))
}

// headerText makes untrusted text safe for one header line: control characters (a
// newline would start a header of the sender's choosing) become spaces.
func headerText(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
}
