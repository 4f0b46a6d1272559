package instagram

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// graphTime is how Graph writes times: "2017-08-31T18:10:30+0000".
const graphTime = "2006-01-02T15:04:05-0700"

// commentPages bounds the pages of comments read per post and fetch (50 a page).
const commentPages = 10

const commentFields = "id,text,timestamp,username,from,parent_id"

type media struct {
	ID            string `json:"id"`
	Permalink     string `json:"permalink"`
	Timestamp     string `json:"timestamp"`
	CommentsCount int    `json:"comments_count"`
}

type comment struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp"`
	Username  string `json:"username"`
	ParentID  string `json:"parent_id"`
	From      struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
	Replies meta.Page[comment] `json:"replies"`
}

// watermark is the cursor: the time of the newest comment seen, and the ids of the
// comments seen at that very second (Graph's times are whole seconds), written
// "2026-12-06T09:05:00Z 17900000000000001,17900000000000002".
type watermark struct {
	at  time.Time
	ids []string
}

func parseWatermark(s string) (watermark, error) {
	if s == "" {
		return watermark{}, nil
	}
	at, ids, _ := strings.Cut(s, " ")
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return watermark{}, fmt.Errorf("cursor %q is not an Instagram watermark", s)
	}
	w := watermark{at: t}
	if ids != "" {
		w.ids = strings.Split(ids, ",")
	}
	return w, nil
}

func (w watermark) String() string {
	if w.at.IsZero() {
		return ""
	}
	return strings.TrimSpace(w.at.UTC().Format(time.RFC3339) + " " + strings.Join(w.ids, ","))
}

// seen says whether a comment at t with id is at or below the watermark.
func (w watermark) seen(t time.Time, id string) bool {
	return t.Before(w.at) || t.Equal(w.at) && slices.Contains(w.ids, id)
}

// advance moves the watermark to a comment newer than it, or adds one at its second.
func (w *watermark) advance(t time.Time, id string) {
	switch {
	case t.After(w.at):
		w.at, w.ids = t, []string{id}
	case t.Equal(w.at) && !slices.Contains(w.ids, id):
		w.ids = append(w.ids, id)
	}
}

// Fetch returns the comments, and replies to comments, that arrived on the account's
// most recent posts (watch_posts of them) since the cursor, oldest first.
//
// Graph offers no "comments since" on a post, so Fetch reads each watched post that has
// comments (GET /{ig-user-id}/media, then GET /{ig-media-id}/comments with replies nested)
// and keeps what is newer than the watermark: the newest comment's time, with the ids seen
// at that second. The first fetch reads back FirstLookback. Comments on older posts are
// not polled: Meta's webhook (triage serve) brings them.
func (a *Adapter) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	w, err := parseWatermark(cursor)
	if err != nil {
		return adapters.Batch{}, adapters.Permanent(err)
	}
	if w.at.IsZero() {
		w.at = a.now().Add(-FirstLookback).UTC().Truncate(time.Second)
	}
	from := w
	what := fmt.Sprintf("instagram %s: fetch comments", a.cfg.Account)
	posts, err := meta.List[media](ctx, a.graph, "/"+a.cfg.ID+"/media",
		url.Values{"fields": {"id,permalink,timestamp,comments_count"}, "limit": {strconv.Itoa(a.watch)}}, "", 1)
	if err != nil {
		return adapters.Batch{}, httpx.Wrap(what, err)
	}
	var msgs []inbox.Message
	for _, p := range posts.Items {
		if p.CommentsCount == 0 {
			continue
		}
		q := url.Values{"fields": {commentFields + ",replies{" + commentFields + "}"}, "limit": {"50"}}
		list, err := meta.List[comment](ctx, a.graph, "/"+p.ID+"/comments", q, "", commentPages)
		if err != nil {
			return adapters.Batch{}, httpx.Wrap(what, err)
		}
		for _, c := range list.Items {
			for _, c := range append([]comment{c}, c.Replies.Data...) {
				t, err := time.Parse(graphTime, c.Timestamp)
				if err != nil || from.seen(t, c.ID) {
					continue
				}
				w.advance(t, c.ID)
				msgs = append(msgs, a.message(p, c, t))
			}
		}
	}
	slices.SortStableFunc(msgs, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	return adapters.Batch{Messages: msgs, Cursor: w.String()}, nil
}

// message turns a comment into an inbox message as Meta's webhook does (meta.DecodeWebhook):
// conversation media:<id>, in reply to the parent comment; the account's own comments are
// outbound, by meta.NativeAgent.
func (a *Adapter) message(p media, c comment, t time.Time) inbox.Message {
	m := inbox.Message{
		Channel: Channel, Account: a.cfg.ID, ID: c.ID, Kind: inbox.KindComment,
		Conversation: "media:" + p.ID, InReplyTo: c.ParentID, Text: c.Text,
		CreatedAt: t.UTC(), URL: p.Permalink,
	}
	if c.From.ID != "" && c.From.ID == a.cfg.ID {
		m.Direction, m.Agent = inbox.Out, meta.NativeAgent
		return m
	}
	username := c.From.Username
	if username == "" {
		username = c.Username
	}
	m.Direction = inbox.In
	m.Author = &inbox.Author{ID: c.From.ID, Handle: username}
	return m
}
