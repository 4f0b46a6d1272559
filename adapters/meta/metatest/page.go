package metatest

// This file is a Facebook Page, built on the Instagram fake through its Route hook: the
// Page's feed with visitor posts (GET /{page-id}/feed), a post's or a comment's comments
// (GET and POST /{object-id}/comments), one object (GET /{id}), moderation
// (POST /{comment-id} is_hidden, DELETE /{comment-id}). Messenger is in page_messenger.go.

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"
)

// graphTime is how Graph writes times: "2026-12-05T10:00:00+0000".
const graphTime = "2006-01-02T15:04:05-0700"

// Page is a fake Graph API for one Facebook Page: its feed, comments and Messenger inbox.
type Page struct {
	*Server
	PageID, Name string
	// PageLimit, when set, caps every list's page size, as Graph gives fewer items than
	// asked for on some edges; tests set it low to see paging.
	PageLimit int
	// Now is the fake's clock for the messaging windows; by default 2026-12-06 12:00 UTC.
	Now time.Time
	// HumanAgent says whether the app was granted the HUMAN_AGENT tag (7 days after the
	// customer's last message instead of 24 hours).
	HumanAgent bool

	posts      []map[string]any          // newest first, as the feed lists them
	comments   map[string]map[string]any // by id; "_post" names the post, "_order" the position
	corder     []string                  // comment ids in the order added
	convs      []*conv                   // newest activity first
	replies    []PageReply
	sends      []Send
	moderation []Moderation
	privately  map[string]bool // comment ids already answered by a private reply
	drops      []string        // "METHOD /path" whose next answer is lost (see DropAnswer)
}

// PageReply is a comment the Page posted through POST /{object-id}/comments.
type PageReply struct {
	Target  string // the object posted to (a post or a comment)
	Parent  string // the top-level comment it went under ("" on the post itself)
	Message string
	ID      string
}

// Send is one POST /{page-id}/messages the fake accepted, as sent.
type Send struct {
	RecipientID        string // recipient.id
	CommentID          string // recipient.comment_id (or post_id) of a private reply
	MessagingType, Tag string
	Text, Metadata     string
	MessageID          string // the mid answered
}

// Moderation is one hide, unhide or delete.
type Moderation struct{ ID, Action string }

// NewPage starts a fake Graph server for a Page and its token.
func NewPage(t TB, pageID, token string) *Page {
	p := &Page{Server: New(t, "17841400000000001", token), PageID: pageID, Name: "Acme Coffee",
		Now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), HumanAgent: true,
		comments: map[string]map[string]any{}, privately: map[string]bool{}}
	p.Route = p.route
	return p
}

// AddPost adds a post to the Page's feed by fromID (the Page's id for its own post, any
// other for a visitor post) and returns its id, "{page-id}_{n}".
func (p *Page) AddPost(fromID, fromName, message, createdTime string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.PageID + "_" + p.id()
	post := map[string]any{"id": id, "message": message, "created_time": createdTime, "updated_time": createdTime,
		"from": p.from(fromID, fromName), "permalink_url": "https://www.facebook.com/" + strings.ReplaceAll(id, "_", "/posts/")}
	p.posts = append([]map[string]any{post}, p.posts...)
	slices.SortStableFunc(p.posts, func(a, b map[string]any) int {
		return strings.Compare(b["created_time"].(string), a["created_time"].(string))
	})
	return id
}

// AddComment adds a comment on a post by fromID (parentID "" for a top-level one, else the
// comment it answers) and returns its id; the post's updated_time moves to it, as Graph
// documents.
func (p *Page) AddComment(postID, parentID, fromID, fromName, message, createdTime string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addComment(postID, parentID, fromID, fromName, message, createdTime)
}

func (p *Page) addComment(postID, parentID, fromID, fromName, message, createdTime string) string {
	post := p.post(postID)
	id := strings.TrimPrefix(postID, p.PageID+"_") + "_" + p.id()
	c := map[string]any{"id": id, "message": message, "created_time": createdTime, "from": p.from(fromID, fromName),
		"is_hidden": false, "permalink_url": post["permalink_url"].(string) + "?comment_id=" + id, "_post": postID}
	if parentID != "" {
		c["parent"] = map[string]any{"id": parentID}
	}
	p.comments[id] = c
	p.corder = append(p.corder, id)
	if createdTime > post["updated_time"].(string) {
		post["updated_time"] = createdTime
	}
	return id
}

// Touch sets a post's updated_time, as an edit does, or a comment held for review and
// approved later (its created_time stays the time it was written).
func (p *Page) Touch(postID, updatedTime string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.post(postID)["updated_time"] = updatedTime
}

// Replies returns the comments the Page posted through the API, in order.
func (p *Page) Replies() []PageReply {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.replies)
}

// Moderations returns the hides, unhides and deletes, in order.
func (p *Page) Moderations() []Moderation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.moderation)
}

// Hidden says whether a comment is hidden; Exists whether it is still there.
func (p *Page) Hidden(commentID string) (hidden, exists bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.comments[commentID]
	if c == nil {
		return false, false
	}
	return c["is_hidden"] == true, true
}

func (p *Page) from(id, name string) map[string]any {
	if id == p.PageID && name == "" {
		name = p.Name
	}
	return map[string]any{"id": id, "name": name}
}

func (p *Page) post(id string) map[string]any {
	for _, post := range p.posts {
		if post["id"] == id {
			return post
		}
	}
	return nil
}

// DropAnswer makes the next request method path (a path without the version, like
// "/123_456/comments") do its work, then drops the connection before the answer: a reply
// posted whose answer is lost.
func (p *Page) DropAnswer(method, path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drops = append(p.drops, method+" "+path)
}

// route answers the Page's calls; the Instagram fake answers the rest.
func (p *Page) route(w http.ResponseWriter, r *http.Request, parts []string) bool {
	if i := slices.Index(p.drops, r.Method+" /"+strings.Join(parts, "/")); i >= 0 {
		p.drops = slices.Delete(p.drops, i, i+1)
		answered := p.dispatch(httptest.NewRecorder(), r, parts)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return answered
	}
	return p.dispatch(w, r, parts)
}

func (p *Page) dispatch(w http.ResponseWriter, r *http.Request, parts []string) bool {
	switch {
	case len(parts) == 2 && parts[0] == p.PageID && parts[1] == "feed" && r.Method == http.MethodGet:
		p.feed(w, r)
	case len(parts) == 2 && parts[0] == p.PageID && parts[1] == "conversations" && r.Method == http.MethodGet:
		p.conversations(w, r)
	case len(parts) == 2 && parts[0] == p.PageID && parts[1] == "messages" && r.Method == http.MethodPost:
		p.send(w, r)
	case len(parts) == 2 && parts[1] == "messages" && r.Method == http.MethodGet && p.conv(parts[0]) != nil:
		p.convMessages(w, r, p.conv(parts[0]))
	case len(parts) == 2 && parts[1] == "comments" && (p.post(parts[0]) != nil || p.comments[parts[0]] != nil):
		if r.Method == http.MethodPost {
			p.comment(w, r, parts[0])
		} else {
			p.listComments(w, r, parts[0])
		}
	case len(parts) == 1 && p.comments[parts[0]] != nil:
		p.commentNode(w, r, parts[0])
	case len(parts) == 1 && r.Method == http.MethodGet && p.post(parts[0]) != nil:
		WriteJSON(w, pick(p.post(parts[0]), parseFields(r.Form.Get("fields"))))
	default:
		return false
	}
	return true
}

// feed is GET /{page-id}/feed: posts newest first; since and until filter on updated_time,
// as Graph applies them to posts.
func (p *Page) feed(w http.ResponseWriter, r *http.Request) {
	since, until := unixParam(r, "since"), unixParam(r, "until")
	var items []map[string]any
	for _, post := range p.posts {
		t := unixOf(post["updated_time"].(string))
		if since > 0 && t < since || until > 0 && t > until {
			continue
		}
		items = append(items, post)
	}
	p.writeList(w, r, items, "created_time,message,id")
}

// listComments is GET /{object-id}/comments: on a post, its top-level comments
// (filter=toplevel, the default) or all of them with replies (filter=stream); on a
// comment, its replies. order=chronological (default) or reverse_chronological.
func (p *Page) listComments(w http.ResponseWriter, r *http.Request, objectID string) {
	onPost := p.post(objectID) != nil
	stream := r.Form.Get("filter") == "stream"
	var items []map[string]any
	for _, id := range p.corder {
		c := p.comments[id]
		parent := parentOf(c)
		if onPost && c["_post"] == objectID && (stream || parent == "") || !onPost && parent == objectID {
			items = append(items, c)
		}
	}
	if r.Form.Get("order") == "reverse_chronological" {
		slices.Reverse(items)
	}
	p.writeList(w, r, items, "created_time,from,message,id")
}

func parentOf(c map[string]any) string {
	if par, ok := c["parent"].(map[string]any); ok {
		return par["id"].(string)
	}
	return ""
}

// comment is POST /{object-id}/comments message=…: a comment by the Page. Facebook threads
// one level deep: a comment on a reply goes under that reply's top-level comment.
func (p *Page) comment(w http.ResponseWriter, r *http.Request, objectID string) {
	msg := r.Form.Get("message")
	if msg == "" {
		p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The parameter message is required")
		return
	}
	postID, parent := objectID, ""
	if c := p.comments[objectID]; c != nil {
		postID, parent = c["_post"].(string), objectID
		if top := parentOf(c); top != "" {
			parent = top
		}
	}
	id := p.addComment(postID, parent, p.PageID, "", msg, p.Now.Format(graphTime))
	p.replies = append(p.replies, PageReply{Target: objectID, Parent: parent, Message: msg, ID: id})
	WriteJSON(w, map[string]any{"id": id})
}

// commentNode is GET /{comment-id} (its fields), POST /{comment-id} is_hidden=true|false
// and DELETE /{comment-id}; the last two answer {"success":true}.
func (p *Page) commentNode(w http.ResponseWriter, r *http.Request, id string) {
	c := p.comments[id]
	switch r.Method {
	case http.MethodGet:
		WriteJSON(w, pick(c, parseFields(r.Form.Get("fields"))))
	case http.MethodPost:
		v, err := strconv.ParseBool(r.Form.Get("is_hidden"))
		if err != nil {
			p.GraphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Param is_hidden must be a boolean")
			return
		}
		c["is_hidden"] = v
		p.moderation = append(p.moderation, Moderation{ID: id, Action: map[bool]string{true: "hide", false: "unhide"}[v]})
		WriteJSON(w, map[string]any{"success": true})
	case http.MethodDelete:
		delete(p.comments, id)
		p.corder = slices.DeleteFunc(p.corder, func(x string) bool { return x == id })
		p.moderation = append(p.moderation, Moderation{ID: id, Action: "delete"})
		WriteJSON(w, map[string]any{"success": true})
	default:
		p.GraphError(w, http.StatusBadRequest, 100, 0, "GraphMethodException", "Unsupported request")
	}
}

// writeList answers a list with the page size capped at PageLimit.
func (p *Page) writeList(w http.ResponseWriter, r *http.Request, items []map[string]any, defaults string) {
	if p.PageLimit > 0 {
		q := r.URL.Query()
		if n, err := strconv.Atoi(q.Get("limit")); err != nil || n > p.PageLimit {
			q.Set("limit", strconv.Itoa(p.PageLimit))
			r.URL.RawQuery = q.Encode()
		}
	}
	p.list(w, r, items, defaults)
}

func unixParam(r *http.Request, key string) int64 {
	n, _ := strconv.ParseInt(r.Form.Get(key), 10, 64)
	return n
}

func unixOf(graph string) int64 {
	t, err := time.Parse(graphTime, graph)
	if err != nil {
		return 0
	}
	return t.Unix()
}
