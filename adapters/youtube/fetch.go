package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

const (
	pageSize = 100 // the most commentThreads.list and comments.list return in one page
	// maxReplyPages bounds the pages of comments.list read for one thread's replies.
	maxReplyPages = 10
)

// Tags marking comments YouTube keeps from the public, so a view finds them.
const (
	TagHeld = "held"        // held for review
	TagSpam = "likely-spam" // held as likely spam
)

// comment is the API's comment resource, the fields triage uses.
type comment struct {
	ID      string `json:"id"`
	Snippet struct {
		ChannelID         string `json:"channelId"`
		VideoID           string `json:"videoId"`
		AuthorDisplayName string `json:"authorDisplayName"`
		AuthorChannelID   struct {
			Value string `json:"value"`
		} `json:"authorChannelId"`
		TextOriginal     string    `json:"textOriginal"`
		TextDisplay      string    `json:"textDisplay"`
		ParentID         string    `json:"parentId"`
		ModerationStatus string    `json:"moderationStatus"`
		PublishedAt      time.Time `json:"publishedAt"`
		UpdatedAt        time.Time `json:"updatedAt"`
	} `json:"snippet"`
}

// thread is the API's commentThread resource.
type thread struct {
	ID      string `json:"id"`
	Snippet struct {
		ChannelID       string  `json:"channelId"`
		VideoID         string  `json:"videoId"`
		TopLevelComment comment `json:"topLevelComment"`
		TotalReplyCount int     `json:"totalReplyCount"`
		CanReply        bool    `json:"canReply"`
	} `json:"snippet"`
	Replies struct {
		Comments []comment `json:"comments"`
	} `json:"replies"`
}

type threadList struct {
	Items         []thread `json:"items"`
	NextPageToken string   `json:"nextPageToken"`
}

type commentList struct {
	Items         []comment `json:"items"`
	NextPageToken string    `json:"nextPageToken"`
}

// cursor is where Fetch stands: the watermark (the newest activity seen, and the threads
// seen at that very time), and, while a pass down to it takes several pages, the next
// page and the newest activity of the pass.
type cursor struct {
	Watermark time.Time `json:"w,omitzero"`
	IDs       []string  `json:"ids,omitempty"`
	Page      string    `json:"page,omitempty"`
	Top       time.Time `json:"top,omitzero"`
	TopIDs    []string  `json:"top_ids,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, adapters.Permanent(fmt.Errorf("youtube: the stored cursor %q is not one of this adapter's", adapters.ServerText(s)))
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Fetch returns the comments of the threads with activity since the cursor.
//
// A pass lists the channel's threads (commentThreads.list, allThreadsRelatedToChannelId,
// order=time, 100 a page), newest activity first, page after page (More) until a thread
// older than the watermark; then the newest activity of the pass becomes the watermark.
// A thread's activity is the latest time of its top comment and its embedded replies.
// Threads at the watermark's very time are told apart by id, so none is lost or brought
// twice. A thread with more replies than embedded has them read with comments.list.
// A pass also lists the comments held for review and the likely spam, one page each.
// With no cursor, only the newest page is read: history before it is left alone.
//
// Passes are spaced so the lists last the Pacific day (see space): a Fetch called
// sooner returns nothing and the same cursor.
func (a *Adapter) Fetch(ctx context.Context, cur string) (adapters.Batch, error) {
	c, err := parseCursor(cur)
	if err != nil {
		return adapters.Batch{}, err
	}
	now := a.now()
	start := c.Page == ""
	if start && cur != "" && now.Before(a.due()) {
		return adapters.Batch{Cursor: cur}, nil
	}
	spent := a.quota.used(now)
	what := fmt.Sprintf("youtube %s: fetch comments", a.name)
	page, err := a.listPage(ctx, &c)
	if err != nil {
		return adapters.Batch{}, httpx.Wrap(what, err)
	}
	var b adapters.Batch
	stopped := false
	for _, t := range page.Items {
		act := activity(t)
		if act.Before(c.Watermark) {
			stopped = true
			break
		}
		if act.Equal(c.Watermark) && slices.Contains(c.IDs, t.ID) {
			continue
		}
		msgs, err := a.threadMessages(ctx, t, nil)
		if err != nil {
			return adapters.Batch{}, httpx.Wrap(what, err)
		}
		b.Messages = append(b.Messages, msgs...)
		switch {
		case act.After(c.Top):
			c.Top, c.TopIDs = act, []string{t.ID}
		case act.Equal(c.Top):
			c.TopIDs = append(c.TopIDs, t.ID)
		}
	}
	if start {
		for _, status := range []string{"heldForReview", "likelySpam"} {
			msgs, err := a.held(ctx, status)
			if err != nil {
				return adapters.Batch{}, httpx.Wrap(what, err)
			}
			b.Messages = append(b.Messages, msgs...)
		}
	}
	if stopped || page.NextPageToken == "" || cur == "" {
		switch {
		case c.Top.After(c.Watermark):
			c.Watermark, c.IDs = c.Top, c.TopIDs
		case c.Top.Equal(c.Watermark):
			for _, id := range c.TopIDs {
				if !slices.Contains(c.IDs, id) {
					c.IDs = append(c.IDs, id)
				}
			}
		}
		c.Page, c.Top, c.TopIDs = "", time.Time{}, nil
		a.space(now, a.passCost(start, a.quota.used(now)-spent))
	} else {
		c.Page, b.More = page.NextPageToken, true
		a.passCost(start, a.quota.used(now)-spent)
	}
	slices.SortStableFunc(b.Messages, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	b.Cursor = c.String()
	return b, nil
}

// listPage reads the page of published threads the cursor stands at. A page token
// YouTube no longer takes (a pass cut off by the quota, resumed the next day) starts the
// pass again from the newest thread: what it brings again is stored once.
func (a *Adapter) listPage(ctx context.Context, c *cursor) (threadList, error) {
	var page threadList
	q := a.listQuery("published")
	if c.Page != "" {
		q.Set("pageToken", c.Page)
	}
	err := a.call(ctx, http.MethodGet, "/commentThreads", costList, q, nil, &page)
	var he *httpx.APIError
	if c.Page != "" && errors.As(err, &he) && he.Code == "invalidPageToken" {
		c.Page = ""
		q.Del("pageToken")
		err = a.call(ctx, http.MethodGet, "/commentThreads", costList, q, nil, &page)
	}
	return page, err
}

// listQuery is commentThreads.list for the channel's threads in one moderation status.
func (a *Adapter) listQuery(status string) url.Values {
	return url.Values{
		"part":                         {"snippet,replies"},
		"allThreadsRelatedToChannelId": {a.channelID},
		"order":                        {"time"},
		"maxResults":                   {fmt.Sprint(pageSize)},
		"moderationStatus":             {status},
		"textFormat":                   {"plainText"},
	}
}

// held lists one page of the threads in a moderation status (heldForReview, likelySpam)
// and marks their comments so a view finds them: tagged, hidden, likely spam as spam.
func (a *Adapter) held(ctx context.Context, status string) ([]inbox.Message, error) {
	var page threadList
	if err := a.call(ctx, http.MethodGet, "/commentThreads", costList, a.listQuery(status), nil, &page); err != nil {
		return nil, err
	}
	var out []inbox.Message
	for _, t := range page.Items {
		msgs, err := a.threadMessages(ctx, t, func(m *inbox.Message) {
			r := &inbox.Restore{Hidden: true, HiddenAt: m.CreatedAt, Tags: []string{TagHeld}}
			if status == "likelySpam" {
				spam := true
				r.Spam, r.Tags = &spam, []string{TagSpam}
			}
			m.Restore = r
		})
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// activity is a thread's latest time: of its top comment and its embedded replies.
func activity(t thread) time.Time {
	latest := t.Snippet.TopLevelComment.Snippet.PublishedAt
	for _, c := range append([]comment{t.Snippet.TopLevelComment}, t.Replies.Comments...) {
		for _, at := range []time.Time{c.Snippet.PublishedAt, c.Snippet.UpdatedAt} {
			if at.After(latest) {
				latest = at
			}
		}
	}
	return latest
}

// threadMessages is a thread's top comment and replies as inbox messages: the embedded
// replies, or all of them (comments.list) when the thread has more. mark, when set, is
// applied to the customers' comments.
func (a *Adapter) threadMessages(ctx context.Context, t thread, mark func(*inbox.Message)) ([]inbox.Message, error) {
	top := t.Snippet.TopLevelComment
	if top.ID == "" {
		top.ID = t.ID
	}
	replies := t.Replies.Comments
	if t.Snippet.TotalReplyCount > len(replies) {
		all, err := a.replies(ctx, top.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range replies {
			if !slices.ContainsFunc(all, func(x comment) bool { return x.ID == r.ID }) {
				all = append(all, r)
			}
		}
		replies = all
	}
	videoID := cmp(t.Snippet.VideoID, top.Snippet.VideoID)
	var out []inbox.Message
	for _, c := range append([]comment{top}, replies...) {
		m := a.message(t.ID, videoID, c)
		if c.ID != top.ID && m.InReplyTo == "" {
			m.InReplyTo = top.ID
		}
		if mark != nil && m.Direction == inbox.In {
			mark(&m)
		}
		out = append(out, m)
	}
	return out, nil
}

// replies reads all replies to a top comment (comments.list with parentId), bounded.
func (a *Adapter) replies(ctx context.Context, parentID string) ([]comment, error) {
	q := url.Values{"part": {"snippet"}, "parentId": {parentID}, "maxResults": {fmt.Sprint(pageSize)}, "textFormat": {"plainText"}}
	var out []comment
	for range maxReplyPages {
		var page commentList
		if err := a.call(ctx, http.MethodGet, "/comments", costList, q, nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextPageToken == "" {
			break
		}
		q.Set("pageToken", page.NextPageToken)
	}
	return out, nil
}

// message turns one comment into an inbox message, in the conversation of its thread.
// The channel's own comments are outbound, answers from the native app.
func (a *Adapter) message(threadID, videoID string, c comment) inbox.Message {
	s := c.Snippet
	m := inbox.Message{
		Channel:      Channel,
		Account:      a.name,
		ID:           c.ID,
		Conversation: "yt:" + threadID,
		Kind:         inbox.KindComment,
		Direction:    inbox.In,
		Author:       &inbox.Author{ID: s.AuthorChannelID.Value, Name: s.AuthorDisplayName},
		Text:         cmp(strings.TrimSpace(s.TextOriginal), strings.TrimSpace(s.TextDisplay), "(no text)"),
		CreatedAt:    s.PublishedAt.UTC(),
		InReplyTo:    s.ParentID,
	}
	if strings.HasPrefix(s.AuthorDisplayName, "@") {
		m.Author.Handle = s.AuthorDisplayName
	}
	if v := cmp(s.VideoID, videoID); v != "" {
		m.URL = "https://www.youtube.com/watch?v=" + url.QueryEscape(v) + "&lc=" + url.QueryEscape(c.ID)
	}
	if s.AuthorChannelID.Value != "" && s.AuthorChannelID.Value == a.channelID {
		m.Direction, m.Agent = inbox.Out, NativeAgent
	}
	return m
}

// cmp is the first of its arguments that is not empty.
func cmp(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// passCost adds the units of one Fetch to the pass under way (a new one when start) and
// returns the pass's cost so far.
func (a *Adapter) passCost(start bool, units int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if start {
		a.passSpent = 0
	}
	a.passSpent += units
	return a.passSpent
}

// due is when the next pass may start.
func (a *Adapter) due() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.nextFetch
}

// space sets when the next pass may start, so that passes costing what this one cost
// last until the quota resets: with the units lists may still spend today, left/cost
// more passes fit in the time left. A pass that cost nothing changes nothing.
func (a *Adapter) space(now time.Time, cost int) {
	if cost <= 0 {
		return
	}
	left, until := a.quota.left(now)
	passes := left / cost
	a.mu.Lock()
	defer a.mu.Unlock()
	if passes <= 0 {
		a.nextFetch = now // the quota itself will say how long to wait
		return
	}
	a.nextFetch = now.Add(until / time.Duration(passes))
}
