package mastodon

import "testing"

func TestSameText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"whitespace", "  one\n\ntwo\nthree\t four ", "one two three four"},
		{"remote mention as shown", "@Bob@other.example hi", "@bob hi"},
		{"local mention", "@carol hi", "@carol hi"},
		{"mention then punctuation", "thanks @Bob@other.example.", "thanks @bob."},
		{"mentions side by side", "@a@x.example @B hi", "@a @b hi"},
		{"e-mail address", "write to me@bob.example", "write to me@bob.example"},
		{"in a URL", "see https://m.example/@Bob", "see https://m.example/@Bob"},
		{"text keeps its case", "Sorry @Bob", "Sorry @bob"},
		{"lone @", "meet @ 5", "meet @ 5"},
	}
	for _, tt := range tests {
		if got := sameText(tt.in); got != tt.want {
			t.Errorf("%s: sameText(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
