package soaktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// feedServer is the soak's channel, run by the test that starts the processes so that it
// sees every post: it has something new on every fetch, a third of it in conversations
// it has already started, and takes every reply, counting the posts of each idempotency
// key. The sync process reaches it through feedClient.
//
//	GET  /fetch?cursor=N  the three messages after N, as adapters.Batch
//	POST /reply           an inbox.Outgoing; answers {"id": "r-<key>"}
type feedServer struct {
	*httptest.Server

	mu    sync.Mutex
	next  int            // the last message number fetched
	posts map[string]int // POST /reply requests per idempotency key
	total int            // POST /reply requests in all
}

func newFeedServer() *feedServer {
	f := &feedServer{posts: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fetch", f.fetch)
	mux.HandleFunc("POST /reply", f.reply)
	f.Server = httptest.NewServer(mux)
	return f
}

func (f *feedServer) fetch(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	var b adapters.Batch
	for i := n + 1; i <= n+3; i++ {
		b.Messages = append(b.Messages, feedMessage(i))
	}
	b.Cursor = strconv.Itoa(n + 3)
	f.mu.Lock()
	f.next = max(f.next, n+3)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, b)
}

func (f *feedServer) reply(w http.ResponseWriter, r *http.Request) {
	var out inbox.Outgoing
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil || out.Key == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("bad reply: %v", err)})
		return
	}
	f.mu.Lock()
	f.posts[out.Key]++
	f.total++
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": "r-" + out.Key})
}

// figures is what the server saw: the last message fetched, the posts of each key and
// the posts in all.
func (f *feedServer) figures() (fetched int, posts map[string]int, total int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	posts = make(map[string]int, len(f.posts))
	for k, n := range f.posts {
		posts[k] = n
	}
	return f.next, posts, f.total
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func feedMessage(i int) inbox.Message {
	conv := i
	if i%3 == 0 {
		conv = i / 3 // back to an earlier conversation
	}
	return inbox.Message{Channel: "mastodon", Account: "@acme", ID: fmt.Sprintf("m%d", i), Conversation: fmt.Sprintf("c%d", conv),
		Kind: inbox.KindMention, Author: &inbox.Author{ID: fmt.Sprintf("u%d", conv%50), Handle: fmt.Sprintf("@user%d", conv%50), Name: "Ana Ruiz"},
		Text: fmt.Sprintf("where is order %d?", i), CreatedAt: time.Now().Add(-time.Minute)}
}

// feedClient is the sync process's adapter for feedServer. Every failure is temporary:
// the engine retries it, and the key keeps a retried reply from posting twice.
type feedClient struct {
	base string
	http *http.Client
}

func newFeedClient(base string) *feedClient {
	return &feedClient{base: base, http: &http.Client{Timeout: 30 * time.Second}}
}

func (f *feedClient) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, Idempotent: true}
}

func (f *feedClient) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	var b adapters.Batch
	err := f.do(ctx, http.MethodGet, "/fetch?cursor="+url.QueryEscape(cursor), nil, &b)
	return b, err
}

func (f *feedClient) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	body, err := json.Marshal(out)
	if err != nil {
		return "", adapters.Permanent(err)
	}
	var res struct{ ID string }
	if err := f.do(ctx, http.MethodPost, "/reply", body, &res); err != nil {
		return "", err
	}
	return res.ID, nil
}

func (f *feedClient) do(ctx context.Context, method, path string, body []byte, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, f.base+path, bytes.NewReader(body))
	if err != nil {
		return adapters.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.http.Do(req)
	if err != nil {
		return adapters.Temporary(err, 0)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return adapters.Temporary(err, 0)
	}
	if resp.StatusCode != http.StatusOK {
		return &adapters.Error{Err: fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data), Status: resp.StatusCode}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return adapters.Temporary(fmt.Errorf("%s %s: %w", method, path, err), 0)
	}
	return nil
}
