package mastodon

import (
	"testing"
)

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"line breaks", "<p>one<br>two<br />three</p>", "one\ntwo\nthree"},
		{"entities", "<p>5 &lt; 6 &amp; &quot;ok&quot; &#39;yes&#39; caf&eacute; &#x1F600;</p>", `5 < 6 & "ok" 'yes' café 😀`},
		{"mention", `<p><span class="h-card" translate="no"><a href="https://m.example/@acme" class="u-url mention">@<span>acme</span></a></span> hi</p>`, "@acme hi"},
		{"hashtag", `<p><a href="https://m.example/tags/coffee" class="mention hashtag" rel="tag">#<span>coffee</span></a></p>`, "#coffee"},
		{"long link kept whole", `<a href="https://example.com/a/very/long/path"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/lo</span><span class="invisible">ng/path</span></a>`, "https://example.com/a/very/long/path"},
		{"source whitespace", "<p>a\n  b\t c</p>\n<p>d</p>", "a b c\n\nd"},
		{"attribute with >", `<a title="a > b" href="x">link</a> after`, "link after"},
		{"stray <", "<p>1 < 2</p>", "1 < 2"},
		{"list", "<ul><li>one</li><li>two</li></ul><p>end</p>", "- one\n- two\n\nend"},
		{"quote", "<blockquote><p>quoted</p></blockquote><p>reply</p>", "quoted\n\nreply"},
		{"upper case", "<P>A<BR>B</P>", "A\nB"},
		{"no markup", "plain  text", "plain text"},
		{"escape sequence stays text", "<p>\x1b[31mred</p>", "\x1b[31mred"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("%s: plainText(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestNewer(t *testing.T) {
	tests := []struct {
		x, y string
		want bool
	}{
		{"110000000000000002", "110000000000000001", true},
		{"110000000000000001", "110000000000000002", false},
		{"100", "99", true},
		{"99", "100", false},
		{"5", "", true},
		{"", "5", false},
		{"7", "7", false},
	}
	for _, tt := range tests {
		if got := newer(tt.x, tt.y); got != tt.want {
			t.Errorf("newer(%q, %q) = %v", tt.x, tt.y, got)
		}
	}
}

func TestLinks(t *testing.T) {
	h := `<https://m.example/api/v1/notifications?max_id=7163058&types%5B%5D=mention>; rel="next", <https://m.example/api/v1/notifications?min_id=7275607>; rel="prev"`
	l := links(h)
	if l["next"] == nil || l["next"].Query().Get("max_id") != "7163058" || l["prev"] == nil || l["prev"].Query().Get("min_id") != "7275607" {
		t.Errorf("links = %v", l)
	}
	if len(links("")) != 0 || len(links("garbage; rel=next")) != 0 {
		t.Error("links of nothing found something")
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		text, handle string
		want         bool
	}{
		{"@bob hi", "@bob", true},
		{"thanks @bob.", "@bob", true},
		{"thanks @Bob!", "@bob", true},
		{"@bobby hi", "@bob", false},
		{"@bob@other.example hi", "@bob", false},
		{"mail me@bob.example", "@bob", false},
		{"hi @bob@other.example.", "@bob@other.example", true},
		{"@bob.smith", "@bob", false},
	}
	for _, tt := range tests {
		if got := mentions(tt.text, tt.handle); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v", tt.text, tt.handle, got)
		}
	}
}
