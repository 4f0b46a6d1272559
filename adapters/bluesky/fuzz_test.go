package bluesky

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzListNotifications are app.bsky.notification.listNotifications bodies shaped like
// the documented ones, and broken records.
var fuzzListNotifications = []string{
	`{"cursor":"c1","notifications":[{"uri":"at://did:plc:ana/app.bsky.feed.post/3k1","cid":"bafy1",
	  "author":{"did":"did:plc:ana","handle":"ana.bsky.social","displayName":"Ana"},"reason":"mention",
	  "record":{"$type":"app.bsky.feed.post","text":"hi @acme see example.com/very/lo…","createdAt":"2026-11-20T10:00:00.000Z",
	   "facets":[{"index":{"byteStart":13,"byteEnd":33},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://example.com/very/long/path"}]}]},
	  "isRead":false,"indexedAt":"2026-11-20T10:00:01.000Z"}]}`,
	`{"notifications":[{"uri":"at://did:plc:bo/app.bsky.feed.post/3k2","author":{"did":"did:plc:bo","handle":"handle.invalid"},"reason":"reply",
	  "record":{"text":"","reply":{"root":{"uri":"at://did:plc:acme/app.bsky.feed.post/1"},"parent":{"uri":"at://did:plc:acme/app.bsky.feed.post/2"}},
	   "embed":{"$type":"app.bsky.embed.images","images":[{"alt":"a\n cat"},{"alt":""}],"external":{"uri":"https://x.example"},"record":{"uri":"at://did:plc:c/app.bsky.feed.post/9"}}},
	  "indexedAt":"2026-11-20T10:00:01Z"}]}`,
	`{"notifications":[{"uri":"noslash","reason":"quote","record":{"$type":"app.bsky.feed.like"},"indexedAt":"2026-11-20T10:00:01Z"}]}`,
	`{"notifications":[{"uri":"at://x/y/z","reason":"mention","record":{"text":"é","facets":[{"index":{"byteStart":0,"byteEnd":1},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"é!"}]}]},"indexedAt":"2026-11-20T10:00:01Z"}]}`,
	`{"notifications":[{"uri":"at://x/y/z","reason":"mention","record":{"text":"abc","facets":[{"index":{"byteStart":-5,"byteEnd":99}},{"index":{"byteStart":2,"byteEnd":1}}]},"indexedAt":"2026-11-20T10:00:01Z"}]}`,
	`{"notifications":[{"reason":"follow"},{"reason":"mention","record":null},{"reason":"mention","record":"text"}]}`,
	`{"notifications":null}`, `{}`, `[]`, `null`,
}

// FuzzNotifications decodes fuzzed listNotifications bodies as Fetch does and turns each
// notification into a message: nothing may panic, and a message always has text, valid
// UTF-8.
func FuzzNotifications(f *testing.F) {
	for _, s := range fuzzListNotifications {
		f.Add([]byte(s))
	}
	a := &Adapter{handle: "acme.bsky.social", name: "@acme.bsky.social"}
	f.Fuzz(func(t *testing.T, body []byte) {
		var res struct {
			Cursor        string         `json:"cursor"`
			Notifications []notification `json:"notifications"`
		}
		if json.NewDecoder(bytes.NewReader(body)).Decode(&res) != nil {
			return
		}
		for _, n := range res.Notifications {
			m, ok := a.message(n)
			if !ok {
				continue
			}
			if strings.TrimSpace(m.Text) == "" || !utf8.ValidString(m.Text) {
				t.Fatalf("message(record %s).Text = %q", n.Record, m.Text)
			}
			if m.CreatedAt.After(n.IndexedAt.UTC()) {
				t.Fatalf("message(record %s).CreatedAt %v is after indexedAt %v", n.Record, m.CreatedAt, n.IndexedAt)
			}
		}
	})
}

// FuzzExpandLinks feeds arbitrary facets to the link expansion: offsets out of range, out
// of order or inside a character must neither panic nor break valid UTF-8.
func FuzzExpandLinks(f *testing.F) {
	f.Add("see example.com/very/lo…", 4, 24, "https://example.com/very/long/path", 0, 0, "")
	f.Add("é and more", 0, 1, "é!", 3, 7, "https://and.example")
	f.Add("abc", -1, 99, "abc", 2, 1, "b")
	f.Add("", 0, 0, "", 0, 0, "")
	f.Fuzz(func(t *testing.T, text string, s1, e1 int, uri1 string, s2, e2 int, uri2 string) {
		facets := make([]facet, 2)
		for i, v := range []struct {
			s, e int
			uri  string
		}{{s1, e1, uri1}, {s2, e2, uri2}} {
			facets[i].Index.ByteStart, facets[i].Index.ByteEnd = v.s, v.e
			facets[i].Features = append(facets[i].Features, struct {
				Type string `json:"$type"`
				URI  string `json:"uri,omitempty"`
			}{"app.bsky.richtext.facet#link", v.uri})
		}
		out := expandLinks(text, facets)
		if utf8.ValidString(text) && utf8.ValidString(uri1) && utf8.ValidString(uri2) && !utf8.ValidString(out) {
			t.Fatalf("expandLinks(%q, %+v) = %q: invalid UTF-8", text, facets, out)
		}
	})
}
