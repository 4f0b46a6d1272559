package appstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// pageSize is how many reviews a page asks for: the most Apple gives.
const pageSize = 200

// resource is a JSON:API resource of the fields triage reads, reviews and responses.
type resource struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		// customerReviews
		Rating           int       `json:"rating"`
		Title            string    `json:"title"`
		Body             string    `json:"body"`
		ReviewerNickname string    `json:"reviewerNickname"`
		CreatedDate      time.Time `json:"createdDate"`
		Territory        string    `json:"territory"`
		// customerReviewResponses
		ResponseBody     string    `json:"responseBody"`
		LastModifiedDate time.Time `json:"lastModifiedDate"`
		State            string    `json:"state"`
	} `json:"attributes"`
	Relationships struct {
		Response struct {
			Data *struct {
				Type string `json:"type"`
				ID   string `json:"id"`
			} `json:"data"`
		} `json:"response"`
	} `json:"relationships"`
}

type reviewList struct {
	Data     []resource `json:"data"`
	Included []resource `json:"included"`
	Links    struct {
		Next string `json:"next"`
	} `json:"links"`
}

// cursor is where a pass stands: the next page (path and query under api_url), the
// pages read, and the versions of the answered reviews seen (review id → hash), by the
// last whole pass (Seen) and by this one (Now). An answered review whose version
// changed was edited after its answer: its new version is dated when it is seen, so it
// reopens the conversation even where Apple keeps the review's first date.
type cursor struct {
	Next  string            `json:"next,omitempty"`
	Pages int               `json:"pages,omitempty"`
	Seen  map[string]string `json:"seen,omitempty"`
	Now   map[string]string `json:"now,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, adapters.Permanent(fmt.Errorf("appstore: the stored cursor %q is not one of this adapter's", adapters.ServerText(s)))
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Fetch reads one page of the app's reviews, newest first, each with its response. A
// pass pages on (More) through links.next until a review older than lookback, the last
// page or max_pages; the next pass starts no sooner than interval after it ends: a Fetch
// called sooner returns nothing.
func (a *Adapter) Fetch(ctx context.Context, cur string) (adapters.Batch, error) {
	c, err := parseCursor(cur)
	if err != nil {
		return adapters.Batch{}, err
	}
	now := a.now()
	if c.Next == "" && now.Before(a.due()) {
		return adapters.Batch{Cursor: cur}, nil
	}
	page := c.Next
	if page == "" {
		q := url.Values{"sort": {"-createdDate"}, "include": {"response"}, "limit": {strconv.Itoa(pageSize)}}
		page = "/v1/apps/" + url.PathEscape(a.appID) + "/customerReviews?" + q.Encode()
		c.Pages, c.Now = 0, nil
	}
	what := fmt.Sprintf("appstore %s: list reviews", a.name)
	var list reviewList
	if err := a.call(ctx, http.MethodGet, page, nil, &list); err != nil {
		return adapters.Batch{}, httpx.Wrap(what, err)
	}
	responses := map[string]resource{}
	for _, r := range list.Included {
		if r.Type == "customerReviewResponses" {
			responses[r.ID] = r
		}
	}
	var b adapters.Batch
	old := false
	for _, r := range list.Data {
		if r.Type != "customerReviews" {
			continue
		}
		if r.Attributes.CreatedDate.Before(now.Add(-a.lookback)) {
			old = true
			continue
		}
		var resp *resource
		if d := r.Relationships.Response.Data; d != nil {
			if x, ok := responses[d.ID]; ok {
				resp = &x
			}
		}
		b.Messages = append(b.Messages, a.messages(r, resp, &c, now)...)
	}
	slices.SortStableFunc(b.Messages, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	c.Pages++
	next, err := a.relative(list.Links.Next)
	if err != nil {
		return adapters.Batch{}, httpx.Wrap(what, err)
	}
	if old || next == "" || c.Pages >= a.maxPages {
		c = cursor{Seen: c.Now}
		a.mu.Lock()
		a.nextPass = now.Add(a.interval)
		a.mu.Unlock()
	} else {
		c.Next, b.More = next, true
	}
	b.Cursor = c.String()
	return b, nil
}

// relative is links.next as a path and query under api_url; a link elsewhere is refused,
// as the bearer token must not go to another host.
func (a *Adapter) relative(next string) (string, error) {
	if next == "" {
		return "", nil
	}
	base, _ := url.Parse(a.base)
	u, err := url.Parse(next)
	if err != nil || u.Scheme != base.Scheme || u.Host != base.Host || !strings.HasPrefix(u.Path, base.Path) {
		return "", adapters.Permanent(fmt.Errorf("links.next %q is not under %s", adapters.ServerText(next), a.base))
	}
	return strings.TrimPrefix(u.RequestURI(), base.Path), nil
}

func (a *Adapter) due() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.nextPass
}

// messages turns a review and its response into inbox messages, and notes in the
// cursor the version of an answered review.
func (a *Adapter) messages(r resource, resp *resource, c *cursor, now time.Time) []inbox.Message {
	at := r.Attributes
	version := reviewHash(at.Rating, at.Title, at.Body)
	created := at.CreatedDate.UTC()
	if resp != nil {
		if was, ok := c.Seen[r.ID]; ok && was != version && now.After(created) {
			created = now.UTC() // edited after its answer (see cursor)
		}
		if c.Now == nil {
			c.Now = map[string]string{}
		}
		c.Now[r.ID] = version
	}
	text := strings.TrimSpace(at.Title)
	if body := strings.TrimSpace(at.Body); body != "" {
		text = strings.TrimSpace(text + "\n\n" + body)
	}
	if text == "" {
		text = "(no text)"
	}
	if at.Territory != "" {
		// Apple gives no language: the storefront says where the author is.
		text += "\n\n(App Store " + at.Territory + ")"
	}
	rating := at.Rating
	if rating < 1 || rating > 5 {
		rating = 0
	}
	out := []inbox.Message{{
		Channel:      Channel,
		Account:      a.name,
		ID:           r.ID + "@" + version,
		Conversation: conversation(r.ID),
		Kind:         inbox.KindReview,
		Direction:    inbox.In,
		// Apple names no author beyond a nickname: the review is its author's id.
		Author:    &inbox.Author{ID: r.ID, Name: cmp(strings.TrimSpace(at.ReviewerNickname), "An App Store customer")},
		Text:      text,
		CreatedAt: created,
		Rating:    rating,
	}}
	if resp != nil && strings.TrimSpace(resp.Attributes.ResponseBody) != "" {
		out = append(out, inbox.Message{
			Channel:      Channel,
			Account:      a.name,
			ID:           responseID(resp.ID, resp.Attributes.ResponseBody),
			Conversation: conversation(r.ID),
			Kind:         inbox.KindReview,
			Direction:    inbox.Out,
			Agent:        NativeAgent,
			Text:         strings.TrimSpace(resp.Attributes.ResponseBody),
			CreatedAt:    resp.Attributes.LastModifiedDate.UTC(),
		})
	}
	return out
}

// conversation is a review's conversation key.
func conversation(reviewID string) string { return "as:" + reviewID }

// reviewHash is a short hash of what an author can edit in a review.
func reviewHash(rating int, title, body string) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(rating) + "\x00" + title + "\x00" + body))
	return hex.EncodeToString(sum[:6])
}

// responseID is the id of a response with that text: Apple's id for it and a short hash
// of the text (runs of whitespace as one space), so a response replaced with another
// text is a new message, and one sent from triage comes back as itself.
func responseID(id, text string) string {
	sum := sha256.Sum256([]byte(sameText(text)))
	return id + "@" + hex.EncodeToString(sum[:6])
}

// sameText is a text with its runs of whitespace made one space.
func sameText(s string) string { return strings.Join(strings.Fields(s), " ") }

// expandHome reads a leading "~/" as the home folder.
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}
