package instagram

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

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

// Fetch returns what arrived since the cursor, oldest first: the comments on the recent
// posts, the direct messages (poll_dms) and the posts the account is tagged in
// (poll_mentions). Each kind has its own watermark in the one cursor (see cursor); a
// failure in any of them moves none, so the next fetch reads it all again.
func (a *Adapter) Fetch(ctx context.Context, raw string) (adapters.Batch, error) {
	cur, err := parseCursor(raw)
	if err != nil {
		return adapters.Batch{}, adapters.Permanent(err)
	}
	start := a.now().Add(-FirstLookback).UTC().Truncate(time.Second)
	var msgs, more []inbox.Message
	if msgs, cur.comments, cur.counts, err = a.fetchComments(ctx, cur.comments.orStart(start), cur.counts); err != nil {
		return adapters.Batch{}, err
	}
	if a.opts.DMs {
		if more, cur.dms, err = a.fetchDMs(ctx, cur.dms.orStart(start)); err != nil {
			return adapters.Batch{}, err
		}
		msgs = append(msgs, more...)
	}
	if a.opts.Mentions {
		if more, cur.mentions, err = a.fetchMentions(ctx, cur.mentions.orStart(start)); err != nil {
			return adapters.Batch{}, err
		}
		msgs = append(msgs, more...)
	}
	slices.SortStableFunc(msgs, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	return adapters.Batch{Messages: msgs, Cursor: cur.String()}, nil
}

// fetchComments returns the comments, and replies to comments, that arrived on the
// account's most recent posts (watch_posts of them) since the watermark.
//
// Graph offers no "comments since" on a post, so it reads each watched post that has
// comments (GET /{ig-user-id}/media, then GET /{ig-media-id}/comments with replies nested)
// and keeps what is newer than the watermark: the newest comment's time, with the ids seen
// at that second. A post whose comments_count grew by more than that (a comment approved
// late, with its first time) gives every comment read; the inbox stores each once.
// Comments on older posts are not polled: Meta's webhook (triage serve) brings them.
func (a *Adapter) fetchComments(ctx context.Context, from watermark, counts map[string]int) ([]inbox.Message, watermark, map[string]int, error) {
	w := from
	what := fmt.Sprintf("instagram %s: fetch comments", a.cfg.Account)
	posts, err := meta.List[media](ctx, a.graph, "/"+a.cfg.ID+"/media",
		url.Values{"fields": {"id,permalink,timestamp,comments_count"}, "limit": {strconv.Itoa(a.opts.WatchPosts)}}, "", 1)
	if err != nil {
		return nil, from, counts, httpx.Wrap(what, err)
	}
	var msgs []inbox.Message
	seen := map[string]int{} // the watched posts' counts now: the posts no longer watched drop out
	for _, p := range posts.Items {
		seen[p.ID] = p.CommentsCount
		if p.CommentsCount == 0 {
			continue
		}
		q := url.Values{"fields": {commentFields + ",replies{" + commentFields + "}"}, "limit": {"50"}}
		list, err := meta.List[comment](ctx, a.graph, "/"+p.ID+"/comments", q, "", commentPages)
		if err != nil {
			return nil, from, counts, httpx.Wrap(what, err)
		}
		var all, found []inbox.Message
		for _, c := range list.Items {
			for _, c := range append([]comment{c}, c.Replies.Data...) {
				t, err := time.Parse(graphTime, c.Timestamp)
				if err != nil {
					continue
				}
				m := a.message(p, c, t)
				all = append(all, m)
				if !from.seen(t, c.ID) {
					w.advance(t, c.ID)
					found = append(found, m)
				}
			}
		}
		if before, ok := counts[p.ID]; ok && p.CommentsCount-before > len(found) {
			found = all
		}
		msgs = append(msgs, found...)
	}
	return msgs, w, seen, nil
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
