package mastodon

import (
	"html"
	"strings"
)

// plainText turns a status's HTML content into the text a person wrote: tags go, a
// paragraph ends with a blank line, <br> is a line break, list items start lines, link
// text stays (Mastodon splits long URLs into visible and "invisible" spans; both are
// kept, so the URL reads whole), entities are unescaped and runs of source whitespace are
// one space, as a browser shows them.
//
// Mastodon sanitises content (its own and remote servers') to a few tags and attributes,
// so a small tokenizer serves; the result is still untrusted text for the terminal.
func plainText(s string) string {
	var b strings.Builder
	for s != "" {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			text(&b, s)
			break
		}
		text(&b, s[:lt])
		s = s[lt:]
		if !startsTag(s) {
			b.WriteByte('<') // "1 < 2": text
			s = s[1:]
			continue
		}
		gt := tagEnd(s)
		if gt < 0 {
			text(&b, s) // an unclosed tag: keep it as text
			break
		}
		name, closing := tagName(s[1:gt])
		switch name {
		case "br":
			b.WriteString("\n")
		case "p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol":
			if closing {
				b.WriteString("\n\n")
			}
		case "li":
			if !closing {
				b.WriteString("\n- ")
			}
		}
		s = s[gt+1:]
	}
	return tidy(b.String())
}

// text writes a run of text with entities unescaped and whitespace collapsed.
func text(b *strings.Builder, s string) {
	if s == "" {
		return
	}
	s = html.UnescapeString(s)
	lead := isSpace(s[0])
	trail := isSpace(s[len(s)-1])
	f := strings.Fields(strings.Map(func(r rune) rune {
		if r == '\u00a0' {
			return 0x1 // &nbsp; is not collapsed: keep it through Fields
		}
		return r
	}, s))
	if len(f) == 0 {
		if lead {
			b.WriteByte(' ')
		}
		return
	}
	if lead {
		b.WriteByte(' ')
	}
	b.WriteString(strings.ReplaceAll(strings.Join(f, " "), "\x01", " "))
	if trail {
		b.WriteByte(' ')
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

// startsTag reports whether s, which begins with '<', begins a tag: "<p", "</p", "<!--";
// "< 2" is text.
func startsTag(s string) bool {
	if len(s) < 2 {
		return false
	}
	c := s[1] | 0x20
	return c >= 'a' && c <= 'z' || s[1] == '/' || s[1] == '!'
}

// tagEnd returns the index of the '>' closing the tag at the start of s, skipping quoted
// attribute values, or -1.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

// tagName reads "p class=…", "/p" or "br /" as a lower-case name and whether it closes.
func tagName(tag string) (name string, closing bool) {
	tag = strings.TrimSpace(tag)
	if strings.HasPrefix(tag, "/") {
		closing, tag = true, tag[1:]
	}
	end := strings.IndexFunc(tag, func(r rune) bool { return r == ' ' || r == '/' || r == '\t' || r == '\n' })
	if end >= 0 {
		tag = tag[:end]
	}
	return strings.ToLower(tag), closing
}

// tidy trims each line, keeps at most one blank line in a row, and trims the whole.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			if blank++; blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
