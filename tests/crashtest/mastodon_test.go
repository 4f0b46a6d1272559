package crashtest

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeMastodon speaks the part of the Mastodon API that triage's adapter uses
// (https://docs.joinmastodon.org/methods/): verify_credentials, mention notifications
// paged by min_id/max_id with a Link header, one status, the account's own statuses
// (which the adapter reads after a crash mid-send to find a reply already posted), and
// posting a status with Idempotency-Key honoured as Mastodon does (the same key returns
// the same status).
type fakeMastodon struct {
	*httptest.Server
	token    string
	mentions int // mention i is notification notifID(i) about status statusID(i)

	mu      sync.Mutex
	posts   int                // POST /api/v1/statuses requests that reached the server
	byKey   map[string]*posted // Idempotency-Key -> the status it created
	created []*posted          // every status created, in order
	at      []time.Time        // when each was created
}

type posted struct {
	id, key, inReplyTo, text, visibility string
}

func notifID(i int) string  { return strconv.Itoa(5_000_000 + i) }
func statusID(i int) string { return strconv.Itoa(7_000_000 + i) }

// mentionAt is when mention i was posted.
func mentionAt(i int) time.Time { return synthEnd.Add(-48*time.Hour + time.Duration(i)*time.Minute) }

func newFakeMastodon(token string, mentions int) *fakeMastodon {
	f := &fakeMastodon{token: token, mentions: mentions, byKey: map[string]*posted{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": "1", "acct": "acme", "display_name": "Acme"})
	})
	mux.HandleFunc("GET /api/v1/notifications", f.notifications)
	mux.HandleFunc("GET /api/v1/statuses/{id}", f.status)
	mux.HandleFunc("GET /api/v1/accounts/{id}/statuses", f.accountStatuses)
	mux.HandleFunc("POST /api/v1/statuses", f.post)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "The access token is invalid"})
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return f
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func mentionStatus(i int) map[string]any {
	acct := fmt.Sprintf("customer%d@other.example", i)
	return map[string]any{
		"id": statusID(i), "uri": "https://other.example/users/customer/statuses/" + statusID(i),
		"url": "https://other.example/@customer/" + statusID(i), "created_at": mentionAt(i).Format(time.RFC3339Nano),
		"account":        map[string]any{"id": strconv.Itoa(100 + i), "acct": acct, "display_name": fmt.Sprintf("Customer %d", i)},
		"in_reply_to_id": nil, "visibility": "public", "spoiler_text": "",
		"content":           fmt.Sprintf(`<p><span class="h-card"><a href="https://mastodon.example/@acme">@acme</a></span> my order %d never came</p>`, i),
		"media_attachments": []any{},
	}
}

// notifications pages as Mastodon does: min_id gives the page just above it, otherwise
// the newest page (below max_id, above since_id); newest first either way.
func (f *fakeMastodon) notifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 40
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 80)
	}
	var ids []int // ascending
	for i := range f.mentions {
		id := notifID(i)
		if (q.Get("max_id") != "" && id >= q.Get("max_id")) || (q.Get("since_id") != "" && id <= q.Get("since_id")) ||
			(q.Get("min_id") != "" && id <= q.Get("min_id")) {
			continue
		}
		ids = append(ids, i)
	}
	if q.Get("min_id") != "" {
		ids = ids[:min(limit, len(ids))]
	} else {
		ids = ids[max(0, len(ids)-limit):]
	}
	slices.Reverse(ids)
	page := make([]map[string]any, len(ids))
	for k, i := range ids {
		page[k] = map[string]any{"id": notifID(i), "type": "mention", "created_at": mentionAt(i).Format(time.RFC3339Nano),
			"account": mentionStatus(i)["account"], "status": mentionStatus(i)}
	}
	if len(ids) > 0 {
		base := f.URL + "/api/v1/notifications"
		w.Header().Set("Link", fmt.Sprintf(`<%s?max_id=%s>; rel="next", <%s?min_id=%s>; rel="prev"`,
			base, notifID(ids[len(ids)-1]), base, notifID(ids[0])))
	}
	writeJSON(w, http.StatusOK, page)
}

func (f *fakeMastodon) status(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if n, err := strconv.Atoi(id); err == nil && n >= 7_000_000 && n < 7_000_000+f.mentions {
		writeJSON(w, http.StatusOK, mentionStatus(n-7_000_000))
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
}

// ownStatus is a created status as the API shows it: HTML content, the mention as
// Mastodon's h-card link.
func (f *fakeMastodon) ownStatus(p *posted, at time.Time) map[string]any {
	content := html.EscapeString(p.text)
	if acct, rest, ok := strings.Cut(p.text, " "); ok && strings.HasPrefix(acct, "@") {
		user, _, _ := strings.Cut(acct[1:], "@")
		content = `<span class="h-card"><a href="https://other.example/@` + html.EscapeString(user) +
			`" class="u-url mention">@<span>` + html.EscapeString(user) + `</span></a></span> ` + html.EscapeString(rest)
	}
	return map[string]any{"id": p.id, "uri": f.URL + "/statuses/" + p.id, "created_at": at.UTC().Format(time.RFC3339Nano),
		"account": map[string]any{"id": "1", "acct": "acme"}, "in_reply_to_id": p.inReplyTo, "visibility": p.visibility,
		"content": "<p>" + content + "</p>"}
}

// accountStatuses lists the account's statuses newest first, paged by max_id with a Link
// header (only account 1, ours, posts here).
func (f *fakeMastodon) accountStatuses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 20
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 40)
	}
	f.mu.Lock()
	var page []map[string]any
	last := ""
	for i := len(f.created) - 1; i >= 0 && len(page) < limit; i-- {
		p := f.created[i]
		if r.PathValue("id") != "1" || (q.Get("max_id") != "" && p.id >= q.Get("max_id")) {
			continue
		}
		page = append(page, f.ownStatus(p, f.at[i]))
		last = p.id
	}
	f.mu.Unlock()
	if last != "" {
		w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/accounts/1/statuses?max_id=%s>; rel="next"`, f.URL, last))
	}
	if page == nil {
		page = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, page)
}

// post creates a status, or returns the one its Idempotency-Key already created.
func (f *fakeMastodon) post(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status      string `json:"status"`
		InReplyToID string `json:"in_reply_to_id"`
		Visibility  string `json:"visibility"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Status) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: Text can't be blank"})
		return
	}
	key := r.Header.Get("Idempotency-Key")
	f.mu.Lock()
	f.posts++
	p := f.byKey[key]
	if p == nil || key == "" {
		p = &posted{id: strconv.Itoa(9_000_000 + len(f.created)), key: key, inReplyTo: in.InReplyToID, text: in.Status, visibility: in.Visibility}
		f.created = append(f.created, p)
		f.at = append(f.at, time.Now())
		if key != "" {
			f.byKey[key] = p
		}
	}
	out := f.ownStatus(p, time.Now())
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// snapshot returns the POST count and a copy of the created statuses.
func (f *fakeMastodon) snapshot() (int, []posted) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]posted, len(f.created))
	for i, p := range f.created {
		out[i] = *p
	}
	return f.posts, out
}
