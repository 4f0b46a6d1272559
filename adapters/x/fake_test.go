package x

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

// The account and the secrets of the tests, looked for in every error and log.
const (
	userID       = "1580000000000000001"
	clientID     = "cXktYWNtZS1jbGllbnQtaWQ"
	refreshToken = "x-rt-initial-0000000000000000"
	ana          = "1580000000000000101"
	ben          = "1580000000000000102"
)

// fake is a local X API v2 and OAuth 2.0 token endpoint, following the documented
// requests and payloads (https://docs.x.com/x-api): the mentions timeline (since_id,
// pagination_token, max_results 5 to 100, expansions=author_id, meta.newest_id and
// next_token), the account's posts, DM events (all, and a conversation's), POST
// /2/tweets with reply.in_reply_to_tweet_id, DMs to a conversation or a participant,
// hidden replies, muting and blocking, the refresh_token grant of a public client with
// rotation (a refresh token works once), the problem bodies ({"title","detail","type",
// "status"}) and the x-rate-limit-* headers.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	now     time.Time
	seq     int64
	users   map[string][2]string // id -> username, name
	tweets  []*ftweet            // oldest first
	dms     []*fdm               // oldest first
	refresh string               // the one refresh token the fake takes now
	used    []string             // refresh tokens already used up
	access  map[string]bool
	issued  int
	calls   []fcall
	hidden  map[string]bool
	muted   []string
	blocked []string

	pageSize int // 0: max_results

	// Failures to play.
	loseNext     int    // so many posts are made but answered 500
	limited      string // the next call to this path is answered 429 (x-rate-limit-reset in 15 min)
	spend        string // calls to this path answer x-rate-limit-remaining: 0
	refuseTokens bool   // every access token is refused (401), even a fresh one
	forbid       string // calls to this path are refused 403 with this detail
	enterprise   bool   // blocking is allowed
	echo         bool   // errors repeat the request's credentials, as a careless proxy might
}

type ftweet struct {
	id, author, text, conv, repliedTo string
	at                                time.Time
}

type fdm struct {
	id, conv, sender, text string
	at                     time.Time
}

type fcall struct {
	Method, Path string
	Query        url.Values
	Body         map[string]any
	Form         url.Values
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, refresh: refreshToken, access: map[string]bool{}, hidden: map[string]bool{},
		now:   time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),
		users: map[string][2]string{userID: {"acme", "Acme"}, ana: {"ana", "Ana Ruiz"}, ben: {"ben", "Ben"}}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2/oauth2/token", f.token)
	mux.HandleFunc("GET /2/users/{id}/mentions", f.authed(f.mentions))
	mux.HandleFunc("GET /2/users/{id}/tweets", f.authed(f.timeline))
	mux.HandleFunc("GET /2/tweets/{id}", f.authed(f.lookup))
	mux.HandleFunc("POST /2/tweets", f.authed(f.post))
	mux.HandleFunc("PUT /2/tweets/{id}/hidden", f.authed(f.hide))
	mux.HandleFunc("GET /2/dm_events", f.authed(f.dmEvents))
	mux.HandleFunc("GET /2/dm_events/{id}", f.authed(f.dmEvent))
	mux.HandleFunc("GET /2/dm_conversations/{id}/dm_events", f.authed(f.dmEvents))
	mux.HandleFunc("GET /2/dm_conversations/with/{pid}/dm_events", f.authed(f.dmEvents))
	mux.HandleFunc("POST /2/dm_conversations/{id}/messages", f.authed(f.sendDM))
	mux.HandleFunc("POST /2/dm_conversations/with/{pid}/messages", f.authed(f.sendDM))
	mux.HandleFunc("POST /2/users/{id}/muting", f.authed(f.mute))
	mux.HandleFunc("POST /2/users/{id}/blocking", f.authed(f.block))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// account is the [[account]] for the fake: its secrets in the environment, the state
// folder a temporary one.
func (f *fake) account(t *testing.T, extra map[string]any) adapters.Account {
	t.Setenv("X_CLIENT_ID", clientID)
	t.Setenv("X_REFRESH_TOKEN", refreshToken)
	if _, ok := extra["keep_state"]; !ok {
		t.Setenv("XDG_STATE_HOME", t.TempDir())
	}
	keys := map[string]any{"name": "acme-x", "channel": "x", "user_id": userID, "handle": "@acme",
		"client_id_env": "X_CLIENT_ID", "refresh_token_env": "X_REFRESH_TOKEN", "dms": true,
		"api_url": f.srv.URL, "token_url": f.srv.URL + "/2/oauth2/token"}
	for k, v := range extra {
		switch {
		case k == "keep_state":
		case v == nil:
			delete(keys, k)
		default:
			keys[k] = v
		}
	}
	return adapters.Account{Name: "acme-x", Channel: "x", Keys: keys}
}

// newAdapter builds the adapter on the fake, its clock the fake's.
func newAdapter(t *testing.T, f *fake, extra map[string]any) *Adapter {
	t.Helper()
	ad, err := New(context.Background(), f.account(t, extra))
	if err != nil {
		t.Fatal(err)
	}
	a := ad.(*Adapter)
	a.now = f.clock
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

// nextID is a snowflake-like id, growing with time, 19 digits.
func (f *fake) nextID() string {
	f.seq++
	f.now = f.now.Add(time.Second)
	return strconv.FormatInt(1860000000000000000+f.seq*1000, 10)
}

// tweet adds a post by author at the fake's clock; repliedTo "" starts a conversation.
func (f *fake) tweet(author, text, repliedTo string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addTweet(author, text, repliedTo).id
}

func (f *fake) addTweet(author, text, repliedTo string) *ftweet {
	id := f.nextID()
	conv := id
	if p := f.find(repliedTo); p != nil {
		conv = p.conv
	}
	tw := &ftweet{id: id, author: author, text: text, conv: conv, repliedTo: repliedTo, at: f.now}
	f.tweets = append(f.tweets, tw)
	return tw
}

func (f *fake) find(id string) *ftweet {
	for _, tw := range f.tweets {
		if tw.id == id {
			return tw
		}
	}
	return nil
}

// dm adds a DM event from sender in conversation conv.
func (f *fake) dm(conv, sender, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextID()
	f.dms = append(f.dms, &fdm{id: id, conv: conv, sender: sender, text: text, at: f.now})
	return id
}

func (f *fake) record(r *http.Request, body map[string]any) {
	f.calls = append(f.calls, fcall{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, Form: r.PostForm})
}

// callsTo are the calls made to a path.
func (f *fake) callsTo(method, path string) []fcall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fcall
	for _, c := range f.calls {
		if c.Method == method && c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// xProblem writes X's error body.
func xProblem(w http.ResponseWriter, status int, title, detail, typ string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": title, "detail": detail, "type": typ, "status": status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// token is X's token endpoint for a public client: client_id in the form, no secret;
// every refresh answers a new refresh token, and the one used stops working.
func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ParseForm()
	f.record(r, nil)
	oauthErr := func(e, d string) {
		writeJSON(w, 400, map[string]string{"error": e, "error_description": d})
	}
	switch {
	case r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
		oauthErr("invalid_request", "Missing required parameter [grant_type].")
	case r.PostForm.Get("grant_type") != "refresh_token":
		oauthErr("unsupported_grant_type", "Value passed for the grant type was invalid.")
	case r.PostForm.Get("client_id") != clientID:
		oauthErr("invalid_client", "Missing valid authorization header")
	case r.PostForm.Get("refresh_token") != f.refresh:
		// What X answers a refresh token used already (or revoked).
		oauthErr("invalid_request", "Value passed for the token was invalid.")
	default:
		f.issued++
		tok := fmt.Sprintf("x-at-%d-access-token-value", f.issued)
		f.access[tok] = true
		f.used = append(f.used, f.refresh)
		f.refresh = fmt.Sprintf("x-rt-rotated-%d-refresh-value", f.issued)
		writeJSON(w, 200, map[string]any{"token_type": "bearer", "expires_in": 7200, "access_token": tok,
			"scope": "tweet.read tweet.write users.read offline.access dm.read dm.write mute.write", "refresh_token": f.refresh})
	}
}

// expireTokens makes every access token issued so far invalid, as two hours do.
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
		reset := strconv.FormatInt(f.now.Add(15*time.Minute).Unix(), 10)
		w.Header().Set("x-rate-limit-limit", "75")
		w.Header().Set("x-rate-limit-reset", reset)
		w.Header().Set("x-rate-limit-remaining", "74")
		if f.spend == r.URL.Path {
			w.Header().Set("x-rate-limit-remaining", "0")
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !f.access[tok] || f.refuseTokens {
			xProblem(w, 401, "Unauthorized", "Unauthorized", "about:blank")
			return
		}
		if f.echo {
			xProblem(w, 400, "Invalid Request", "bad request from "+r.Header.Get("Authorization")+" (refresh "+f.refresh+")", "https://api.twitter.com/2/problems/invalid-request")
			return
		}
		if f.limited == r.URL.Path {
			f.limited = ""
			w.Header().Set("x-rate-limit-remaining", "0")
			xProblem(w, 429, "Too Many Requests", "Too Many Requests", "about:blank")
			return
		}
		if f.forbid != "" && strings.HasPrefix(r.URL.Path, f.forbid) {
			xProblem(w, 403, "Forbidden", "You are not permitted to perform this action.", "about:blank")
			return
		}
		h(w, r, body)
	}
}

func (f *fake) userObj(id string) map[string]any {
	u := f.users[id]
	return map[string]any{"id": id, "username": u[0], "name": u[1]}
}

func (f *fake) tweetObj(tw *ftweet) map[string]any {
	o := map[string]any{"id": tw.id, "text": tw.text, "author_id": tw.author, "conversation_id": tw.conv,
		"created_at": tw.at.Format("2006-01-02T15:04:05.000Z"), "edit_history_tweet_ids": []string{tw.id}}
	if p := f.find(tw.repliedTo); p != nil {
		o["referenced_tweets"] = []map[string]any{{"type": "replied_to", "id": p.id}}
		o["in_reply_to_user_id"] = p.author
	}
	return o
}

// window cuts a list, newest first, to one page: max_results (min..100, or pageSize
// when smaller) from the pagination_token ("p<offset>").
func (f *fake) window(w http.ResponseWriter, q url.Values, n, minimum int) (lo, hi int, next string, ok bool) {
	size := 10 // the documented default
	if v := q.Get("max_results"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	if size < minimum || size > 100 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"parameters": map[string]any{"max_results": []string{q.Get("max_results")}},
			"message": fmt.Sprintf("The `max_results` query parameter value [%s] is not between %d and 100", q.Get("max_results"), minimum)}},
			"title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"})
		return 0, 0, "", false
	}
	if f.pageSize > 0 {
		size = min(size, f.pageSize)
	}
	if tok := q.Get("pagination_token"); tok != "" {
		lo, _ = strconv.Atoi(strings.TrimPrefix(tok, "p"))
	}
	lo = min(lo, n)
	hi = min(lo+size, n)
	if hi < n {
		next = fmt.Sprintf("p%d", hi)
	}
	return lo, hi, next, true
}

// tweetPage answers a page of posts (newest first) after since_id, with their authors.
func (f *fake) tweetPage(w http.ResponseWriter, r *http.Request, keep func(*ftweet) bool) {
	q := r.URL.Query()
	var list []*ftweet
	for i := len(f.tweets) - 1; i >= 0; i-- {
		tw := f.tweets[i]
		if keep(tw) && (q.Get("since_id") == "" || newer(tw.id, q.Get("since_id"))) {
			list = append(list, tw)
		}
	}
	lo, hi, next, ok := f.window(w, q, len(list), 5)
	if !ok {
		return
	}
	data := []map[string]any{}
	var authors []string
	for _, tw := range list[lo:hi] {
		data = append(data, f.tweetObj(tw))
		if !slices.Contains(authors, tw.author) {
			authors = append(authors, tw.author)
		}
	}
	meta := map[string]any{"result_count": len(data)}
	if len(data) > 0 {
		meta["newest_id"], meta["oldest_id"] = list[0].id, list[hi-1].id
		if lo > 0 {
			meta["newest_id"] = list[lo].id
		}
	}
	if next != "" {
		meta["next_token"] = next
	}
	resp := map[string]any{"meta": meta}
	if len(data) > 0 {
		resp["data"] = data
	}
	if strings.Contains(q.Get("expansions"), "author_id") {
		var us []map[string]any
		for _, id := range authors {
			us = append(us, f.userObj(id))
		}
		resp["includes"] = map[string]any{"users": us}
	}
	writeJSON(w, 200, resp)
}

func (f *fake) mentions(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	id := r.PathValue("id")
	fields := r.URL.Query().Get("tweet.fields")
	for _, want := range []string{"created_at", "conversation_id", "referenced_tweets", "author_id"} {
		if !strings.Contains(fields, want) {
			f.t.Errorf("mentions asked without tweet.fields %s: %q", want, fields)
		}
	}
	handle := "@" + f.users[id][0]
	f.tweetPage(w, r, func(tw *ftweet) bool { return strings.Contains(strings.ToLower(tw.text), handle) })
}

func (f *fake) timeline(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	id := r.PathValue("id")
	f.tweetPage(w, r, func(tw *ftweet) bool { return tw.author == id })
}

func (f *fake) lookup(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	tw := f.find(r.PathValue("id"))
	if tw == nil {
		// X answers a post it cannot find with 200 and errors[], no data.
		writeJSON(w, 200, map[string]any{"errors": []map[string]any{{"value": r.PathValue("id"), "detail": "Could not find tweet with id: [" + r.PathValue("id") + "].",
			"title": "Not Found Error", "resource_type": "tweet", "parameter": "id", "resource_id": r.PathValue("id"), "type": "https://api.twitter.com/2/problems/resource-not-found"}}})
		return
	}
	writeJSON(w, 200, map[string]any{"data": f.tweetObj(tw)})
}

func (f *fake) post(w http.ResponseWriter, r *http.Request, body map[string]any) {
	text, _ := body["text"].(string)
	reply, _ := body["reply"].(map[string]any)
	to, _ := reply["in_reply_to_tweet_id"].(string)
	parent := f.find(to)
	switch {
	case text == "":
		xProblem(w, 400, "Invalid Request", "One or more parameters to your request was invalid.", "https://api.twitter.com/2/problems/invalid-request")
		return
	case to != "" && parent == nil:
		xProblem(w, 400, "Invalid Request", "One or more parameters to your request was invalid.", "https://api.twitter.com/2/problems/invalid-request")
		return
	}
	for _, tw := range f.tweets {
		if tw.author == userID && tw.text == text {
			xProblem(w, 403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.", "about:blank")
			return
		}
	}
	// X puts the @name of the author answered before a reply's text.
	if parent != nil {
		text = "@" + f.users[parent.author][0] + " " + text
	}
	tw := f.addTweet(userID, text, to)
	if f.loseNext > 0 {
		f.loseNext--
		xProblem(w, 500, "Internal Server Error", "Internal Server Error", "about:blank")
		return
	}
	writeJSON(w, 201, map[string]any{"data": map[string]any{"id": tw.id, "text": tw.text, "edit_history_tweet_ids": []string{tw.id}}})
}

func (f *fake) hide(w http.ResponseWriter, r *http.Request, body map[string]any) {
	tw := f.find(r.PathValue("id"))
	hidden, ok := body["hidden"].(bool)
	if tw == nil || !ok {
		xProblem(w, 400, "Invalid Request", "One or more parameters to your request was invalid.", "https://api.twitter.com/2/problems/invalid-request")
		return
	}
	f.hidden[tw.id] = hidden
	writeJSON(w, 200, map[string]any{"data": map[string]any{"hidden": hidden}})
}

// posted are the account's own posts, in order.
func (f *fake) posted() []*ftweet {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*ftweet
	for _, tw := range f.tweets {
		if tw.author == userID {
			out = append(out, tw)
		}
	}
	return out
}
