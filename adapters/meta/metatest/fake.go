// Package metatest is a local Graph API server for tests, speaking the payloads Meta
// documents for the calls triage makes on Instagram: an IG user's media
// (GET /{ig-user-id}/media), one media or comment (GET /{id}), a media's comments with their replies
// (GET /{ig-media-id}/comments), a comment's replies (GET and POST
// /{ig-comment-id}/replies), hiding, unhiding and deleting a comment (POST and DELETE
// /{ig-comment-id}), the media the user is tagged in (GET /{ig-user-id}/tags),
// conversations and their messages (GET /me/conversations?platform=instagram,
// GET /{conversation-id}, GET /{conversation-id}/messages, GET /{message-id}), and the
// Send API (POST /me/messages: the 24-hour window, HUMAN_AGENT, private replies; see
// ig_dm.go). Lists page with {"data":[…],"paging":{"cursors":{"before","after"},"next"}};
// fields=… picks the fields of each object (nested edges as replies{id,text}), and
// without it the defaults Meta documents come back. Errors are Graph's {"error":{…}}
// bodies: a wrong token is code 190; Fail queues others (see TokenExpired, RateLimited,
// ServerError), answered before or, with After, after the request is carried out.
package metatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a fake Graph API for one Instagram user.
type Server struct {
	URL      string // the base URL, for graph_url
	IGUserID string
	Username string // the account's username ("acme.coffee"); its comments are from IGUserID
	Token    string // the token requests must carry as "Authorization: Bearer …"
	PageSize int    // items per page when a request gives no limit (Graph's default is 25)
	// MaxPage, when set, caps the items per page whatever limit a request asks, as Graph
	// gives fewer than asked on some edges; tests set it low to see paging.
	MaxPage int

	t   TB
	srv *httptest.Server

	mu        sync.Mutex
	media     []map[string]any          // the user's media, newest first
	comments  map[string]map[string]any // by id
	order     []string                  // comment ids in the order added
	convs     []*conversation           // most recently updated first
	tags      []map[string]any          // media the user is tagged in, newest first
	mentioned map[string]map[string]any // comments on others' media that @mention the user, by id
	sent      []Sent
	nextID    int64
	failures  []Failure
	requests  []Request
	repliesTo []Reply
	down      bool

	// Now is the server's clock, for the messaging window and the times of the messages
	// the account sends; nil: time.Now.
	Now func() time.Time

	// Route, when set, answers requests the Instagram fake does not know first (another
	// channel's fake, like a Page or a WhatsApp number, built on this one). It runs under
	// the server's lock with the path's parts ("me", "messages"), after the token and
	// version are checked, and says whether it answered.
	Route func(w http.ResponseWriter, r *http.Request, parts []string) bool
}

// Request is what the server saw of one request.
type Request struct {
	Method, Path string // Path without the version: "/17841400000000001/media"
	Query        string // the raw query
	Version      string // "v24.0"
	Body         string // the raw body of a POST (form or JSON)
}

// Reply is one POST /{ig-comment-id}/replies the server accepted.
type Reply struct {
	CommentID string // the comment the reply went under (the top-level one)
	Message   string
	ID        string // the new comment's id
}

// Failure is an answer given instead of the real one to the next request (for Path, when
// set: a path without the version, like "/17841400000000001/media").
type Failure struct {
	Path    string
	Status  int
	Header  map[string]string
	Code    int
	Subcode int
	Type    string
	Message string
	Hangup  bool   // close the connection without an answer
	Method  string // only for requests of this method, when set ("POST")
	After   bool   // carry the request out first, then answer with the failure
}

// New starts a fake Graph server for an Instagram user and token, closed when the test ends.
func New(t TB, igUserID, token string) *Server {
	s := &Server{IGUserID: igUserID, Username: "acme.coffee", Token: token, PageSize: 25, t: t,
		comments: map[string]map[string]any{}, nextID: 17900000000000000}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// TokenExpired is Graph's answer to an expired user token: code 190, subcode 463.
func TokenExpired() Failure {
	return Failure{Status: http.StatusBadRequest, Code: 190, Subcode: 463, Type: "OAuthException",
		Message: "Error validating access token: Session has expired on Friday, 04-Dec-26 10:00:00 PST. The current time is Sunday, 06-Dec-26 10:30:00 PST."}
}

// RateLimited is a throttling error (code 4 application, 17 user, 32 page, 613 per-API,
// 80002 Instagram's business use case), with the usage headers Meta sends: the
// X-Business-Use-Case-Usage entry says to wait regainMinutes (0: only an X-App-Usage at 100%).
func RateLimited(code int, businessID string, regainMinutes int) Failure {
	msgs := map[int]string{4: "Application request limit reached", 17: "User request limit reached",
		32: "Page request limit reached", 613: "Calls to this api have exceeded the rate limit.",
		80002: "There have been too many calls to this Instagram account. Wait a bit and try again."}
	h := map[string]string{"X-App-Usage": `{"call_count":100,"total_cputime":12,"total_time":15}`}
	if regainMinutes > 0 {
		h["X-Business-Use-Case-Usage"] = fmt.Sprintf(`{"%s":[{"type":"instagram","call_count":100,"total_cputime":9,"total_time":11,"estimated_time_to_regain_access":%d}]}`, businessID, regainMinutes)
	}
	return Failure{Status: http.StatusBadRequest, Code: code, Type: "OAuthException", Message: msgs[code], Header: h}
}

// ServerError is a 500 with Graph's transient error body.
func ServerError() Failure {
	return Failure{Status: http.StatusInternalServerError, Code: 2, Type: "OAuthException",
		Message: "An unexpected error has occurred. Please retry your request later."}
}

// Fail queues failures, answered in order.
func (s *Server) Fail(fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, fs...)
}

// Requests returns what the server saw, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Replies returns the replies posted, in order.
func (s *Server) Replies() []Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.repliesTo)
}

func (s *Server) id() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

// AddMedia adds a post of the user, newest first as Graph lists them, and returns its id.
// timestamp is Graph's format, "2026-12-06T10:00:00+0000".
func (s *Server) AddMedia(caption, timestamp string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	m := map[string]any{"id": id, "caption": caption, "media_type": "IMAGE", "media_product_type": "FEED",
		"permalink": "https://www.instagram.com/p/C" + id[len(id)-6:] + "/", "timestamp": timestamp,
		"username": s.Username, "like_count": 3, "comments_count": 0}
	s.media = append([]map[string]any{m}, s.media...)
	return id
}

// AddComment adds a comment by username on a media (parentID "" for a top-level one, else
// the comment it replies to) and returns its id.
func (s *Server) AddComment(mediaID, parentID, username, text, timestamp string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addComment(mediaID, parentID, username, text, timestamp)
}

func (s *Server) addComment(mediaID, parentID, username, text, timestamp string) string {
	id := s.id()
	fromID := "1" + id[1:]
	if username == s.Username {
		fromID = s.IGUserID
	}
	c := map[string]any{"id": id, "text": text, "timestamp": timestamp, "username": username,
		"from": map[string]any{"id": fromID, "username": username}, "like_count": 0, "hidden": false,
		"media": map[string]any{"id": mediaID, "media_product_type": "FEED"}}
	if parentID != "" {
		c["parent_id"] = parentID
	}
	s.comments[id] = c
	s.order = append(s.order, id)
	for _, m := range s.media {
		if m["id"] == mediaID {
			m["comments_count"] = m["comments_count"].(int) + 1 // replies count too, as Graph documents
		}
	}
	return id
}

var versionPath = regexp.MustCompile(`^/(v[0-9]+\.[0-9]+)(/.*)$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// The body is kept for Requests (a JSON body is what the Send API reads) and put
	// back for ParseForm, which reads form bodies.
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	_ = r.ParseForm()
	m := versionPath.FindStringSubmatch(r.URL.Path)
	path, version := r.URL.Path, ""
	if m != nil {
		version, path = m[1], m[2]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Version: version, Body: string(body)})
	if r.Method == http.MethodGet {
		s.capLimit(r)
	}
	if r.URL.Query().Has("access_token") {
		s.t.Errorf("metatest: %s %s carries access_token in its URL", r.Method, path)
	}
	if s.down {
		s.answerFailure(w, Failure{Hangup: true})
		return
	}
	for i, f := range s.failures {
		if (f.Path == "" || f.Path == path) && (f.Method == "" || f.Method == r.Method) {
			s.failures = slices.Delete(s.failures, i, i+1)
			if f.After {
				// Carried out, then the answer is lost: what a crash or a dropped
				// connection after Meta acted looks like to the client.
				s.handle(httptest.NewRecorder(), r, path, version, body)
			}
			s.answerFailure(w, f)
			return
		}
	}
	s.handle(w, r, path, version, body)
}

// capLimit lowers a request's limit to MaxPage.
func (s *Server) capLimit(r *http.Request) {
	q := r.URL.Query()
	if n, err := strconv.Atoi(q.Get("limit")); s.MaxPage > 0 && (err != nil || n > s.MaxPage) {
		q.Set("limit", strconv.Itoa(s.MaxPage))
		r.URL.RawQuery = q.Encode()
	}
}

// handle answers one request that no failure took: the token, the version, then the route.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, path, version string, body []byte) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		s.graphError(w, http.StatusBadRequest, nil, 190, 0, "OAuthException", "Invalid OAuth access token - Cannot parse access token")
		return
	}
	if version == "" {
		s.graphError(w, http.StatusBadRequest, nil, 2635, 0, "OAuthException", "You are calling a deprecated version of the Graph API. Please update to the latest version.")
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if s.Route != nil && s.Route(w, r, parts) {
		return
	}
	if s.serveMessaging(w, r, parts, body) || s.serveModeration(w, r, parts) || s.serveMentioned(w, r, parts) {
		return
	}
	if len(parts) == 1 && r.Method == http.MethodGet {
		// GET /{ig-comment-id} or /{ig-media-id}: the object's fields (default id only).
		if c := s.comments[parts[0]]; c != nil {
			writeJSON(w, http.StatusOK, nil, pick(c, parseFields(r.Form.Get("fields"))))
			return
		}
		for _, m := range s.media {
			if m["id"] == parts[0] {
				writeJSON(w, http.StatusOK, nil, pick(m, parseFields(r.Form.Get("fields"))))
				return
			}
		}
	}
	if len(parts) == 2 {
		switch {
		case r.Method == http.MethodGet && parts[0] == s.IGUserID && parts[1] == "media":
			s.list(w, r, s.media, "id")
			return
		case r.Method == http.MethodGet && parts[0] == s.IGUserID && parts[1] == "tags":
			s.list(w, r, s.tags, "id")
			return
		case r.Method == http.MethodGet && parts[1] == "comments" && s.hasMedia(parts[0]):
			s.list(w, r, s.commentsOf(parts[0], ""), "timestamp,text,id")
			return
		case parts[1] == "replies" && s.comments[parts[0]] != nil:
			if r.Method == http.MethodPost {
				s.reply(w, r, parts[0])
				return
			}
			s.list(w, r, s.commentsOf("", parts[0]), "timestamp,text,id")
			return
		}
	}
	s.graphError(w, http.StatusBadRequest, nil, 100, 33, "GraphMethodException",
		fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", strings.ToLower(r.Method), parts[0]))
}

func (s *Server) hasMedia(id string) bool {
	return slices.ContainsFunc(s.media, func(m map[string]any) bool { return m["id"] == id })
}

// commentsOf lists the top-level comments of a media, or the replies to a comment, in
// the order added, each with its replies edge.
func (s *Server) commentsOf(mediaID, parentID string) []map[string]any {
	var out []map[string]any
	for _, id := range s.order {
		c := s.comments[id]
		p, _ := c["parent_id"].(string)
		if parentID != "" && p == parentID || parentID == "" && p == "" && c["media"].(map[string]any)["id"] == mediaID {
			c["replies"] = map[string]any{"data": toAny(s.commentsOf("", id))}
			out = append(out, c)
		}
	}
	return out
}

// reply is POST /{ig-comment-id}/replies?message=…: a reply to a reply goes under the
// top-level comment; a hidden comment takes none.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, commentID string) {
	msg := r.Form.Get("message")
	if msg == "" {
		s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) The parameter message is required")
		return
	}
	c := s.comments[commentID]
	if p, _ := c["parent_id"].(string); p != "" {
		commentID, c = p, s.comments[p]
	}
	if c["hidden"] == true {
		s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) Cannot reply to a hidden comment")
		return
	}
	mediaID := c["media"].(map[string]any)["id"].(string)
	id := s.addComment(mediaID, commentID, s.Username, msg, "2026-12-06T12:00:00+0000")
	s.repliesTo = append(s.repliesTo, Reply{CommentID: commentID, Message: msg, ID: id})
	writeJSON(w, http.StatusOK, nil, map[string]any{"id": id})
}

func toAny(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

func (s *Server) answerFailure(w http.ResponseWriter, f Failure) {
	if f.Hangup {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	s.graphError(w, f.Status, f.Header, f.Code, f.Subcode, f.Type, f.Message)
}

// GraphError writes Graph's error body {"error":{…}} (for Route handlers).
func (s *Server) GraphError(w http.ResponseWriter, status int, code, subcode int, typ, msg string) {
	s.graphError(w, status, nil, code, subcode, typ, msg)
}

// WriteJSON writes v as a 200 JSON answer (for Route handlers).
func WriteJSON(w http.ResponseWriter, v any) { writeJSON(w, http.StatusOK, nil, v) }

// List answers a Graph list of items with paging, fields and limit as the Instagram
// lists do (for Route handlers); defaults are the fields given without fields=.
func (s *Server) List(w http.ResponseWriter, r *http.Request, items []map[string]any, defaults string) {
	s.list(w, r, items, defaults)
}

// NewID returns a fresh numeric id (for Route handlers, under the lock).
func (s *Server) NewID() string { return s.id() }

// graphError writes Graph's error body.
func (s *Server) graphError(w http.ResponseWriter, status int, h map[string]string, code, subcode int, typ, msg string) {
	e := map[string]any{"message": msg, "type": typ, "code": code, "fbtrace_id": "AbCdEfGh" + strconv.Itoa(len(s.requests))}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	if status >= 500 {
		e["is_transient"] = true
	}
	writeJSON(w, status, h, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, h map[string]string, v any) {
	for k, val := range h {
		w.Header().Set(k, val)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Down makes the server hang up on every request (Go's client retries a GET once on a
// reused connection, so one hang-up alone would not be seen), or answer again.
func (s *Server) Down(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// TB is what the fakes need of a test: a *testing.T has it, and so does metafake, which
// serves them by hand.
type TB interface {
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}
