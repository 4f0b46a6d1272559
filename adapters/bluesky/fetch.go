package bluesky

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// pageSize is how many notifications one listNotifications call asks for.
const pageSize = 50

// maxPages bounds the pages one Fetch reads before it returns with More.
var maxPages = 10

// reasons are the notifications that are messages to answer; likes, reposts and follows
// are not.
var reasons = []string{"mention", "reply", "quote"}

// notification is app.bsky.notification.listNotifications#notification.
type notification struct {
	URI       string          `json:"uri"`
	CID       string          `json:"cid"`
	Author    profile         `json:"author"`
	Reason    string          `json:"reason"`
	Record    json.RawMessage `json:"record"`
	IndexedAt time.Time       `json:"indexedAt"`
}

// position is where Fetch stands, written in the cursor as URL query parameters:
//
//	since, uri       the indexedAt and URI of the newest notification taken
//	top, topuri      while catching up: the newest notification of this pass
//	page             while catching up: the API cursor of the next, older page
//
// A cursor that cannot be read counts as none.
type position struct {
	since, uri  string
	top, topURI string
	page        string
	sinceT      time.Time // since, read; zero when there is no position
}

func parsePosition(cursor string) position {
	v, err := url.ParseQuery(cursor)
	if err != nil {
		return position{}
	}
	p := position{since: v.Get("since"), uri: v.Get("uri"), top: v.Get("top"), topURI: v.Get("topuri"), page: v.Get("page")}
	if t, err := time.Parse(time.RFC3339Nano, p.since); err == nil {
		p.sinceT = t
	}
	return p
}

func (p position) String() string {
	if p.since == "" {
		return ""
	}
	v := url.Values{"since": {p.since}, "uri": {p.uri}}
	if p.page != "" {
		v.Set("top", p.top)
		v.Set("topuri", p.topURI)
		v.Set("page", p.page)
	}
	return v.Encode()
}

// seen reports whether n is at or before the position: already taken.
func (p position) seen(n notification) bool {
	return n.IndexedAt.Before(p.sinceT) || (n.IndexedAt.Equal(p.sinceT) && n.URI == p.uri)
}

// Fetch returns the mentions, replies and quotes that arrived after cursor, oldest first.
//
// listNotifications pages backwards, from the newest notification to older ones, and its
// own cursor only goes further back. So the stored cursor is the position (indexedAt and
// URI) of the newest notification taken, and Fetch reads pages from the newest until it
// meets one at or before that position; the newest notification of the pass becomes the
// new position. When more arrived than maxPages pages hold, Fetch returns what it read
// with More, and a cursor that also holds the API cursor of the next older page and the
// pass's newest position, so the next Fetch goes on where this one stopped and nothing
// in between is lost. With no cursor, only the newest page is read: older history is left
// alone. Notifications sharing the position's indexedAt may be delivered twice, which the
// inbox's idempotent ingest makes harmless; none is skipped. The seen state of the
// account's notifications (updateSeen), which a person using the app relies on, is left
// untouched.
func (a *Adapter) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	pos := parsePosition(cursor)
	fresh := pos.sinceT.IsZero()
	page, top, topURI := "", "", ""
	if !fresh && pos.page != "" && pos.top != "" {
		page, top, topURI = pos.page, pos.top, pos.topURI // catching up
	}
	var msgs []inbox.Message
	for n := 0; ; n++ {
		q := url.Values{"limit": {strconv.Itoa(pageSize)}, "reasons": reasons}
		if page != "" {
			q.Set("cursor", page)
		}
		var res struct {
			Cursor        string         `json:"cursor"`
			Notifications []notification `json:"notifications"`
		}
		if err := a.query(ctx, "app.bsky.notification.listNotifications", q, &res); err != nil {
			return adapters.Batch{}, httpx.Wrap("bluesky @"+a.handle+": fetch notifications", err)
		}
		reached := false
		for _, nt := range res.Notifications {
			if !fresh && pos.seen(nt) {
				reached = true
				break
			}
			if top == "" {
				top, topURI = nt.IndexedAt.UTC().Format(time.RFC3339Nano), nt.URI
			}
			if m, ok := a.message(nt); ok {
				msgs = append(msgs, m)
			}
		}
		done := fresh || reached || res.Cursor == "" || len(res.Notifications) == 0
		if done || n+1 >= maxPages {
			next := position{since: pos.since, uri: pos.uri}
			if done && top != "" {
				next = position{since: top, uri: topURI}
			} else if !done {
				next.top, next.topURI, next.page = top, topURI, res.Cursor
			}
			slices.Reverse(msgs)
			return adapters.Batch{Messages: msgs, Cursor: next.String(), More: !done}, nil
		}
		page = res.Cursor
	}
}

// message turns a notification into an inbox message; ok is false for reasons and
// records that are not posts to answer.
//
// Kind: a reply to one of the account's posts is a comment on it, as on Instagram or
// Facebook; a mention or a quote is a mention. Conversation is the thread's root post
// (record.reply.root), or the post itself when it starts a thread.
func (a *Adapter) message(n notification) (inbox.Message, bool) {
	if !slices.Contains(reasons, n.Reason) {
		return inbox.Message{}, false
	}
	var rec postRecord
	if json.Unmarshal(n.Record, &rec) != nil || (rec.Type != "" && rec.Type != "app.bsky.feed.post") {
		return inbox.Message{}, false
	}
	m := inbox.Message{
		Channel:      Channel,
		Account:      a.Handle(),
		ID:           n.URI,
		Conversation: n.URI,
		Kind:         inbox.KindMention,
		Direction:    inbox.In,
		Author:       &inbox.Author{ID: n.Author.DID, Handle: "@" + n.Author.Handle, Name: n.Author.DisplayName},
		Text:         postText(rec),
		URL:          webURL(n.Author.Handle, n.URI),
		CreatedAt:    n.IndexedAt.UTC(),
	}
	if n.Author.Handle == "" || n.Author.Handle == "handle.invalid" {
		m.Author.Handle, m.URL = "", webURL(n.Author.DID, n.URI)
	}
	if n.Reason == "reply" {
		m.Kind = inbox.KindComment
	}
	if rec.Reply != nil {
		m.InReplyTo = rec.Reply.Parent.URI
		if rec.Reply.Root.URI != "" {
			m.Conversation = rec.Reply.Root.URI
		}
	}
	// createdAt is the author's clock: trusted unless it claims a time after the network
	// saw the post.
	if t, err := time.Parse(time.RFC3339Nano, rec.CreatedAt); err == nil && !t.After(n.IndexedAt) {
		m.CreatedAt = t.UTC()
	}
	return m, true
}

// postText is what a person reads: the text with shortened links written out in full
// (the app shows "example.com/very/lo…" and keeps the whole URL in a link facet), then a
// line for each image, link card or quoted post.
func postText(rec postRecord) string {
	t := expandLinks(rec.Text, rec.Facets)
	var extra []string
	if e := rec.Embed; e != nil {
		for _, img := range e.Images {
			extra = append(extra, strings.TrimSpace("[image] "+strings.Join(strings.Fields(img.Alt), " ")))
		}
		if e.External != nil && e.External.URI != "" && !strings.Contains(t, e.External.URI) {
			extra = append(extra, "[link] "+e.External.URI)
		}
		if e.Record != nil && strings.HasPrefix(e.Record.URI, "at://") {
			extra = append(extra, "[quote] "+webURL(authority(e.Record.URI), e.Record.URI))
		}
	}
	if len(extra) > 0 {
		t = strings.TrimSpace(t + "\n\n" + strings.Join(extra, "\n"))
	}
	if strings.TrimSpace(t) == "" {
		return "(no text)"
	}
	return t
}

// expandLinks replaces each link facet's text by its URI when the text is a shortened
// form of it. Facet offsets are in bytes of the UTF-8 text; a facet out of range, out of
// order or not on character boundaries is ignored.
func expandLinks(text string, facets []facet) string {
	var b strings.Builder
	at := 0
	for _, f := range facets {
		s, e := f.Index.ByteStart, f.Index.ByteEnd
		if s < at || e <= s || e > len(text) || !utf8.RuneStart(text[s]) || (e < len(text) && !utf8.RuneStart(text[e])) {
			continue // out of range, out of order, or cutting a character in two
		}
		for _, ft := range f.Features {
			if ft.Type != "app.bsky.richtext.facet#link" || ft.URI == "" {
				continue
			}
			shown := strings.TrimSuffix(strings.TrimSuffix(text[s:e], "..."), "…")
			if shown != ft.URI && strings.Contains(ft.URI, shown) {
				b.WriteString(text[at:s])
				b.WriteString(ft.URI)
				at = e
			}
			break
		}
	}
	b.WriteString(text[at:])
	return b.String()
}
