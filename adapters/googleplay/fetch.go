package googleplay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// pageSize is how many reviews a page of reviews.list asks for.
const pageSize = 100

// timestamp is Google's Timestamp as JSON gives it.
type timestamp struct {
	Seconds json.Number `json:"seconds"` // an int64, which Google writes as a string
	Nanos   int64       `json:"nanos"`
}

func (t timestamp) unix() int64 {
	n, _ := strconv.ParseInt(t.Seconds.String(), 10, 64)
	return n
}

func (t timestamp) time() time.Time { return time.Unix(t.unix(), t.Nanos).UTC() }

// review is the API's Review resource, the fields triage uses.
type review struct {
	ReviewID   string `json:"reviewId"`
	AuthorName string `json:"authorName"`
	Comments   []struct {
		UserComment *struct {
			Text             string    `json:"text"`
			OriginalText     string    `json:"originalText"`
			LastModified     timestamp `json:"lastModified"`
			StarRating       int       `json:"starRating"`
			ReviewerLanguage string    `json:"reviewerLanguage"`
			Device           string    `json:"device"`
			AndroidOSVersion int       `json:"androidOsVersion"`
			AppVersionCode   int64     `json:"appVersionCode"`
			AppVersionName   string    `json:"appVersionName"`
		} `json:"userComment"`
		DeveloperComment *struct {
			Text         string    `json:"text"`
			LastModified timestamp `json:"lastModified"`
		} `json:"developerComment"`
	} `json:"comments"`
}

type reviewList struct {
	Reviews         []review `json:"reviews"`
	TokenPagination struct {
		NextPageToken string `json:"nextPageToken"`
	} `json:"tokenPagination"`
}

// cursor is where a pass stands: the next page's token and the pages read so far. Between
// passes it is empty: every pass reads Play's whole seven-day window again.
type cursor struct {
	Page  string `json:"page,omitempty"`
	Pages int    `json:"pages,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, adapters.Permanent(fmt.Errorf("googleplay: the stored cursor %q is not one of this adapter's", adapters.ServerText(s)))
	}
	return c, nil
}

func (c cursor) String() string {
	if c == (cursor{}) {
		return ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// Fetch reads one page of the reviews Play lists (those created or modified in the last
// seven days), each review with the developer's reply. A pass pages on (More) to the
// last page or max_pages; the next pass starts no sooner than interval after it, so the
// reads stay under Play's 200 an hour: a Fetch called sooner returns nothing.
func (a *Adapter) Fetch(ctx context.Context, cur string) (adapters.Batch, error) {
	c, err := parseCursor(cur)
	if err != nil {
		return adapters.Batch{}, err
	}
	now := a.now()
	if c.Page == "" && now.Before(a.due()) {
		return adapters.Batch{Cursor: cur}, nil
	}
	q := url.Values{"maxResults": {strconv.Itoa(pageSize)}}
	if c.Page != "" {
		q.Set("token", c.Page)
	}
	if a.translation != "" {
		q.Set("translationLanguage", a.translation)
	}
	var page reviewList
	path := "/androidpublisher/v3/applications/" + url.PathEscape(a.pkg) + "/reviews"
	if err := a.call(ctx, http.MethodGet, path, q, nil, &page); err != nil {
		return adapters.Batch{}, httpx.Wrap(fmt.Sprintf("googleplay %s: list reviews", a.name), err)
	}
	var b adapters.Batch
	for _, r := range page.Reviews {
		b.Messages = append(b.Messages, a.messages(r)...)
	}
	slices.SortStableFunc(b.Messages, func(x, y inbox.Message) int { return x.CreatedAt.Compare(y.CreatedAt) })
	next := cursor{Page: page.TokenPagination.NextPageToken, Pages: c.Pages + 1}
	if next.Page == "" || next.Pages >= a.maxPages {
		next = cursor{}
		a.mu.Lock()
		a.nextPass = now.Add(a.interval)
		a.mu.Unlock()
	} else {
		b.More = true
	}
	b.Cursor = next.String()
	return b, nil
}

func (a *Adapter) due() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.nextPass
}

// messages turns a review into inbox messages: the author's comment (inbound; its id
// changes when the author edits it) and the developer's reply (outbound, from the Play
// Console unless triage sent it).
func (a *Adapter) messages(r review) []inbox.Message {
	var out []inbox.Message
	for _, c := range r.Comments {
		switch {
		case c.UserComment != nil:
			u := c.UserComment
			m := inbox.Message{
				Channel:      Channel,
				Account:      a.name,
				ID:           r.ReviewID + "@" + strconv.FormatInt(u.LastModified.unix(), 10),
				Conversation: conversation(r.ReviewID),
				Kind:         inbox.KindReview,
				Direction:    inbox.In,
				// Play names no author beyond a display name: the review is its author's id,
				// so two people called "Ana" are never one contact.
				Author:     &inbox.Author{ID: r.ReviewID, Name: strings.TrimSpace(r.AuthorName)},
				Text:       cmp(playText(u.Text), "(no text)"),
				CreatedAt:  u.LastModified.time(),
				URL:        "https://play.google.com/store/apps/details?id=" + url.QueryEscape(a.pkg) + "&reviewId=" + url.QueryEscape(r.ReviewID),
				Rating:     u.StarRating,
				AppVersion: u.AppVersionName,
				Language:   u.ReviewerLanguage,
			}
			if orig := playText(u.OriginalText); orig != "" && orig != playText(u.Text) {
				// translationLanguage: Play gave the translation; the author's words follow.
				m.Text += "\n\n(" + cmp(u.ReviewerLanguage, "original") + ") " + orig
			}
			if m.AppVersion == "" && u.AppVersionCode > 0 {
				m.AppVersion = strconv.FormatInt(u.AppVersionCode, 10)
			}
			if m.Author.Name == "" {
				m.Author.Name = "A Google user" // Play's name for an author it does not show
			}
			if m.Rating < 1 || m.Rating > 5 {
				m.Rating = 0
			}
			out = append(out, m)
		case c.DeveloperComment != nil && strings.TrimSpace(c.DeveloperComment.Text) != "":
			d := c.DeveloperComment
			out = append(out, inbox.Message{
				Channel:      Channel,
				Account:      a.name,
				ID:           replyID(r.ReviewID, d.Text),
				Conversation: conversation(r.ReviewID),
				Kind:         inbox.KindReview,
				Direction:    inbox.Out,
				Agent:        NativeAgent,
				Text:         strings.TrimSpace(d.Text),
				CreatedAt:    d.LastModified.time(),
			})
		}
	}
	return out
}

// conversation is a review's conversation key.
func conversation(reviewID string) string { return "gp:" + reviewID }

// replyID is the id of the developer's reply with that text to a review: the review's
// id and a short hash of the text (runs of whitespace as one space). Play gives a reply
// no id, and a review has at most one; the hash makes the reply triage sent and the one
// Play then lists the same message, and a reply replaced with another text a new one.
func replyID(reviewID, text string) string {
	sum := sha256.Sum256([]byte(sameText(text)))
	return reviewID + "/reply/" + hex.EncodeToString(sum[:6])
}

// playText is a review's text as Play gives it: the title and the body separated by a tab
// when the author wrote both (Play's documentation of UserComment.text), else the body.
// The title goes on a line of its own, as the App Store's does; a tab would reach the
// screen as a blank.
func playText(s string) string {
	title, body, ok := strings.Cut(s, "\t")
	title, body = strings.TrimSpace(title), strings.TrimSpace(body)
	if !ok || title == "" || body == "" {
		return title + body
	}
	return title + "\n\n" + body
}

// sameText is a text with its runs of whitespace made one space.
func sameText(s string) string { return strings.Join(strings.Fields(s), " ") }
