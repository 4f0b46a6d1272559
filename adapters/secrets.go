package adapters

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Redaction. A server may repeat what it was sent in its error reply: the AUTH line of an
// SMTP login, the LOGIN command of IMAP, a JSON body, the URL with its query. Matching
// the raw secret is not enough, because a secret travels encoded, so Secrets knows each
// secret in every form it can take on the way:
//
//   - raw;
//   - base64 (SASL PLAIN and LOGIN, HTTP basic auth): any run of base64 text whose decoding
//     holds a secret is removed whole, whatever else was encoded with it (the user name);
//   - URL-escaped, as a query value or in userinfo, with upper- or lower-case hex;
//   - JSON-escaped, with or without HTML escaping, "\/" for "/", and \uXXXX for non-ASCII;
//   - IMAP-quoted (`"` and `\` behind a backslash).
//
// What a server says back becomes an error only through ServerText, which also keeps it
// to one short printable line.

// MaxServerText is how many characters of what a server said an error keeps.
const MaxServerText = 200

// Redacted replaces a secret wherever it is found.
const Redacted = "[redacted]"

// minSecret is the shortest text redacted as a secret: shorter, it would cut ordinary words
// out of every message (and "" would match everywhere).
const minSecret = 4

// Secrets is a set of secrets known in every encoding they travel in. The zero value is
// empty and ready; it is safe for concurrent use.
type Secrets struct {
	mu  sync.Mutex
	raw []string
}

// Add puts secrets in the set; ones too short to hide (fewer than 4 bytes) are skipped.
func (s *Secrets) Add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range secrets {
		if len(x) >= minSecret && !slices.Contains(s.raw, x) {
			s.raw = append(s.raw, x)
		}
	}
}

// list returns the secrets of the set and the extra ones.
func (s *Secrets) list(extra []string) []string {
	var out []string
	if s != nil {
		s.mu.Lock()
		out = slices.Clone(s.raw)
		s.mu.Unlock()
	}
	for _, x := range extra {
		if len(x) >= minSecret {
			out = append(out, x)
		}
	}
	return out
}

// Redact returns text with every secret of the set and of extra removed, in every form.
func (s *Secrets) Redact(text string, extra ...string) string {
	return redact(text, s.list(extra))
}

// known holds every secret this process has fetched (Account.Secret adds to it), so a
// copy of one is caught at every exit, whichever adapter or destination let it through.
var known Secrets

// Remember adds secrets that did not come from Account.Secret (a token in a configured
// URL) to those Redact and ServerText always remove.
func Remember(secrets ...string) { known.Add(secrets...) }

// Redact returns text without any secret this process has fetched or remembered, nor the
// extra ones, in any of the forms they travel in.
func Redact(text string, extra ...string) string { return known.Redact(text, extra...) }

// ServerText is what a server said, made fit to keep in an error: without any secret
// (Redact), on one line without control characters or bidi overrides, and cut to
// MaxServerText characters. Redaction comes first, so a cut never leaves part of one.
func ServerText(text string, extra ...string) string {
	return oneLine(Redact(text, extra...), MaxServerText)
}

// RedactError returns err when its text holds no secret; otherwise an error with the
// secrets removed, and the same class (Temporary, Permanent, status), but none of the
// chain below it: unwrapping would lead back to the secret.
func RedactError(err error, extra ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := Redact(msg, extra...)
	if clean == msg {
		return err
	}
	var ae *Error
	if errors.As(err, &ae) {
		c := *ae
		c.Err = redactedError(clean)
		return &c
	}
	return redactedError(clean)
}

type redactedError string

func (e redactedError) Error() string { return string(e) }

// URLSecrets returns the parts of a URL that may hold a credential: every query value, and
// the userinfo's password.
func URLSecrets(u *url.URL) []string {
	if u == nil {
		return nil
	}
	var out []string
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw)
		}
	}
	return out
}

// redact removes every form of every secret from text: base64 runs first (they are
// recognised by decoding, so they must be whole), then the other forms, longest first.
func redact(text string, secrets []string) string {
	if len(secrets) == 0 || text == "" {
		return text
	}
	text = base64Run.ReplaceAllStringFunc(text, func(run string) string {
		if decodesToSecret(run, secrets) {
			return Redacted
		}
		return run
	})
	var needles []string
	for _, s := range secrets {
		needles = append(needles, forms(s)...)
	}
	slices.SortFunc(needles, func(a, b string) int { return len(b) - len(a) })
	for _, n := range slices.Compact(needles) {
		if len(n) >= minSecret {
			text = strings.ReplaceAll(text, n, Redacted)
		}
	}
	return text
}

// forms lists the ways s is written on the wire, other than base64.
func forms(s string) []string {
	out := []string{s, imapQuoted(s)}
	for _, j := range jsonForms(s) {
		out = append(out, j, strings.ReplaceAll(j, "/", `\/`))
	}
	userinfo := strings.TrimPrefix(url.UserPassword("u", s).String(), "u:")
	for _, e := range []string{url.QueryEscape(s), url.PathEscape(s), userinfo, strings.ReplaceAll(url.QueryEscape(s), "+", "%20")} {
		out = append(out, e, lowerHex(e))
	}
	return out
}

// imapQuoted is s inside an IMAP quoted string (RFC 3501), without the quotes.
func imapQuoted(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// jsonForms is s inside a JSON string, as encoders write it: HTML-escaped (Go) or not,
// each also ASCII-only (\uXXXX for the rest, in lower or upper case, as Python writes).
func jsonForms(s string) []string {
	html, _ := json.Marshal(s)
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	p := strings.TrimSuffix(plain.String(), "\n")
	var out []string
	for _, q := range []string{string(html), p} {
		ascii := asciiJSON(q)
		out = append(out, unquote(q), unquote(ascii), unquote(upperU(ascii)))
	}
	return out
}

func unquote(q string) string { return strings.TrimSuffix(strings.TrimPrefix(q, `"`), `"`) }

// asciiJSON escapes every non-ASCII rune of a JSON string as \uXXXX (a surrogate pair
// above the BMP), as Python's json.dumps does by default.
func asciiJSON(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

var uEscape = regexp.MustCompile(`\\u[0-9a-f]{4}`)

// upperU writes the hex digits of \u escapes in upper case.
func upperU(q string) string {
	return uEscape.ReplaceAllStringFunc(q, func(e string) string { return `\u` + strings.ToUpper(e[2:]) })
}

var pctEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

// lowerHex writes percent escapes with lower-case hex digits, as some servers echo them.
func lowerHex(e string) string {
	return pctEscape.ReplaceAllStringFunc(e, strings.ToLower)
}

// base64Run is a run of base64 text (either alphabet, padded or not), "/" possibly
// JSON-escaped as "\/".
var base64Run = regexp.MustCompile(`(?:[A-Za-z0-9+_=-]|\\?/){6,}`)

// decodesToSecret reports whether a run of base64 text, or a piece of it between "="
// signs, at any alignment, decodes to bytes that hold a secret. The user name encoded
// before a password (SASL PLAIN, basic auth) shifts it but does not hide it.
func decodesToSecret(run string, secrets []string) bool {
	run = strings.ReplaceAll(run, `\/`, "/")
	for _, piece := range strings.Split(run, "=") {
		for off := 0; off < 4 && off < len(piece); off++ {
			p := piece[off:]
			if len(p)%4 == 1 {
				p = p[:len(p)-1]
			}
			for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
				b, err := enc.DecodeString(p)
				if err != nil {
					continue
				}
				for _, s := range secrets {
					if strings.Contains(string(b), s) {
						return true
					}
				}
			}
		}
	}
	return false
}

// oneLine keeps text to one printable line of at most max characters.
func oneLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1 // bidi overrides
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
