package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// pageSize is the most notifications Mastodon returns in one page.
const pageSize = 40

// Fetch returns the mentions that arrived after cursor, oldest first.
//
// The cursor is the id of the newest notification seen. Mastodon's pagination (see
// https://docs.joinmastodon.org/api/guidelines/#pagination) offers since_id, which returns
// the newest page above an id and so skips whatever lies between when more than a page
// arrived, and min_id, which returns the page immediately above an id: Fetch pages forward
// with min_id, so nothing is skipped, and says More while pages come back full. The new
// cursor is the min_id of the response's Link rel="prev" (the newest notification of the
// page); rel="next" points backwards and is not followed. With no cursor, the newest page
// is fetched and history before it is left alone.
//
// Notifications filtered by the account's notification policy (Mastodon 4.3 holds back
// private mentions from strangers by default) are included: for a brand they are often
// the customers who most need an answer.
func (a *Adapter) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	q := url.Values{
		"types[]":          {"mention"},
		"limit":            {strconv.Itoa(pageSize)},
		"include_filtered": {"true"},
	}
	if cursor != "" {
		q.Set("min_id", cursor)
	}
	var page []notification
	h, err := a.call(ctx, http.MethodGet, "/api/v1/notifications", q, nil, "", &page)
	if err != nil {
		return adapters.Batch{}, httpx.Wrap(fmt.Sprintf("mastodon %s: fetch mentions", a.handle), err)
	}
	b := adapters.Batch{Cursor: cursor, More: cursor != "" && len(page) >= pageSize}
	for _, n := range page {
		if newer(n.ID, b.Cursor) {
			b.Cursor = n.ID
		}
		if n.Type == "mention" && n.Status != nil {
			b.Messages = append(b.Messages, a.message(*n.Status))
		}
	}
	if prev := links(h.Get("Link"))["prev"]; prev != nil {
		if id := prev.Query().Get("min_id"); newer(id, b.Cursor) && len(page) > 0 {
			b.Cursor = id
		}
	}
	slices.SortFunc(b.Messages, func(x, y inbox.Message) int {
		if newer(x.ID, y.ID) {
			return 1
		}
		if newer(y.ID, x.ID) {
			return -1
		}
		return 0
	})
	return b, nil
}

// newer reports whether id x is after id y. Mastodon ids are numbers written as strings,
// too long for some integer types: a longer one is larger, and equal lengths compare as
// text. Every id is newer than "".
func newer(x, y string) bool {
	if x == "" {
		return false
	}
	if len(x) != len(y) {
		return len(x) > len(y)
	}
	return x > y
}

// message turns a status that mentions the account into an inbox message.
//
// Conversation: Mastodon does not say which thread a status is in without a further
// request per status (GET /api/v1/statuses/:id/context), so the key is built from the
// status itself: "mastodon:ctx:<id>" from a server that names its thread (Pleroma,
// Akkoma), else "mastodon:<in_reply_to_id>" for a reply, so the replies to one post (the
// brand's announcement, say) gather in one conversation, else "mastodon:<id>" for a post
// that starts a thread. A direct message is Kind dm in "dm:<account id>", one conversation
// per person, as the inbox keys DMs everywhere.
func (a *Adapter) message(s status) inbox.Message {
	m := inbox.Message{
		Channel:   Channel,
		Account:   a.name,
		ID:        s.ID,
		Kind:      inbox.KindMention,
		Direction: inbox.In,
		Author:    &inbox.Author{ID: s.Account.ID, Handle: a.qualify(s.Account.Acct), Name: s.Account.DisplayName},
		Text:      statusText(s),
		CreatedAt: s.CreatedAt.UTC(),
		InReplyTo: s.InReplyToID,
		URL:       s.URL,
	}
	if m.URL == "" {
		m.URL = s.URI // some remote statuses have no web page
	}
	switch {
	case s.Visibility == "direct":
		m.Kind, m.Conversation = inbox.KindDM, "dm:"+s.Account.ID
	case s.threadID() != "":
		m.Conversation = "mastodon:ctx:" + s.threadID()
	case s.InReplyToID != "":
		m.Conversation = "mastodon:" + s.InReplyToID
	default:
		m.Conversation = "mastodon:" + s.ID
	}
	return m
}

// threadID is the thread a Pleroma or Akkoma server names, or "".
func (s status) threadID() string {
	if s.Pleroma == nil {
		return ""
	}
	id := strings.Trim(string(s.Pleroma.ConversationID), `"`)
	if id == "null" {
		return ""
	}
	return id
}

// statusText is what a person reads: the content warning, the content as plain text, and
// a line for each attachment.
func statusText(s status) string {
	var parts []string
	if cw := strings.TrimSpace(s.SpoilerText); cw != "" {
		parts = append(parts, "CW: "+cw)
	}
	if t := plainText(s.Content); t != "" {
		parts = append(parts, t)
	}
	var media []string
	for _, m := range s.Media {
		line := "[" + m.Type + "] " + m.URL
		if d := strings.TrimSpace(m.Description); d != "" {
			line += " " + strings.Join(strings.Fields(d), " ")
		}
		media = append(media, line)
	}
	if len(media) > 0 {
		parts = append(parts, strings.Join(media, "\n"))
	}
	if len(parts) == 0 {
		return "(no text)"
	}
	return strings.Join(parts, "\n\n")
}

// links parses a Link header (RFC 8288) as Mastodon writes it:
// <https://…?max_id=1>; rel="next", <https://…?min_id=9>; rel="prev".
func links(header string) map[string]*url.URL {
	out := map[string]*url.URL{}
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		open, end := strings.IndexByte(part, '<'), strings.IndexByte(part, '>')
		if open != 0 || end < 0 {
			continue
		}
		u, err := url.Parse(part[1:end])
		if err != nil {
			continue
		}
		for _, p := range strings.Split(part[end+1:], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(k, "rel") {
				for _, rel := range strings.Fields(strings.Trim(v, `"`)) {
					out[strings.ToLower(rel)] = u
				}
			}
		}
	}
	return out
}
