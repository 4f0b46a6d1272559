package metatest

// The Page's Messenger inbox: conversations (GET /{page-id}/conversations?platform=messenger,
// with the messages edge nested as messages.limit(n){…}), a conversation's messages
// (GET /{conversation-id}/messages), and the Send API (POST /{page-id}/messages) with its
// 24-hour window, the HUMAN_AGENT tag and private replies to comments.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// conv is one Messenger conversation between the Page and a person (by PSID).
type conv struct {
	id, psid, name string
	updated        string
	messages       []map[string]any // newest first, as Graph lists them
}

// Window is Meta's refusal of a message outside the 24-hour window (code 10, subcode
// 2018278), as the Send API answers it.
const Window = "(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview"

// AddMessage adds a Messenger message between the Page and the person psid (from the
// Page when fromPage), in their conversation, created on its first message; it returns
// the message's id, a mid as the Messenger webhook names it.
func (p *Page) AddMessage(psid, name string, fromPage bool, text, createdTime string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addMessage(psid, name, fromPage, text, createdTime)
}

func (p *Page) addMessage(psid, name string, fromPage bool, text, createdTime string) string {
	c := p.convWith(psid)
	if c == nil {
		c = &conv{id: "t_" + p.id(), psid: psid, name: name}
		p.convs = append(p.convs, c)
	}
	if name == "" {
		name = c.name
	}
	person, page := p.from(psid, name), p.from(p.PageID, "")
	from, to := person, page
	if fromPage {
		from, to = page, person
	}
	mid := "m_" + strings.Repeat("A", 8) + p.id()
	msg := map[string]any{"id": mid, "message": text, "created_time": createdTime, "from": from,
		"to": map[string]any{"data": []any{to}}}
	c.messages = append([]map[string]any{msg}, c.messages...)
	slices.SortStableFunc(c.messages, func(a, b map[string]any) int {
		return strings.Compare(b["created_time"].(string), a["created_time"].(string))
	})
	c.updated = max(c.updated, createdTime)
	slices.SortStableFunc(p.convs, func(a, b *conv) int { return strings.Compare(b.updated, a.updated) })
	return mid
}

// Sends returns the Send API calls accepted, in order.
func (p *Page) Sends() []Send {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sends)
}

func (p *Page) convWith(psid string) *conv {
	for _, c := range p.convs {
		if c.psid == psid {
			return c
		}
	}
	return nil
}

func (p *Page) conv(id string) *conv {
	for _, c := range p.convs {
		if c.id == id {
			return c
		}
	}
	return nil
}

// messagesField matches the messages edge in fields, with or without .limit(n).
var messagesField = regexp.MustCompile(`^messages(?:\.limit\(([0-9]+)\))?$`)

// conversations is GET /{page-id}/conversations?platform=messenger[&user_id=PSID]: newest
// activity first; fields id, updated_time, and the messages edge with its own paging.
func (p *Page) conversations(w http.ResponseWriter, r *http.Request) {
	if r.Form.Get("platform") != "messenger" {
		p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The parameter platform is required")
		return
	}
	spec := parseFields(r.Form.Get("fields"))
	if len(spec) == 0 {
		spec = parseFields("id,updated_time")
	}
	var items []map[string]any
	for _, c := range p.convs {
		if u := r.Form.Get("user_id"); u != "" && u != c.psid {
			continue
		}
		items = append(items, map[string]any{"id": c.id, "updated_time": c.updated, "link": "/" + p.PageID + "/inbox/"})
	}
	page, ok := p.page(w, items, r.Form, spec, func(after string) string { return p.nextURL(r, r.URL.Path, r.URL.Query(), after) })
	if !ok {
		return
	}
	for _, it := range page["data"].([]any) {
		out := it.(map[string]any)
		c := p.conv(out["id"].(string))
		for name, sub := range spec {
			m := messagesField.FindStringSubmatch(name)
			if m == nil {
				continue
			}
			q := url.Values{"limit": {m[1]}, "fields": {fieldsText(sub)}}
			path := "/" + versionPath.FindStringSubmatch(r.URL.Path)[1] + "/" + c.id + "/messages"
			edge, _ := p.page(nil, c.messages, q, sub, func(after string) string { return p.nextURL(r, path, q, after) })
			out["messages"] = edge
		}
	}
	WriteJSON(w, page)
}

// convMessages is GET /{conversation-id}/messages: newest first.
func (p *Page) convMessages(w http.ResponseWriter, r *http.Request, c *conv) {
	spec := parseFields(r.Form.Get("fields"))
	if len(spec) == 0 {
		spec = parseFields("id,created_time")
	}
	if page, ok := p.page(w, c.messages, r.Form, spec, func(after string) string { return p.nextURL(r, r.URL.Path, r.URL.Query(), after) }); ok {
		WriteJSON(w, page)
	}
}

// page is one page of items after q's after cursor, of q's limit (25 by default, capped
// at PageLimit), each picked by spec, with Graph's paging object; w gets the error when
// the cursor or limit is bad (and may be nil for a nested edge).
func (p *Page) page(w http.ResponseWriter, items []map[string]any, q url.Values, spec fieldSpec, next func(after string) string) (map[string]any, bool) {
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			if w != nil {
				p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Param limit must be a positive integer")
			}
			return nil, false
		}
		limit = n
	}
	if p.PageLimit > 0 {
		limit = min(limit, p.PageLimit)
	}
	start := 0
	if a := q.Get("after"); a != "" {
		i, ok := p.cursorIndex(items, a)
		if !ok {
			if w != nil {
				p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The after cursor is not valid")
			}
			return nil, false
		}
		start = i + 1
	}
	end := min(start+limit, len(items))
	data := []any{}
	for _, it := range items[start:end] {
		data = append(data, pick(it, spec))
	}
	out := map[string]any{"data": data}
	if end > start {
		paging := map[string]any{"cursors": map[string]any{"before": cursor(items[start]), "after": cursor(items[end-1])}}
		if end < len(items) {
			paging["next"] = next(cursor(items[end-1]))
		}
		out["paging"] = paging
	}
	return out, true
}

// nextURL is a next link as Graph writes it: the same query with the after cursor.
func (p *Page) nextURL(r *http.Request, path string, q url.Values, after string) string {
	q = cloneQuery(q)
	q.Set("after", after)
	u := url.URL{Scheme: "http", Host: r.Host, Path: path, RawQuery: q.Encode()}
	return u.String()
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// fieldsText writes a field spec back as a fields parameter.
func fieldsText(spec fieldSpec) string {
	var names []string
	for name, sub := range spec {
		if len(sub) > 0 {
			name += "{" + fieldsText(sub) + "}"
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// sendBody is the Send API's JSON body.
type sendBody struct {
	Recipient struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
		PostID    string `json:"post_id"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Tag           string `json:"tag"`
	Message       struct {
		Text     string `json:"text"`
		Metadata string `json:"metadata"`
	} `json:"message"`
}

// send is POST /{page-id}/messages: a message to a person who wrote to the Page within
// 24 hours (7 days with the HUMAN_AGENT tag, where the app has it), or one private reply to
// a comment within 7 days of it. It answers {"recipient_id","message_id"}.
func (p *Page) send(w http.ResponseWriter, r *http.Request) {
	var b sendBody
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.NewDecoder(r.Body).Decode(&b) != nil {
		p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) param recipient must be non-empty.")
		return
	}
	if b.Message.Text == "" {
		p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Must send either message or state")
		return
	}
	var psid, name string
	switch {
	case b.Recipient.CommentID != "" || b.Recipient.PostID != "":
		// A private reply: to a comment, or to a visitor post.
		id, c := b.Recipient.CommentID, p.comments[b.Recipient.CommentID]
		if id == "" {
			id, c = b.Recipient.PostID, p.post(b.Recipient.PostID)
		}
		switch {
		case c == nil:
			p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Invalid comment_id or post_id")
			return
		case p.privately[id]:
			p.GraphError(w, http.StatusBadRequest, 10900, 0, "OAuthException", "Activity already replied to")
			return
		case p.Now.Sub(time.Unix(unixOf(c["created_time"].(string)), 0)) > 7*24*time.Hour:
			p.GraphError(w, http.StatusBadRequest, 10, 2018278, "OAuthException", Window)
			return
		}
		p.privately[id] = true
		from := c["from"].(map[string]any)
		psid, name = from["id"].(string), from["name"].(string)
	case b.Recipient.ID != "":
		c := p.convWith(b.Recipient.ID)
		if c == nil {
			p.GraphError(w, http.StatusBadRequest, 100, 2018001, "OAuthException", "(#100) No matching user found")
			return
		}
		if !p.open(c, b) {
			p.GraphError(w, http.StatusBadRequest, 10, 2018278, "OAuthException", Window)
			return
		}
		psid = c.psid
	default:
		p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) param recipient must be non-empty.")
		return
	}
	mid := p.addMessage(psid, name, true, b.Message.Text, p.Now.Format(graphTime))
	p.sends = append(p.sends, Send{RecipientID: b.Recipient.ID, CommentID: b.Recipient.CommentID + b.Recipient.PostID, MessagingType: b.MessagingType,
		Tag: b.Tag, Text: b.Message.Text, Metadata: b.Message.Metadata, MessageID: mid})
	WriteJSON(w, map[string]any{"recipient_id": psid, "message_id": mid})
}

// open says whether the conversation takes a message now: 24 hours after the person's
// last message, or 7 days with the HUMAN_AGENT tag where the app has it.
func (p *Page) open(c *conv, b sendBody) bool {
	var last time.Time
	for _, m := range c.messages {
		if m["from"].(map[string]any)["id"] != p.PageID {
			last = time.Unix(unixOf(m["created_time"].(string)), 0)
			break
		}
	}
	window := 24 * time.Hour
	if b.MessagingType == "MESSAGE_TAG" && b.Tag == "HUMAN_AGENT" && p.HumanAgent {
		window = 7 * 24 * time.Hour
	}
	return !last.IsZero() && p.Now.Sub(last) <= window
}
