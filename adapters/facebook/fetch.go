package facebook

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

// graphTime is how Graph writes times: "2017-08-31T18:10:30+0000".
const graphTime = "2006-01-02T15:04:05-0700"

// commentPages bounds the pages of comments read per post and sync (commentLimit a page).
const (
	commentPages = 10
	commentLimit = 50
)

const (
	postFields    = "id,message,created_time,updated_time,from,permalink_url"
	commentFields = "id,message,created_time,from,parent{id}"
)

type party struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type post struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	CreatedTime string `json:"created_time"`
	UpdatedTime string `json:"updated_time"`
	From        party  `json:"from"`
	Permalink   string `json:"permalink_url"`
}

type comment struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	CreatedTime string `json:"created_time"`
	From        party  `json:"from"`
	Parent      *struct {
		ID string `json:"id"`
	} `json:"parent"`
}

// Fetch returns what arrived since the cursor, oldest first: visitor posts and comments
// on the Page's feed, and Messenger messages (see fetchMessenger).
//
// The feed is read with since= the newest updated_time seen, which Graph applies to a
// post's updated_time, and a post's updated_time moves when someone comments on it: so
// one request lists the posts with new activity (at most watch_posts of them, newest
// first), and only their comments are read. Comments have no "since": each post's are read
// newest first (filter=stream, so replies too; order=reverse_chronological) until the
// post's watermark, usually one request.
func (a *Adapter) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	st, err := parseCursor(cursor, a.opts.Now())
	if err != nil {
		return adapters.Batch{}, adapters.Permanent(fmt.Errorf("facebook %s: %w", a.cfg.Account, err))
	}
	from := st.clone()
	msgs, err := a.fetchFeed(ctx, from, &st)
	if err != nil {
		return adapters.Batch{}, httpx.Wrap(fmt.Sprintf("facebook %s: fetch the Page's feed", a.cfg.Account), err)
	}
	if !a.opts.SkipMessenger {
		dms, err := a.fetchMessenger(ctx, from, &st)
		if err != nil {
			what := fmt.Sprintf("facebook %s: fetch Messenger conversations", a.cfg.Account)
			return adapters.Batch{}, httpx.Wrap(what+permissionHint(err), err)
		}
		msgs = append(msgs, dms...)
	}
	slices.SortStableFunc(msgs, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	st.trim(a.opts.WatchPosts)
	return adapters.Batch{Messages: msgs, Cursor: st.String()}, nil
}

// fetchFeed reads the posts with activity since from, and their new comments, into st.
func (a *Adapter) fetchFeed(ctx context.Context, from state, st *state) ([]inbox.Message, error) {
	q := url.Values{"fields": {postFields}, "since": {strconv.FormatInt(from.Feed, 10)}, "limit": {strconv.Itoa(a.opts.WatchPosts)}}
	posts, err := meta.List[post](ctx, a.graph, "/"+a.cfg.ID+"/feed", q, "", 1)
	if err != nil {
		return nil, err
	}
	var msgs []inbox.Message
	for _, p := range posts.Items {
		updated, err := time.Parse(graphTime, p.UpdatedTime)
		if err != nil {
			continue // not a post Graph dated: nothing to compare it with
		}
		st.Feed = max(st.Feed, updated.Unix())
		// A post without from is the Page's own as far as can be told (Meta's webhook skips it too).
		visitor := p.From.ID != "" && p.From.ID != a.cfg.ID
		if created, err := time.Parse(graphTime, p.CreatedTime); err == nil && visitor && !from.Posts.seen(created, p.ID) {
			st.Posts.advance(created, p.ID)
			msgs = append(msgs, a.visitorPost(p, created))
		}
		m := from.postMark(p.ID)
		if updated.Before(m.at) {
			continue // no comment since its mark: the post moved for something else
		}
		cs, err := a.newComments(ctx, p, m, st)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, cs...)
	}
	return msgs, nil
}

// newComments reads a post's comments newest first, page after page until one reaches
// below the post's mark, and returns those above it; st's marks move past them.
func (a *Adapter) newComments(ctx context.Context, p post, m mark, st *state) ([]inbox.Message, error) {
	q := url.Values{"filter": {"stream"}, "order": {"reverse_chronological"}, "fields": {commentFields}, "limit": {strconv.Itoa(commentLimit)}}
	next := m.clone()
	var msgs []inbox.Message
	after := ""
	for range commentPages {
		list, err := meta.List[comment](ctx, a.graph, "/"+url.PathEscape(p.ID)+"/comments", q, after, 1)
		if err != nil {
			return nil, err
		}
		below := false
		for _, c := range list.Items {
			t, err := time.Parse(graphTime, c.CreatedTime)
			if err != nil {
				continue
			}
			if t.Before(m.at) {
				below = true
				continue
			}
			if m.seen(t, c.ID) {
				continue
			}
			next.advance(t, c.ID)
			st.Comments.advance(t, c.ID)
			msgs = append(msgs, a.comment(p, c, t))
		}
		if below || !list.More {
			break
		}
		after = list.After
	}
	st.Watched[p.ID] = next
	return msgs, nil
}

// comment turns a comment into an inbox message as Meta's webhook does: conversation
// post:<id>, in reply to the parent comment (none for a top-level one); the Page's own
// comments are outbound, by meta.NativeAgent.
func (a *Adapter) comment(p post, c comment, t time.Time) inbox.Message {
	m := inbox.Message{
		Channel: Channel, Account: a.cfg.ID, ID: c.ID, Kind: inbox.KindComment,
		Conversation: "post:" + p.ID, Text: c.Message, CreatedAt: t.UTC(), URL: p.Permalink,
	}
	if c.Parent != nil && c.Parent.ID != p.ID {
		m.InReplyTo = c.Parent.ID
	}
	a.setAuthor(&m, c.From)
	return m
}

// visitorPost is a post someone else wrote on the Page: the first message of the post's
// conversation, which its comments join; a comment, as Meta's webhook makes it.
func (a *Adapter) visitorPost(p post, t time.Time) inbox.Message {
	m := inbox.Message{
		Channel: Channel, Account: a.cfg.ID, ID: p.ID, Kind: inbox.KindComment,
		Conversation: "post:" + p.ID, Text: p.Message, CreatedAt: t.UTC(), URL: p.Permalink,
	}
	a.setAuthor(&m, p.From)
	return m
}

// setAuthor makes a message by the Page outbound (an echo: a colleague answered in Meta's
// own apps, or triage's reply coming back), and any other inbound from its author.
func (a *Adapter) setAuthor(m *inbox.Message, from party) {
	if from.ID != "" && from.ID == a.cfg.ID {
		m.Direction, m.Agent = inbox.Out, meta.NativeAgent
		return
	}
	m.Direction = inbox.In
	m.Author = &inbox.Author{ID: from.ID, Name: from.Name}
}
