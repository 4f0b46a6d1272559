package mastodon_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const token = "tok-SECRET-0123456789"

// fake is a Mastodon server as the API documentation describes it, for what the adapter
// uses: notifications with min_id/since_id/max_id paging and Link headers, statuses,
// posting with Idempotency-Key, an account's statuses with max_id paging and Link
// headers, mute, block, reports, verify_credentials.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	notifs   []map[string]any          // ascending by id
	statuses map[string]map[string]any // by id
	nextID   int
	posted   []map[string]any // bodies of POST /api/v1/statuses that created a status
	keys     map[string]string
	requests []*http.Request
	bodies   []map[string]any // JSON bodies, by request
	failures []failure        // answers to give before the real ones, in order
	down     bool             // hang up on every request
	now      func() time.Time // the server's clock for statuses posted; nil: 2026-11-25 12:00 UTC
}

// failure is an answer given instead of the real one, to the next request (to the next
// request for path, when path is set).
type failure struct {
	status int
	header map[string]string
	body   string
	path   string
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, statuses: map[string]map[string]any{}, keys: map[string]string{}, nextID: 110000000000000000}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// setDown makes the server hang up on every request (the client retries a GET once on a
// reused connection, so one hang-up would not be seen), or answer again.
func (f *fake) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// at is the server's time, for a status posted.
func (f *fake) at() time.Time {
	if f.now != nil {
		return f.now().UTC()
	}
	return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
}

// forgetKeys drops the Idempotency-Keys seen, as Mastodon does after an hour.
func (f *fake) forgetKeys() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.keys)
}

// count is how many requests the server saw for a path.
func (f *fake) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if r.URL.Path == path {
			n++
		}
	}
	return n
}

// own returns the ids of the statuses the account "1" (acme) has, newest first.
func (f *fake) own() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, s := range f.ownStatuses("1") {
		ids = append(ids, s["id"].(string))
	}
	return ids
}

func (f *fake) fail(fs ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fs...)
}

// acct returns an Account entity shaped like the API's.
func acct(id, username, domain, name string) map[string]any {
	a := username
	url := "https://mastodon.example/@" + username
	if domain != "" {
		a, url = username+"@"+domain, "https://"+domain+"/@"+username
	}
	return map[string]any{
		"id": id, "username": username, "acct": a, "display_name": name, "locked": false, "bot": false,
		"discoverable": true, "group": false, "created_at": "2022-11-06T00:00:00.000Z",
		"note": "<p>coffee person</p>", "url": url, "uri": url,
		"avatar": "https://files.mastodon.example/accounts/avatars/1.png", "header": "https://files.mastodon.example/headers/1.png",
		"followers_count": 12, "following_count": 40, "statuses_count": 311, "last_status_at": "2026-11-24",
		"emojis": []any{}, "fields": []any{},
	}
}

// addStatus stores a status from author (an acct map) and, when mention, a mention
// notification for it; it returns the status id.
func (f *fake) addStatus(author map[string]any, content, visibility, inReplyTo string, mention bool, extra map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID += 1000
	id := strconv.Itoa(f.nextID)
	url := author["url"].(string) + "/" + id
	s := map[string]any{
		"id": id, "created_at": fmt.Sprintf("2026-11-25T10:%02d:00.000Z", len(f.statuses)%60),
		"in_reply_to_id": nil, "in_reply_to_account_id": nil, "sensitive": false, "spoiler_text": "",
		"visibility": visibility, "language": "en", "uri": url, "url": url,
		"replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": nil,
		"content": content, "reblog": nil, "account": author, "media_attachments": []any{},
		"mentions": []any{map[string]any{"id": "1", "username": "acme", "acct": "acme", "url": "https://mastodon.example/@acme"}},
		"tags":     []any{}, "emojis": []any{}, "card": nil, "poll": nil,
	}
	if inReplyTo != "" {
		s["in_reply_to_id"], s["in_reply_to_account_id"] = inReplyTo, "1"
	}
	for k, v := range extra {
		s[k] = v
	}
	f.statuses[id] = s
	if mention {
		f.nextID++
		f.notifs = append(f.notifs, map[string]any{
			"id": strconv.Itoa(f.nextID), "type": "mention", "group_key": "ungrouped-" + id,
			"created_at": s["created_at"], "account": author, "status": s,
		})
	}
	return id
}

// addNotification stores a notification of another type (a favourite, a follow).
func (f *fake) addNotification(typ string, author map[string]any, st map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.notifs = append(f.notifs, map[string]any{"id": strconv.Itoa(f.nextID), "type": typ,
		"created_at": "2026-11-25T11:00:00.000Z", "account": author, "status": st})
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	if r.Body != nil && r.Header.Get("Content-Type") == "application/json" {
		json.NewDecoder(r.Body).Decode(&body)
	}
	f.requests = append(f.requests, r)
	f.bodies = append(f.bodies, body)
	if f.down {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	if i := slices.IndexFunc(f.failures, func(fl failure) bool { return fl.path == "" || fl.path == r.URL.Path }); i >= 0 {
		fl := f.failures[i]
		f.failures = slices.Delete(f.failures, i, i+1)
		for k, v := range fl.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(fl.status)
		fmt.Fprint(w, fl.body)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		writeJSON(w, 401, map[string]any{"error": "The access token is invalid"})
		return
	}
	path := r.URL.Path
	switch {
	case r.Method == "GET" && path == "/api/v1/notifications":
		f.listNotifications(w, r)
	case r.Method == "GET" && path == "/api/v1/accounts/verify_credentials":
		me := acct("1", "acme", "", "Acme Coffee") // a CredentialAccount: the Account and its source
		me["source"] = map[string]any{"privacy": "public", "sensitive": false, "language": "en", "note": "coffee person",
			"fields": []any{}, "follow_requests_count": 0}
		writeJSON(w, 200, me)
	case r.Method == "GET" && strings.HasPrefix(path, "/api/v1/accounts/") && strings.HasSuffix(path, "/statuses"):
		f.listStatuses(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/accounts/"), "/statuses"))
	case r.Method == "GET" && strings.HasPrefix(path, "/api/v1/statuses/"):
		if s, ok := f.statuses[strings.TrimPrefix(path, "/api/v1/statuses/")]; ok {
			writeJSON(w, 200, s)
			return
		}
		writeJSON(w, 404, map[string]any{"error": "Record not found"})
	case r.Method == "POST" && path == "/api/v1/statuses":
		key := r.Header.Get("Idempotency-Key")
		if id, ok := f.keys[key]; ok && key != "" {
			writeJSON(w, 200, f.statuses[id]) // Mastodon answers a repeated key with the first status
			return
		}
		if strings.TrimSpace(fmt.Sprint(body["status"])) == "" {
			writeJSON(w, 422, map[string]any{"error": "Validation failed: Text can't be blank"})
			return
		}
		f.nextID += 1000
		id := strconv.Itoa(f.nextID)
		s := f.postedStatus(id, fmt.Sprint(body["status"]), body)
		f.statuses[id], f.keys[key] = s, id
		f.posted = append(f.posted, body)
		writeJSON(w, 200, s)
	case r.Method == "POST" && strings.HasPrefix(path, "/api/v1/accounts/"):
		parts := strings.Split(path, "/") // "", api, v1, accounts, :id, mute|block
		writeJSON(w, 200, map[string]any{"id": parts[4], "following": false, "muting": parts[5] == "mute",
			"blocking": parts[5] == "block", "muting_notifications": parts[5] == "mute"})
	case r.Method == "POST" && path == "/api/v1/reports":
		writeJSON(w, 200, map[string]any{"id": "48914", "action_taken": false, "category": body["category"],
			"comment": "", "forwarded": false, "status_ids": body["status_ids"], "rule_ids": nil})
	default:
		writeJSON(w, 404, map[string]any{"error": "Record not found"})
	}
}

// postedStatus is the Status entity Mastodon makes of a POST /api/v1/statuses: the text
// rendered to HTML as its formatter does, created by acme now.
func (f *fake) postedStatus(id, text string, body map[string]any) map[string]any {
	url := "https://mastodon.example/@acme/" + id
	var parentAcct any
	if p, ok := f.statuses[fmt.Sprint(body["in_reply_to_id"])]; ok {
		parentAcct = p["account"].(map[string]any)["id"]
	}
	content, mentions := render(text)
	return map[string]any{
		"id": id, "created_at": f.at().Format("2006-01-02T15:04:05.000Z"),
		"in_reply_to_id": body["in_reply_to_id"], "in_reply_to_account_id": parentAcct, "sensitive": false, "spoiler_text": "",
		"visibility": body["visibility"], "language": "en", "uri": "https://mastodon.example/users/acme/statuses/" + id, "url": url,
		"replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": nil,
		"content": content, "reblog": nil, "application": map[string]any{"name": "triage", "website": nil},
		"account": acct("1", "acme", "", "Acme Coffee"), "media_attachments": []any{}, "mentions": mentions,
		"tags": []any{}, "emojis": []any{}, "card": nil, "poll": nil,
	}
}

// mentionRE finds "@user" and "@user@domain" as Mastodon's formatter does.
var mentionRE = regexp.MustCompile(`(^|[^\w/=])@(\w+(?:[.-]+\w+)*)(@[\w.-]*\w)?`)

// render turns a status's text into HTML as Mastodon's TextFormatter does: escaped, a
// mention as an h-card link that shows the username only, paragraphs at blank lines and
// <br /> at line breaks. It returns the Mention entities too.
func render(text string) (string, []any) {
	var mentions []any
	esc := html.EscapeString(strings.TrimSpace(text))
	esc = mentionRE.ReplaceAllStringFunc(esc, func(m string) string {
		sub := mentionRE.FindStringSubmatch(m)
		user, domain := sub[2], strings.TrimPrefix(sub[3], "@")
		href, acctName := "https://mastodon.example/@"+user, user
		if domain != "" && domain != "mastodon.example" {
			href, acctName = "https://"+domain+"/@"+user, user+"@"+domain
		}
		mentions = append(mentions, map[string]any{"id": "2" + strconv.Itoa(len(mentions)), "username": user, "acct": acctName, "url": href})
		return sub[1] + `<span class="h-card" translate="no"><a href="` + href + `" class="u-url mention">@<span>` + user + `</span></a></span>`
	})
	var paras []string
	for _, p := range regexp.MustCompile(`\n\s*\n`).Split(esc, -1) {
		paras = append(paras, "<p>"+strings.ReplaceAll(p, "\n", "<br />")+"</p>")
	}
	if mentions == nil {
		mentions = []any{}
	}
	return strings.Join(paras, ""), mentions
}

// ownStatuses are the statuses of the account with that id, newest first.
func (f *fake) ownStatuses(id string) []map[string]any {
	var sel []map[string]any
	for _, s := range f.statuses {
		if s["account"].(map[string]any)["id"] == id {
			sel = append(sel, s)
		}
	}
	slices.SortFunc(sel, func(x, y map[string]any) int {
		switch a, b := x["id"].(string), y["id"].(string); {
		case after(a, b):
			return -1
		case after(b, a):
			return 1
		}
		return 0
	})
	return sel
}

// listStatuses is GET /api/v1/accounts/:id/statuses as Mastodon documents it: the
// account's statuses newest first, limit 20 by default and 40 at most, max_id for the
// page below an id, exclude_reblogs; Link has next (max_id = the oldest) and prev
// (min_id = the newest).
func (f *fake) listStatuses(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 40)
	var sel []map[string]any
	for _, s := range f.ownStatuses(id) {
		if (q.Get("exclude_reblogs") == "true" && s["reblog"] != nil) ||
			(q.Get("max_id") != "" && !after(q.Get("max_id"), s["id"].(string))) {
			continue
		}
		sel = append(sel, s)
	}
	sel = sel[:min(len(sel), limit)]
	if len(sel) > 0 {
		base := "http://" + r.Host + r.URL.Path + "?exclude_reblogs=" + q.Get("exclude_reblogs") + "&limit=" + strconv.Itoa(limit)
		w.Header().Set("Link", fmt.Sprintf(`<%s&max_id=%s>; rel="next", <%s&min_id=%s>; rel="prev"`,
			base, sel[len(sel)-1]["id"], base, sel[0]["id"]))
	}
	if sel == nil {
		sel = []map[string]any{}
	}
	writeJSON(w, 200, sel)
}

// listNotifications pages as Mastodon does: results newest first; min_id returns the
// page immediately newer than it, since_id the newest page above it, max_id the page
// below it; Link has next (max_id = the oldest) and prev (min_id = the newest).
func (f *fake) listNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 40 {
		limit = 40
	}
	types := q["types[]"]
	var sel []map[string]any
	for _, n := range f.notifs {
		id := n["id"].(string)
		if (len(types) > 0 && !slices.Contains(types, n["type"].(string))) ||
			(q.Get("min_id") != "" && !after(id, q.Get("min_id"))) ||
			(q.Get("since_id") != "" && !after(id, q.Get("since_id"))) ||
			(q.Get("max_id") != "" && !after(q.Get("max_id"), id)) {
			continue
		}
		sel = append(sel, n) // ascending
	}
	if len(sel) > limit {
		if q.Get("min_id") != "" {
			sel = sel[:limit] // immediately after min_id
		} else {
			sel = sel[len(sel)-limit:] // the newest
		}
	}
	slices.Reverse(sel)
	if len(sel) > 0 {
		base := "http://" + r.Host + "/api/v1/notifications?types%5B%5D=mention&limit=" + strconv.Itoa(limit)
		w.Header().Set("Link", fmt.Sprintf(`<%s&max_id=%s>; rel="next", <%s&min_id=%s>; rel="prev"`,
			base, sel[len(sel)-1]["id"], base, sel[0]["id"]))
	}
	writeJSON(w, 200, sel)
}

func after(x, y string) bool {
	if len(x) != len(y) {
		return len(x) > len(y)
	}
	return x > y
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// last returns the last request the server saw and its JSON body.
func (f *fake) last() (*http.Request, map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1], f.bodies[len(f.bodies)-1]
}
