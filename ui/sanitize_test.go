package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestSafeRemovesTerminalAttacks(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Where is my order?", "Where is my order?"},
		{"clear screen", "hi\x1b[2J\x1b[Hthere", "hithere"},
		{"colour", "\x1b[31mred\x1b[0m", "red"},
		{"set title BEL", "a\x1b]0;pwned\x07b", "ab"},
		{"set title ST", "a\x1b]2;pwned\x1b\\b", "ab"},
		{"OSC 52 clipboard", "x\x1b]52;c;cm0gLXJmIH4=\x07y", "xy"},
		{"OSC 8 link", "\x1b]8;;https://evil.test\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"APC", "a\x1b_Gf=100;AAAA\x1b\\b", "ab"},
		{"C1 CSI", "a\u009b2Jb", "ab"},
		{"C1 OSC", "a\u009d0;title\u009cb", "ab"},
		{"unterminated OSC", "a\x1b]0;never ends", "a"},
		{"ESC c reset", "a\x1bcb", "ab"},
		{"charset", "a\x1b(0b", "ab"},
		{"bell and backspace", "ding\x07\x08", "ding␇␈"},
		{"carriage return", "fake\rreal", "fake real"},
		{"newline on one line", "two\nlines", "two lines"},
		{"tab", "a\tb", "a    b"},
		{"DEL", "a\x7fb", "a␡b"},
		{"bidi override", "invoice\u202Egnp.exe", "invoicegnp.exe"},
		{"bidi isolate", "a\u2066b\u2069c", "abc"},
		{"zero width space in handle", "@a\u200Bna", "@ana"},
		{"BOM", "\uFEFFhi", "hi"},
		{"tag characters", "hi\U000E0041\U000E0042", "hi"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"emoji ZWJ kept", "👨‍👩‍👧 family", "👨‍👩‍👧 family"},
		{"CJK kept", "コーヒーミル", "コーヒーミル"},
		{"combining kept", "e\u0301", "e\u0301"},
	}
	for _, c := range cases {
		got := Safe(c.in)
		if got != c.want {
			t.Errorf("%s: Safe(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		if strings.ContainsAny(got, "\x1b\x07\r\n\u009b\u009d") || !utf8.ValidString(got) {
			t.Errorf("%s: output still holds control characters: %q", c.name, got)
		}
	}
}

func TestSafeTextKeepsLines(t *testing.T) {
	got := SafeText("line one\r\nline two\rthree\n\x1b[2Jfour")
	if got != "line one\nline two\nthree\nfour" {
		t.Errorf("SafeText = %q", got)
	}
}

// TestSafeWidths checks that sanitized text measures what the terminal will draw, so a
// hostile message cannot push the layout: escape sequences and invisible characters
// count zero and are gone; wide characters count two.
func TestSafeWidths(t *testing.T) {
	cases := []struct {
		in    string
		width int
	}{
		{"\x1b[31mab\x1b[0m", 2},
		{"a\u202Eb", 2},
		{"日本", 4},
		{"👍", 2},
		{"e\u0301", 1},
	}
	for _, c := range cases {
		if w := ansi.StringWidth(Safe(c.in)); w != c.width {
			t.Errorf("width of Safe(%q) = %d, want %d", c.in, w, c.width)
		}
	}
}

func FuzzSafe(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "\x1b]52;c;x\x07", "\u202e", "a\xffb", "\x9b1m", "\x1bP\x1b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Safe(s)
		if strings.ContainsAny(got, "\x1b\x07\x08\r\n\u009b\u009d\u0090\u202e") || !utf8.ValidString(got) {
			t.Fatalf("Safe(%q) = %q still holds control characters", s, got)
		}
	})
}
