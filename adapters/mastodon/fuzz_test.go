package mastodon

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzNotifications are GET /api/v1/notifications bodies shaped like the documented ones,
// and the odd shapes a remote server may send.
var fuzzNotifications = []string{
	`[{"id":"34975861","type":"mention","created_at":"2026-11-20T10:00:00.000Z","account":{"id":"1"},
	  "status":{"id":"103270115826048975","uri":"https://m.example/users/ana/statuses/1","url":"https://m.example/@ana/1",
	  "created_at":"2026-11-20T10:00:00.000Z","account":{"id":"1","acct":"ana","display_name":"Ana"},
	  "in_reply_to_id":null,"visibility":"public","spoiler_text":"","content":"<p>Hi <span class=\"h-card\"><a href=\"https://m.example/@acme\" class=\"u-url mention\">@<span>acme</span></a></span> &amp; thanks</p>",
	  "media_attachments":[{"type":"image","url":"https://m.example/a.png","description":"a\n cat"}]}}]`,
	`[{"id":"2","type":"mention","status":{"id":"5","account":{"id":"9","acct":"@bo@other.example"},"visibility":"direct","content":"<p>secret</p>","spoiler_text":"cw"}}]`,
	`[{"id":"3","type":"mention","status":{"id":"6","account":{"id":"9","acct":""},"in_reply_to_id":"5","content":"","pleroma":{"conversation_id":12}}}]`,
	`[{"id":"4","type":"mention","status":{"id":"7","account":{},"content":"<a title='a > b'>x</a><br/><li>","pleroma":{"conversation_id":null}}}]`,
	`[{"id":"5","type":"favourite","status":null},{"id":"6","type":"mention","status":null}]`,
	`[{"id":"7","type":"mention","status":{"id":"8","created_at":"not a time"}}]`,
	`{"error":"The access token is invalid"}`,
	`[]`, `null`, `[null]`, `[{"status":{"pleroma":{"conversation_id":"\""}}}]`,
}

// FuzzNotifications decodes fuzzed notification and status bodies as Fetch and getStatus
// do, and turns every status into a message: nothing may panic, and a message always has
// text, valid UTF-8.
func FuzzNotifications(f *testing.F) {
	for _, s := range fuzzNotifications {
		f.Add([]byte(s))
	}
	a := &Adapter{host: "mastodon.example", handle: "@acme@mastodon.example", name: "@acme@mastodon.example"}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page []notification
		if json.NewDecoder(bytes.NewReader(body)).Decode(&page) == nil {
			for _, n := range page {
				if n.Status != nil {
					checkStatusMessage(t, a, *n.Status)
				}
			}
		}
		var s status
		if json.NewDecoder(bytes.NewReader(body)).Decode(&s) == nil {
			checkStatusMessage(t, a, s)
		}
	})
}

func checkStatusMessage(t *testing.T, a *Adapter, s status) {
	t.Helper()
	m := a.message(s)
	if strings.TrimSpace(m.Text) == "" || !utf8.ValidString(m.Text) {
		t.Fatalf("message(%+v).Text = %q", s, m.Text)
	}
	if m.Conversation == "" && s.ID != "" {
		t.Fatalf("message(%+v) has no conversation", s)
	}
}

// FuzzPlainText checks the HTML-to-text conversion of status content: it never panics,
// keeps valid UTF-8 valid, leaves no surrounding space and at most one blank line in a row.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		"<p>one</p><p>two</p>", "<p>a<br>b<br />c</p>", "5 &lt; 6 &amp; &#x1F600; &#xD800; &nbsp;&nbsp;x",
		`<a title="a > b" href="x">link</a>`, "<p>1 < 2</p>", "<ul><li>one</li><li>two</li></ul>",
		"<", "<a", "</", "<!-- comment -->", "<a title=\"unclosed>", "<p>\x1b[31mred\u202e</p>",
		"<P>A<BR>B</P>", "\xff<p>\xfe</p>", "<br\n/>", "&", "&#", "&#0;", "\u00a0\u00a0", "<li></li><li>",
		strings.Repeat("<p>", 1000) + strings.Repeat("</p>", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := plainText(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("plainText(%q) = %q: invalid UTF-8", in, out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("plainText(%q) = %q: not trimmed", in, out)
		}
		if strings.Contains(out, "\n\n\n") {
			t.Fatalf("plainText(%q) = %q: more than one blank line in a row", in, out)
		}
	})
}
