// Package termsafe makes text from outside safe to print on a terminal. It is the one
// sanitizer of triage: the screens (ui.Safe) and the commands that print what a file
// said (import) both use it.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// Safe makes untrusted text (message bodies, names, handles, URLs, tags, agent names
// from imports) safe to put on a terminal, on one line: escape sequences (CSI, OSC, DCS,
// APC, …) are removed whole, other control characters are shown as visible symbols,
// bidirectional overrides and invisible format characters are dropped, and invalid UTF-8
// becomes U+FFFD. Every view renders outside text through this function or SafeText.
func Safe(s string) string { return sanitize(s, false) }

// SafeText is Safe for multi-line text: newlines are kept, everything else as Safe.
func SafeText(s string) string { return sanitize(s, true) }

func sanitize(s string, multiline bool) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune('\uFFFD')
			i++
			continue
		}
		switch {
		case r == 0x1b: // ESC: skip the whole sequence it starts
			i = skipEscape(s, i+size)
			continue
		case r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // C1 CSI, OSC, DCS, SOS, PM, APC
			i = skipC1(s, i+size, r)
			continue
		case r == '\n' || r == '\r':
			if multiline {
				if r == '\r' {
					if i+1 < len(s) && s[i+1] == '\n' {
						i++ // CRLF is one line break
					}
				}
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteString("    ")
		case r < 0x20:
			b.WriteRune(0x2400 + r) // control pictures: ␇ for BEL, ␈ for BS, ␍ for CR …
		case r == 0x7f:
			b.WriteRune('␡')
		case r >= 0x80 && r <= 0x9f:
			b.WriteRune('\uFFFD') // other C1 controls
		case invisible(r):
			// dropped: they reorder or hide text, which lets a message lie about itself
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// invisible reports the format characters that can reorder text (bidi overrides and
// isolates) or hide characters (zero-width spaces, word joiner, BOM, soft hyphen, tag
// characters). The zero-width joiner and non-joiner stay: emoji sequences and several
// scripts need them.
func invisible(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true // bidi embeddings, overrides, isolates and marks
	case r == 0x200B, r == 0x2060, r == 0xFEFF, r == 0x00AD, r == 0x180E, r >= 0x2061 && r <= 0x2064:
		return true
	case r >= 0xE0000 && r <= 0xE007F:
		return true // tag characters
	case r >= 0xFFF9 && r <= 0xFFFB:
		return true // interlinear annotation
	}
	return false
}

// skipEscape returns the index after the escape sequence whose ESC ended just before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI: parameters and intermediates, then one final byte 0x40–0x7E
		for j := i + 1; j < len(s); j++ {
			if c := s[j]; c >= 0x40 && c <= 0x7e {
				return j + 1
			}
		}
		return len(s)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		return skipString(s, i+1)
	}
	// Two-character sequences (ESC c, ESC 7, …) and ESC with intermediates (ESC ( B).
	j := i
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) {
		_, size := utf8.DecodeRuneInString(s[j:])
		return j + size
	}
	return j
}

// skipC1 skips a sequence opened by a C1 control in its UTF-8 form.
func skipC1(s string, i int, r rune) int {
	if r == 0x9b {
		for j := i; j < len(s); j++ {
			if c := s[j]; c >= 0x40 && c <= 0x7e {
				return j + 1
			}
		}
		return len(s)
	}
	return skipString(s, i)
}

// skipString skips a control string up to its terminator: BEL, ESC \ or C1 ST.
func skipString(s string, i int) int {
	for j := i; j < len(s); j++ {
		switch {
		case s[j] == 0x07:
			return j + 1
		case s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\':
			return j + 2
		case s[j] == 0xc2 && j+1 < len(s) && s[j+1] == 0x9c:
			return j + 2
		}
	}
	return len(s)
}
