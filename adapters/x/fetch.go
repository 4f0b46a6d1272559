package x

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// The fields asked of every post and DM event read: what a message needs and no more.
const (
	tweetFields   = "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,author_id"
	dmEventFields = "id,text,event_type,created_at,dm_conversation_id,sender_id,participant_ids,referenced_tweets"
	userFields    = "username,name"
)

// tweet is a post as the API gives it, the fields triage uses.
type tweet struct {
	ID               string    `json:"id"`
	Text             string    `json:"text"`
	AuthorID         string    `json:"author_id"`
	CreatedAt        time.Time `json:"created_at"`
	ConversationID   string    `json:"conversation_id"`
	InReplyToUserID  string    `json:"in_reply_to_user_id"`
	ReferencedTweets []struct {
		Type string `json:"type"` // replied_to, quoted, retweeted
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
}

// dmEvent is a DM event (event_types=MessageCreate).
type dmEvent struct {
	ID               string    `json:"id"`
	EventType        string    `json:"event_type"`
	Text             string    `json:"text"`
	SenderID         string    `json:"sender_id"`
	DMConversationID string    `json:"dm_conversation_id"`
	CreatedAt        time.Time `json:"created_at"`
	ParticipantIDs   []string  `json:"participant_ids"`
}

type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// page is one page of a list: data, the users expanded, and meta.
type page[T any] struct {
	Data     []T `json:"data"`
	Includes struct {
		Users []user `json:"users"`
	} `json:"includes"`
	Meta struct {
		ResultCount int    `json:"result_count"`
		NewestID    string `json:"newest_id"`
		OldestID    string `json:"oldest_id"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
}

func (p page[T]) users() map[string]user {
	m := map[string]user{}
	for _, u := range p.Includes.Users {
		m[u.ID] = u
	}
	return m
}

// cursor is where Fetch stands. Mentions: Since is the newest mention stored (since_id);
// while a pass takes several pages, MPage is the next page and MTop the pass's newest.
// DMs (which take no since_id): DM is the newest event stored; DPage and DTop the same.
// Day and Reads are the reads counted that UTC day (see reads).
type cursor struct {
	Since string `json:"since,omitempty"`
	MPage string `json:"mpage,omitempty"`
	MTop  string `json:"mtop,omitempty"`
	DM    string `json:"dm,omitempty"`
	DPage string `json:"dpage,omitempty"`
	DTop  string `json:"dtop,omitempty"`
	Day   string `json:"day,omitempty"`
	Reads int    `json:"reads,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, adapters.Permanent(fmt.Errorf("x: the stored cursor %q is not one of this adapter's", adapters.ServerText(s)))
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// newer says whether id a is after id b: X's ids are snowflakes, growing with time, too
// long for some languages' numbers but compared here as decimal strings.
func newer(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// Fetch returns the mentions (and, with dms, the direct messages) since the cursor.
//
// Mentions: GET /2/users/:id/mentions with since_id, newest first, page after page
// (pagination_token from meta.next_token, More) until the last; then the pass's newest
// (meta.newest_id of its first page) becomes since_id. DMs: GET /2/dm_events, newest
// first, page after page down to the newest event stored. With no cursor, one page of
// each: history before it is left alone. A pass under way continues only the lists with
// a page left. Every post and DM event read is counted against max_reads_per_day.
func (a *Adapter) Fetch(ctx context.Context, cur string) (adapters.Batch, error) {
	c, err := parseCursor(cur)
	if err != nil {
		return adapters.Batch{}, err
	}
	a.reads.restore(a.now(), c.Day, c.Reads)
	what := fmt.Sprintf("x %s: fetch", a.name)
	resume := c.MPage != "" || c.DPage != ""
	var b adapters.Batch
	if !resume || c.MPage != "" {
		msgs, err := a.mentions(ctx, &c)
		if err != nil {
			return adapters.Batch{}, httpx.Wrap(what+" mentions", err)
		}
		b.Messages = append(b.Messages, msgs...)
	}
	dmFailed := false
	if a.dms && (!resume || c.DPage != "") {
		msgs, err := a.directMessages(ctx, &c)
		switch {
		case err != nil && len(b.Messages) == 0:
			return adapters.Batch{}, httpx.Wrap(what+" direct messages", err)
		case err != nil:
			// The mentions read (and paid for) are kept, the cursor past them; the next
			// Fetch, at once (More), finds no new mention and reports the DMs' error.
			dmFailed = true
		}
		b.Messages = append(b.Messages, msgs...)
	}
	b.More = c.MPage != "" || c.DPage != "" || dmFailed
	c.Day, c.Reads = a.reads.today(a.now())
	slices.SortStableFunc(b.Messages, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	b.Cursor = c.String()
	return b, nil
}

// mentions reads one page of mentions and moves the cursor.
func (a *Adapter) mentions(ctx context.Context, c *cursor) ([]inbox.Message, error) {
	n, err := a.reads.room(a.now(), a.name)
	if err != nil {
		return nil, err
	}
	q := url.Values{
		"max_results":  {strconv.Itoa(max(n, 5))}, // X takes 5 to 100
		"expansions":   {"author_id"},
		"tweet.fields": {tweetFields},
		"user.fields":  {userFields},
	}
	if c.Since != "" {
		q.Set("since_id", c.Since)
	}
	start := c.MPage == ""
	if !start {
		q.Set("pagination_token", c.MPage)
	}
	var p page[tweet]
	path := "/2/users/" + url.PathEscape(a.userID) + "/mentions"
	if err := a.call(ctx, http.MethodGet, "GET /2/users/:id/mentions", path, q, nil, &p); err != nil {
		return nil, err
	}
	a.reads.add(a.now(), tweetIDs(p.Data)...)
	if start {
		c.MTop = p.Meta.NewestID
	}
	users := p.users()
	var out []inbox.Message
	for _, t := range p.Data {
		if start && newer(t.ID, c.MTop) {
			c.MTop = t.ID
		}
		out = append(out, a.tweetMessage(t, users[t.AuthorID]))
	}
	if p.Meta.NextToken != "" && c.Since != "" && len(p.Data) > 0 {
		c.MPage = p.Meta.NextToken
		return out, nil
	}
	if newer(c.MTop, c.Since) {
		c.Since = c.MTop
	}
	c.MPage, c.MTop = "", ""
	return out, nil
}

// directMessages reads one page of DM events and moves the cursor.
func (a *Adapter) directMessages(ctx context.Context, c *cursor) ([]inbox.Message, error) {
	n, err := a.reads.room(a.now(), a.name)
	if err != nil {
		return nil, err
	}
	q := url.Values{
		"max_results":     {strconv.Itoa(n)},
		"event_types":     {"MessageCreate"},
		"dm_event.fields": {dmEventFields},
		"expansions":      {"sender_id"},
		"user.fields":     {userFields},
	}
	if c.DPage != "" {
		q.Set("pagination_token", c.DPage)
	} else if c.DM != "" {
		// dm_events takes no since_id: a pass starts with a few events, and pages on
		// only while all are new, so a quiet inbox is not read (and billed) whole.
		q.Set("max_results", strconv.Itoa(min(n, dmProbe)))
	}
	var p page[dmEvent]
	if err := a.call(ctx, http.MethodGet, "GET /2/dm_events", "/2/dm_events", q, nil, &p); err != nil {
		return nil, err
	}
	a.reads.add(a.now(), eventIDs(p.Data)...)
	users := p.users()
	var out []inbox.Message
	reached := false
	for _, ev := range p.Data {
		if c.DM != "" && !newer(ev.ID, c.DM) {
			reached = true
			break
		}
		if newer(ev.ID, c.DTop) {
			c.DTop = ev.ID
		}
		if ev.EventType != "" && ev.EventType != "MessageCreate" {
			continue
		}
		out = append(out, a.dmMessage(ev, users[ev.SenderID]))
	}
	if !reached && p.Meta.NextToken != "" && c.DM != "" {
		c.DPage = p.Meta.NextToken
		return out, nil
	}
	if newer(c.DTop, c.DM) {
		c.DM = c.DTop
	}
	c.DPage, c.DTop = "", ""
	return out, nil
}

// dmProbe is how many DM events the first page of a pass asks for.
const dmProbe = 10

func tweetIDs(ts []tweet) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func eventIDs(evs []dmEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// tweetMessage turns a post into an inbox message in its X conversation. The account's
// own posts are outbound: answers from the X app, or triage's replies coming back.
func (a *Adapter) tweetMessage(t tweet, author user) inbox.Message {
	m := inbox.Message{
		Channel:      Channel,
		Account:      a.name,
		ID:           t.ID,
		Conversation: "x:" + cmp(t.ConversationID, t.ID),
		Kind:         inbox.KindMention,
		Direction:    inbox.In,
		Author:       &inbox.Author{ID: t.AuthorID, Name: author.Name},
		Text:         cmp(strings.TrimSpace(unescape(t.Text)), "(no text)"),
		CreatedAt:    t.CreatedAt.UTC(),
		URL:          "https://x.com/i/web/status/" + url.PathEscape(t.ID),
	}
	if author.Username != "" {
		m.Author.Handle = "@" + author.Username
		m.URL = "https://x.com/" + url.PathEscape(author.Username) + "/status/" + url.PathEscape(t.ID)
	}
	for _, r := range t.ReferencedTweets {
		if r.Type == "replied_to" {
			m.InReplyTo = r.ID
		}
	}
	if t.AuthorID == a.userID {
		m.Direction, m.Agent = inbox.Out, NativeAgent
	}
	return m
}

// dmMessage turns a DM event into an inbox message in its DM conversation; the
// account's own are outbound.
func (a *Adapter) dmMessage(ev dmEvent, sender user) inbox.Message {
	m := inbox.Message{
		Channel:      Channel,
		Account:      a.name,
		ID:           ev.ID,
		Conversation: "dm:" + ev.DMConversationID,
		Kind:         inbox.KindDM,
		Direction:    inbox.In,
		Author:       &inbox.Author{ID: ev.SenderID, Name: sender.Name},
		Text:         cmp(strings.TrimSpace(unescape(ev.Text)), "(no text)"),
		CreatedAt:    ev.CreatedAt.UTC(),
		URL:          "https://x.com/messages/" + url.PathEscape(ev.DMConversationID),
	}
	if sender.Username != "" {
		m.Author.Handle = "@" + sender.Username
	}
	if ev.SenderID == a.userID {
		m.Direction, m.Agent = inbox.Out, NativeAgent
	}
	return m
}

// unescape undoes the HTML escaping X applies to &, < and > in a post's text.
func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
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
