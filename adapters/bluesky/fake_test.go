package bluesky_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	ts       = "2006-01-02T15:04:05.000Z" // how the network writes times
	password = "app-pass-SECRET-abcd"
	ourDID   = "did:plc:acme7ujhq3yp2ehqr3oq2wli"
)

// fake is a PDS (with the app view behind it) as the lexicons describe it, for the calls
// the adapter makes: sessions with expiring tokens, listNotifications paging backwards
// with its cursor, getPosts, createRecord and listRecords on our repository, muteActor and
// createReport. XRPC errors are {"error": "...", "message": "..."}.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	tokens   int
	access   map[string]bool // valid access tokens; false = expired
	refresh  map[string]bool
	notifs   []map[string]any          // ascending by indexedAt
	posts    map[string]map[string]any // postViews by URI
	repo     []map[string]any          // our records, oldest first: {uri, cid, value}
	clock    time.Time
	requests []*http.Request
	bodies   []map[string]any
	logins   int
	failures []failure
	down     bool
	// dropAfterWrite makes the next createRecord write the record, then hang up.
	dropAfterWrite bool
}

type failure struct {
	status int
	header map[string]string
	body   string
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, access: map[string]bool{}, refresh: map[string]bool{}, posts: map[string]map[string]any{},
		clock: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) fail(fs ...failure) {
	f.mu.Lock()
	f.failures = append(f.failures, fs...)
	f.mu.Unlock()
}
func (f *fake) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

// expireAccess makes every access token expired; with refreshToo, refresh tokens too.
func (f *fake) expireAccess(refreshToo bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.access {
		f.access[k] = false
	}
	if refreshToo {
		clear(f.refresh)
	}
}

func profileOf(handle, name string) map[string]any {
	return map[string]any{"did": "did:plc:" + strings.ReplaceAll(handle, ".", "") + "00000000", "handle": handle,
		"displayName": name, "avatar": "https://cdn.bsky.app/img/avatar/plain/x/y@jpeg",
		"associated": map[string]any{"chat": map[string]any{"allowIncoming": "following"}},
		"viewer":     map[string]any{"muted": false, "blockedBy": false}, "labels": []any{},
		"createdAt": "2023-05-01T10:00:00.000Z", "indexedAt": "2024-01-01T10:00:00.000Z"}
}

// addPost stores a post by author (a profile) and, with reason, a notification for it;
// reply is the parent post's URI or "". It returns the post's URI.
func (f *fake) addPost(author map[string]any, text, reason, reply string, extra map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(time.Minute)
	uri := fmt.Sprintf("at://%s/app.bsky.feed.post/3l%011d", author["did"], f.clock.Unix())
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": text, "langs": []string{"en"},
		"createdAt": f.clock.Add(-2 * time.Second).Format(ts)}
	if reply != "" {
		parent := f.posts[reply]
		root := map[string]any{"uri": parent["uri"], "cid": parent["cid"]}
		if pr, ok := parent["record"].(map[string]any)["reply"].(map[string]any); ok {
			root = pr["root"].(map[string]any)
		}
		rec["reply"] = map[string]any{"root": root, "parent": map[string]any{"uri": parent["uri"], "cid": parent["cid"]}}
	}
	for k, v := range extra {
		rec[k] = v
	}
	cid := "bafyreib" + strconv.FormatInt(f.clock.Unix(), 36) + "cid"
	f.posts[uri] = map[string]any{"uri": uri, "cid": cid, "author": author, "record": rec, "replyCount": 0,
		"repostCount": 0, "likeCount": 0, "quoteCount": 0, "indexedAt": f.clock.Format(ts), "labels": []any{}}
	if reason != "" {
		f.notifs = append(f.notifs, map[string]any{"uri": uri, "cid": cid, "author": author, "reason": reason,
			"record": rec, "isRead": false, "indexedAt": f.clock.Format(ts), "labels": []any{}})
	}
	return uri
}

// addLike stores a like notification on one of our posts: not a message.
func (f *fake) addLike(author map[string]any, subject string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(time.Minute)
	f.notifs = append(f.notifs, map[string]any{"uri": fmt.Sprintf("at://%s/app.bsky.feed.like/3k%d", author["did"], f.clock.Unix()),
		"cid": "bafylike", "author": author, "reason": "like", "reasonSubject": subject,
		"record": map[string]any{"$type": "app.bsky.feed.like", "subject": map[string]any{"uri": subject, "cid": "x"},
			"createdAt": f.clock.Format(time.RFC3339)}, "isRead": false, "indexedAt": f.clock.Format(ts)})
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	if r.Method == "POST" {
		json.NewDecoder(r.Body).Decode(&body)
	}
	f.requests, f.bodies = append(f.requests, r), append(f.bodies, body)
	if f.down {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	if len(f.failures) > 0 {
		fl := f.failures[0]
		f.failures = f.failures[1:]
		for k, v := range fl.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(fl.status)
		fmt.Fprint(w, fl.body)
		return
	}
	nsid := strings.TrimPrefix(r.URL.Path, "/xrpc/")
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch nsid {
	case "com.atproto.server.createSession":
		if body["identifier"] != "acme.bsky.social" || body["password"] != password {
			xrpcError(w, 401, "AuthenticationRequired", "Invalid identifier or password")
			return
		}
		f.logins++
		f.newSession(w)
		return
	case "com.atproto.server.refreshSession":
		if !f.refresh[bearer] {
			xrpcError(w, 400, "ExpiredToken", "Token has expired")
			return
		}
		delete(f.refresh, bearer) // a refresh token is used once
		f.newSession(w)
		return
	}
	if valid, ok := f.access[bearer]; !ok {
		xrpcError(w, 401, "InvalidToken", "Bad token")
		return
	} else if !valid {
		xrpcError(w, 400, "ExpiredToken", "Token has expired")
		return
	}
	q := r.URL.Query()
	switch nsid {
	case "app.bsky.notification.listNotifications":
		f.listNotifications(w, q)
	case "app.bsky.feed.getPosts":
		var posts []any
		for _, u := range q["uris"] {
			if p, ok := f.posts[u]; ok {
				posts = append(posts, p)
			}
		}
		writeJSON(w, 200, map[string]any{"posts": append([]any{}, posts...)})
	case "com.atproto.repo.createRecord":
		if body["repo"] != ourDID {
			xrpcError(w, 400, "InvalidRequest", "repo does not match the session")
			return
		}
		f.clock = f.clock.Add(time.Second)
		coll := fmt.Sprint(body["collection"])
		uri := fmt.Sprintf("at://%s/%s/3m%011d", ourDID, coll, f.clock.UnixNano()/1e6)
		cid := "bafyreiours" + strconv.Itoa(len(f.repo))
		f.repo = append(f.repo, map[string]any{"uri": uri, "cid": cid, "value": body["record"]})
		if f.dropAfterWrite {
			f.dropAfterWrite = false
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		writeJSON(w, 200, map[string]any{"uri": uri, "cid": cid, "commit": map[string]any{"cid": "bafycommit", "rev": "3m"},
			"validationStatus": "valid"})
	case "com.atproto.repo.listRecords":
		var recs []any
		for _, rec := range slices.Backward(f.repo) {
			if strings.Contains(rec["uri"].(string), "/"+q.Get("collection")+"/") && q.Get("repo") == ourDID {
				recs = append(recs, rec)
			}
		}
		if n, _ := strconv.Atoi(q.Get("limit")); n > 0 && len(recs) > n {
			recs = recs[:n]
		}
		writeJSON(w, 200, map[string]any{"records": append([]any{}, recs...)})
	case "app.bsky.graph.muteActor":
		w.WriteHeader(200)
	case "com.atproto.moderation.createReport":
		writeJSON(w, 200, map[string]any{"id": 4242, "reasonType": body["reasonType"], "subject": body["subject"],
			"reportedBy": ourDID, "createdAt": f.clock.Format(time.RFC3339)})
	default:
		xrpcError(w, 501, "MethodNotImplemented", "Method Not Implemented")
	}
}

func (f *fake) newSession(w http.ResponseWriter) {
	f.tokens++
	acc, ref := fmt.Sprintf("eyJ.access-%d-SECRET", f.tokens), fmt.Sprintf("eyJ.refresh-%d-SECRET", f.tokens)
	f.access[acc], f.refresh[ref] = true, true
	writeJSON(w, 200, map[string]any{"accessJwt": acc, "refreshJwt": ref, "handle": "acme.bsky.social", "did": ourDID,
		"email": "social@acme.example", "emailConfirmed": true, "active": true})
}

// listNotifications pages from the newest back; the cursor is the indexedAt of the last
// notification given, and the next page starts below it.
func (f *fake) listNotifications(w http.ResponseWriter, q map[string][]string) {
	limit, _ := strconv.Atoi(first(q["limit"]))
	var out []map[string]any
	for _, n := range slices.Backward(f.notifs) {
		if c := first(q["cursor"]); c != "" && n["indexedAt"].(string) >= c {
			continue
		}
		if len(q["reasons"]) > 0 && !slices.Contains(q["reasons"], n["reason"].(string)) {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, n)
	}
	res := map[string]any{"notifications": append([]map[string]any{}, out...), "priority": false,
		"seenAt": "2026-11-25T08:00:00.000Z"}
	if len(out) > 0 {
		res["cursor"] = out[len(out)-1]["indexedAt"]
	}
	writeJSON(w, 200, res)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func xrpcError(w http.ResponseWriter, status int, name, msg string) {
	writeJSON(w, status, map[string]any{"error": name, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// calls lists the NSIDs requested, in order.
func (f *fake) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		out = append(out, strings.TrimPrefix(r.URL.Path, "/xrpc/"))
	}
	return out
}

// last returns the last request whose NSID is nsid, and its body.
func (f *fake) last(nsid string) (*http.Request, map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if f.requests[i].URL.Path == "/xrpc/"+nsid {
			return f.requests[i], f.bodies[i]
		}
	}
	return nil, nil
}

// records returns our repository's records, oldest first.
func (f *fake) records() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.repo)
}

// counts returns how many requests and logins the server has seen.
func (f *fake) counts() (requests, logins int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests), f.logins
}
