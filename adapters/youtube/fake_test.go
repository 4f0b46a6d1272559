package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// The secrets of the tests, looked for in every error and log.
const (
	channelID    = "UCacme000000000000000000"
	clientID     = "1234-acme.apps.googleusercontent.com"
	clientSecret = "GOCSPX-s3cr3t-client-value"
	refreshToken = "1//0g-refresh-token-value"
)

// fake is a local YouTube Data API v3 and Google OAuth token endpoint, following the
// documented requests and payloads: commentThreads.list (allThreadsRelatedToChannelId,
// order=time newest activity first, moderationStatus, pageToken), comments.list
// (parentId), comments.insert, comments.setModerationStatus, the refresh_token grant, and
// Google's error bodies ({"error":{"code","message","errors":[{"reason"}]}}).
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	now      time.Time
	threads  []*fthread
	embed    int // replies embedded in a thread (YouTube embeds a few)
	pageSize int // 0: maxResults
	refresh  string
	rotate   bool // each refresh answers a new refresh token
	access   map[string]bool
	issued   int
	calls    []fcall
	nextID   int

	// Failures to play. quotaOut: every call answers 403 quotaExceeded. loseNext: so
	// many inserts are made but answered 500. refuseAll: every insert is refused (403)
	// with this reason.
	quotaOut  bool
	loseNext  int
	refuseAll string
	// refuseTokens: every access token is refused (401), even a fresh one.
	refuseTokens bool
	// limited: the next call is refused with 403 rateLimitExceeded, or 429 with
	// Retry-After: 120 when "429".
	limited string
	// echo: calls are refused with a message repeating the request's credentials, as a
	// careless proxy might.
	echo bool
}

type fthread struct {
	id, video string
	status    string // published, heldForReview, likelySpam
	top       fcomment
	replies   []fcomment
}

type fcomment struct {
	id, author, name, text, status string
	at                             time.Time
}

type fcall struct {
	Method, Path string
	Query        url.Values
	Body         map[string]any
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, embed: 2, refresh: refreshToken, access: map[string]bool{},
		now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /youtube/v3/commentThreads", f.authed(f.listThreads))
	mux.HandleFunc("GET /youtube/v3/comments", f.authed(f.listComments))
	mux.HandleFunc("POST /youtube/v3/comments", f.authed(f.insert))
	mux.HandleFunc("POST /youtube/v3/comments/setModerationStatus", f.authed(f.moderate))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// account is the [[account]] for the fake, its secrets in the environment.
func (f *fake) account(t *testing.T, extra map[string]any) adapters.Account {
	t.Setenv("YT_CLIENT_ID", clientID)
	t.Setenv("YT_CLIENT_SECRET", clientSecret)
	t.Setenv("YT_REFRESH_TOKEN", refreshToken)
	keys := map[string]any{"name": "acme-youtube", "channel": "youtube", "channel_id": channelID,
		"client_id_env": "YT_CLIENT_ID", "client_secret_env": "YT_CLIENT_SECRET", "refresh_token_env": "YT_REFRESH_TOKEN",
		"api_url": f.srv.URL + "/youtube/v3", "token_url": f.srv.URL + "/token"}
	for k, v := range extra {
		keys[k] = v
	}
	return adapters.Account{Name: "acme-youtube", Channel: "youtube", Keys: keys}
}

// newAdapter builds the adapter on the fake, its clock the fake's, quota times told in UTC.
func newAdapter(t *testing.T, f *fake, extra map[string]any) *Adapter {
	t.Helper()
	ad, err := New(context.Background(), f.account(t, extra))
	if err != nil {
		t.Fatal(err)
	}
	a := ad.(*Adapter)
	a.now, a.show = f.clock, time.UTC
	return a
}

func (f *fake) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fake) wait(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// comment adds a top-level comment (a new thread) at the fake's clock, a second later
// each; status "" is published.
func (f *fake) comment(video, author, name, text, status string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.now = f.now.Add(time.Second)
	id := fmt.Sprintf("Ugz%04dTHREAD", f.nextID)
	if status == "" {
		status = "published"
	}
	f.threads = append(f.threads, &fthread{id: id, video: video, status: status,
		top: fcomment{id: id, author: author, name: name, text: text, status: status, at: f.now}})
	return id
}

// reply adds a reply to a thread at the fake's clock; its id is "<parent>.<reply>".
func (f *fake) reply(threadID, author, name, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addReply(threadID, author, name, text)
}

func (f *fake) addReply(threadID, author, name, text string) string {
	f.nextID++
	f.now = f.now.Add(time.Second)
	th := f.thread(threadID)
	if th == nil {
		f.t.Fatalf("no thread %s", threadID)
	}
	id := fmt.Sprintf("%s.%04dREPLY", threadID, f.nextID)
	th.replies = append(th.replies, fcomment{id: id, author: author, name: name, text: text, status: "published", at: f.now})
	return id
}

func (f *fake) thread(id string) *fthread {
	for _, th := range f.threads {
		if th.id == id {
			return th
		}
	}
	return nil
}

func (th *fthread) activity() time.Time {
	at := th.top.at
	for _, r := range th.replies {
		if r.at.After(at) {
			at = r.at
		}
	}
	return at
}

func (f *fake) record(r *http.Request, body map[string]any) {
	f.calls = append(f.calls, fcall{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body})
}

// callsTo are the calls made to a path (with a query key=value when given).
func (f *fake) callsTo(method, path string, kv ...string) []fcall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fcall
	for _, c := range f.calls {
		if c.Method == method && c.Path == path && (len(kv) < 2 || c.Query.Get(kv[0]) == kv[1]) {
			out = append(out, c)
		}
	}
	return out
}

func googleError(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg,
		"errors": []map[string]any{{"message": msg, "domain": "youtube.comment", "reason": reason}}}})
}

// token is Google's token endpoint: the refresh_token grant, client in the form.
func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ParseForm()
	f.record(r, map[string]any{"grant_type": r.PostForm.Get("grant_type")})
	oauthErr := func(code int, e, d string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"error": e, "error_description": d})
	}
	switch {
	case r.PostForm.Get("grant_type") != "refresh_token":
		oauthErr(400, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
	case r.PostForm.Get("client_id") != clientID || r.PostForm.Get("client_secret") != clientSecret:
		oauthErr(401, "invalid_client", "The OAuth client was not found.")
	case r.PostForm.Get("refresh_token") != f.refresh:
		// Google repeats nothing of the request; a careless server might: the test checks
		// that even then no secret reaches an error.
		oauthErr(400, "invalid_grant", "Token has been expired or revoked: "+r.PostForm.Get("refresh_token"))
	default:
		f.issued++
		tok := fmt.Sprintf("ya29.a0-access-%d", f.issued)
		f.access[tok] = true
		resp := map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer",
			"scope": "https://www.googleapis.com/auth/youtube.force-ssl"}
		if f.rotate {
			f.refresh = fmt.Sprintf("1//0g-rotated-%d", f.issued)
			resp["refresh_token"] = f.refresh
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}
}

// expireTokens makes every access token issued so far invalid, as an hour does.
func (f *fake) expireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.access)
}

func (f *fake) authed(h func(http.ResponseWriter, *http.Request, map[string]any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var body map[string]any
		if r.Body != nil {
			json.NewDecoder(r.Body).Decode(&body)
		}
		f.record(r, body)
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !f.access[tok] || f.refuseTokens {
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
			googleError(w, 401, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
			return
		}
		if f.echo {
			googleError(w, 400, "badRequest", "bad request from "+r.Header.Get("Authorization")+" (client "+clientSecret+", refresh "+refreshToken+")")
			return
		}
		switch f.limited {
		case "429":
			f.limited = ""
			w.Header().Set("Retry-After", "120")
			googleError(w, 429, "rateLimitExceeded", "Too many requests.")
			return
		case "rateLimitExceeded":
			f.limited = ""
			googleError(w, 403, "rateLimitExceeded", "The request rate is too high.")
			return
		}
		if f.quotaOut {
			googleError(w, 403, "quotaExceeded", "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.")
			return
		}
		h(w, r, body)
	}
}

func (f *fake) resource(th *fthread, c fcomment, parent string) map[string]any {
	s := map[string]any{"channelId": channelID, "videoId": th.video, "authorDisplayName": c.name,
		"authorChannelId": map[string]any{"value": c.author}, "textDisplay": c.text, "textOriginal": c.text,
		"canRate": true, "viewerRating": "none", "likeCount": 0, "moderationStatus": c.status,
		"publishedAt": c.at.Format(time.RFC3339), "updatedAt": c.at.Format(time.RFC3339)}
	if parent != "" {
		s["parentId"] = parent
	}
	return map[string]any{"kind": "youtube#comment", "etag": "e" + c.id, "id": c.id, "snippet": s}
}

// page cuts items to one page from the pageToken ("p<offset>").
func (f *fake) page(r *http.Request, n int) (lo, hi int, next string) {
	size, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if size <= 0 {
		size = 20 // the documented default
	}
	if f.pageSize > 0 {
		size = f.pageSize
	}
	if tok := r.URL.Query().Get("pageToken"); tok != "" {
		lo, _ = strconv.Atoi(strings.TrimPrefix(tok, "p"))
	}
	hi = min(lo+size, n)
	if hi < n {
		next = fmt.Sprintf("p%d", hi)
	}
	return min(lo, n), hi, next
}

func (f *fake) listThreads(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	q := r.URL.Query()
	if q.Get("allThreadsRelatedToChannelId") != channelID || !strings.Contains(q.Get("part"), "snippet") {
		googleError(w, 400, "invalidParameter", "bad request")
		return
	}
	if strings.HasPrefix(q.Get("pageToken"), "expired") {
		googleError(w, 400, "invalidPageToken", "The request specifies an invalid page token.")
		return
	}
	status := q.Get("moderationStatus")
	if status == "" {
		status = "published"
	}
	var list []*fthread
	for _, th := range f.threads {
		if th.status == status {
			list = append(list, th)
		}
	}
	// order=time: newest activity first.
	slices.SortStableFunc(list, func(x, y *fthread) int { return y.activity().Compare(x.activity()) })
	lo, hi, next := f.page(r, len(list))
	items := []map[string]any{}
	for _, th := range list[lo:hi] {
		item := map[string]any{"kind": "youtube#commentThread", "id": th.id, "snippet": map[string]any{
			"channelId": channelID, "videoId": th.video, "topLevelComment": f.resource(th, th.top, ""),
			"canReply": true, "totalReplyCount": len(th.replies), "isPublic": true}}
		if strings.Contains(q.Get("part"), "replies") && len(th.replies) > 0 {
			var emb []map[string]any
			for _, c := range th.replies[max(0, len(th.replies)-f.embed):] {
				emb = append(emb, f.resource(th, c, th.id))
			}
			item["replies"] = map[string]any{"comments": emb}
		}
		items = append(items, item)
	}
	resp := map[string]any{"kind": "youtube#commentThreadListResponse", "items": items,
		"pageInfo": map[string]any{"totalResults": len(list), "resultsPerPage": len(items)}}
	if next != "" {
		resp["nextPageToken"] = next
	}
	json.NewEncoder(w).Encode(resp)
}

func (f *fake) listComments(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	th := f.thread(r.URL.Query().Get("parentId"))
	if th == nil {
		googleError(w, 404, "commentNotFound", "The comment identified by the request's parentId parameter could not be found.")
		return
	}
	lo, hi, next := f.page(r, len(th.replies))
	items := []map[string]any{}
	for _, c := range th.replies[lo:hi] {
		items = append(items, f.resource(th, c, th.id))
	}
	resp := map[string]any{"kind": "youtube#commentListResponse", "items": items}
	if next != "" {
		resp["nextPageToken"] = next
	}
	json.NewEncoder(w).Encode(resp)
}

func (f *fake) insert(w http.ResponseWriter, r *http.Request, body map[string]any) {
	snip, _ := body["snippet"].(map[string]any)
	parent, _ := snip["parentId"].(string)
	text, _ := snip["textOriginal"].(string)
	th := f.thread(parent)
	switch {
	case f.refuseAll != "":
		googleError(w, 403, f.refuseAll, "The video identified by the videoId parameter has disabled comments.")
		return
	case th == nil:
		googleError(w, 404, "parentCommentNotFound", "The parent comment could not be found.")
		return
	case text == "":
		googleError(w, 400, "commentTextRequired", "The comment resource must contain a textOriginal.")
		return
	}
	f.addReply(parent, channelID, "@acme", text)
	if f.loseNext > 0 {
		f.loseNext--
		googleError(w, 500, "backendError", "Backend Error")
		return
	}
	json.NewEncoder(w).Encode(f.resource(th, th.replies[len(th.replies)-1], parent))
}

func (f *fake) moderate(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	q := r.URL.Query()
	status := q.Get("moderationStatus")
	if q.Get("banAuthor") == "true" && status != "rejected" {
		googleError(w, 400, "banWithoutReject", "The banAuthor parameter can only be used with rejected.")
		return
	}
	for _, id := range strings.Split(q.Get("id"), ",") {
		th := f.thread(id)
		if th == nil {
			googleError(w, 404, "commentNotFound", "The comment could not be found.")
			return
		}
		th.status, th.top.status = status, status
	}
	w.WriteHeader(http.StatusNoContent)
}

// sentReplies are the channel's replies that exist, in order.
func (f *fake) sentReplies() []fcomment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fcomment
	for _, th := range f.threads {
		for _, c := range th.replies {
			if c.author == channelID {
				out = append(out, c)
			}
		}
	}
	return out
}
