package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/telegram"
)

const token = "7000000001:AAH-SECRET_tokenPart0123456789abcdef"

// People and chats of the tests, shaped as the Bot API's User and Chat.
var (
	bot   = map[string]any{"id": 7000000001, "is_bot": true, "first_name": "Acme Support", "username": "acme_support_bot"}
	alice = map[string]any{"id": 111, "is_bot": false, "first_name": "Alice", "last_name": "Kim", "username": "alice_k", "language_code": "en"}
	bob   = map[string]any{"id": 222, "is_bot": false, "first_name": "Bob"}
	owner = map[string]any{"id": 333, "is_bot": false, "first_name": "Acme", "last_name": "Coffee", "username": "acme_coffee"}
	group = map[string]any{"id": -1001234567890, "type": "supergroup", "title": "Acme Community", "username": "acmecommunity", "is_forum": true}
)

// privateChat is the Chat of a person's private chat (with the bot, or with the business
// account): its id is the person's.
func privateChat(u map[string]any) map[string]any {
	c := map[string]any{"id": u["id"], "type": "private", "first_name": u["first_name"]}
	for _, k := range []string{"last_name", "username"} {
		if v, ok := u[k]; ok {
			c[k] = v
		}
	}
	return c
}

// fake is a Bot API server as https://core.telegram.org/bots/api documents it, for what
// the adapter uses: /bot<token>/METHOD with JSON bodies, answers {"ok":true,"result":…}
// or {"ok":false,"error_code":…,"description":…,"parameters":{…}}; getUpdates with offset
// (an update is confirmed, and dropped, once getUpdates is called with a higher offset)
// and limit; getMe; sendMessage with reply_parameters, message_thread_id and
// business_connection_id (a message sent on behalf of a business account comes back as
// a business_message update, with sender_business_bot); deleteMessage,
// deleteBusinessMessages, banChatMember, banChatSenderChat.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	updates  []map[string]any            // unconfirmed, ascending by update_id
	nextUpd  int                         // the next update_id
	nextMsg  map[string]int              // per chat scope ("<conn>/<chat id>"): the next message_id
	msgs     map[string]map[string]any   // by "<conn>/<chat id>/<message_id>"
	owners   map[string]map[string]any   // business connection id → the business account's owner
	calls    []call                      // every request, in order
	sent     []map[string]any            // messages sendMessage created
	failures []failure                   // answers to give before the real ones
	webhook  bool                        // a webhook is set: getUpdates is refused
	blocked  map[int64]bool              // users who blocked the bot
	drop     int                         // sendMessage requests to carry out, then hang up on
	done     map[string][]map[string]any // deleteMessage, banChatMember, …: bodies by method
}

type call struct {
	method string
	body   map[string]any
}

// failure is an answer given to the next request for method ("" for any) instead of
// the real one; "{url}" in body is replaced by the request's URL, as a careless server
// might echo it.
type failure struct {
	method string
	status int
	body   string
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, nextUpd: 800000001, nextMsg: map[string]int{}, msgs: map[string]map[string]any{},
		owners: map[string]map[string]any{}, blocked: map[int64]bool{}, done: map[string][]map[string]any{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	// One request per connection, so a hang-up reaches the adapter as it is.
	f.srv.Config.SetKeepAlivesEnabled(false)
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// newAdapter builds the adapter as sync does, from an [[account]] table with the token
// in the environment; keys change the table (nil removes a key).
func newAdapter(t *testing.T, f *fake, keys map[string]any) *telegram.Adapter {
	t.Helper()
	t.Setenv("TEST_TELEGRAM_TOKEN", token)
	table := map[string]any{"name": "acme-telegram", "channel": "telegram", "api_url": f.srv.URL,
		"handle": "@acme_support_bot", "token_env": "TEST_TELEGRAM_TOKEN", "timeout": "5s"}
	for k, v := range keys {
		if table[k] = v; v == nil {
			delete(table, k)
		}
	}
	acc, err := adapters.NewAccount(0, table)
	if err != nil {
		t.Fatal(err)
	}
	a, err := telegram.New(context.Background(), acc)
	if err != nil {
		t.Fatal(err)
	}
	return a.(*telegram.Adapter)
}

func scope(conn string, chat any) string { return fmt.Sprintf("%s/%v", conn, chat) }

// say makes a message in chat from someone and delivers it as an update of kind
// ("message" or "business_message"); extra adds fields (reply_to_message,
// message_thread_id, …). It returns the message.
func (f *fake) say(kind string, chat, from map[string]any, text string, extra map[string]any) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	conn, _ := extra["business_connection_id"].(string)
	m := f.newMessage(conn, chat, from, text, extra)
	f.deliver(kind, m)
	return m
}

// newMessage stores a message with the chat's next message_id.
func (f *fake) newMessage(conn string, chat, from map[string]any, text string, extra map[string]any) map[string]any {
	sc := scope(conn, chat["id"])
	f.nextMsg[sc]++
	id := f.nextMsg[sc]
	m := map[string]any{"message_id": id, "from": from, "chat": chat, "date": 1796558400 + 60*len(f.msgs)}
	if text != "" {
		m["text"] = text
	}
	maps.Copy(m, extra)
	f.msgs[fmt.Sprintf("%s/%d", sc, id)] = m
	return m
}

func (f *fake) deliver(kind string, m map[string]any) {
	f.updates = append(f.updates, map[string]any{"update_id": f.nextUpd, kind: m})
	f.nextUpd++
}

// replyTo is a message as reply_to_message carries it: without its own reply_to_message.
func replyTo(m map[string]any) map[string]any {
	c := maps.Clone(m)
	delete(c, "reply_to_message")
	return c
}

func (f *fake) fail(fs ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fs...)
}

// methods are the methods called, in order.
func (f *fake) methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.method)
	}
	return out
}

// lastBody is the body of the last call of method.
func (f *fake) lastBody(method string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.calls) - 1; i >= 0; i-- {
		if f.calls[i].method == method {
			return f.calls[i].body
		}
	}
	return nil
}

// sentMessages are the messages sendMessage created.
func (f *fake) sentMessages() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || !strings.HasPrefix(r.URL.Path, "/bot") {
		http.NotFound(w, r)
		return
	}
	body := map[string]any{}
	if r.Header.Get("Content-Type") == "application/json" {
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			f.answerError(w, 400, "Bad Request: can't parse JSON", nil)
			return
		}
	}
	for k, v := range r.URL.Query() { // the Bot API takes parameters in the query string too
		body[k] = v[0]
	}
	f.calls = append(f.calls, call{method, body})
	if i := slices.IndexFunc(f.failures, func(fl failure) bool { return fl.method == "" || fl.method == method }); i >= 0 {
		fl := f.failures[i]
		f.failures = slices.Delete(f.failures, i, i+1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(fl.status)
		fmt.Fprint(w, strings.ReplaceAll(fl.body, "{url}", "http://"+r.Host+r.URL.String()))
		return
	}
	switch {
	case tok == "" || strings.Count(tok, ":") != 1:
		f.answerError(w, 404, "Not Found", nil) // Telegram's answer to a token of the wrong shape
		return
	case tok != token:
		f.answerError(w, 401, "Unauthorized", nil)
		return
	}
	switch method {
	case "getMe":
		f.answer(w, bot)
	case "getUpdates":
		f.getUpdates(w, body)
	case "sendMessage":
		f.sendMessage(w, r, body)
	case "deleteMessage", "deleteBusinessMessages", "banChatMember", "banChatSenderChat":
		if method == "deleteMessage" {
			key := fmt.Sprintf("%s/%d", scope("", num(body["chat_id"])), num(body["message_id"]))
			if _, ok := f.msgs[key]; !ok {
				f.answerError(w, 400, "Bad Request: message to delete not found", nil)
				return
			}
			delete(f.msgs, key)
		}
		f.done[method] = append(f.done[method], body)
		f.answer(w, true)
	default:
		f.answerError(w, 404, "Not Found: method not found", nil)
	}
}

// getUpdates confirms (drops) the updates below offset and returns up to limit of the
// rest, oldest first.
func (f *fake) getUpdates(w http.ResponseWriter, body map[string]any) {
	if f.webhook {
		f.answerError(w, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", nil)
		return
	}
	if body["offset"] != nil {
		off := num(body["offset"])
		f.updates = slices.DeleteFunc(f.updates, func(u map[string]any) bool { return int64(u["update_id"].(int)) < off })
	}
	limit := 100
	if body["limit"] != nil {
		limit = min(max(int(num(body["limit"])), 1), 100)
	}
	f.answer(w, f.updates[:min(limit, len(f.updates))])
}

func (f *fake) sendMessage(w http.ResponseWriter, r *http.Request, body map[string]any) {
	chatID := num(body["chat_id"])
	conn, _ := body["business_connection_id"].(string)
	text, _ := body["text"].(string)
	var chat map[string]any
	for k, m := range f.msgs {
		if c := m["chat"].(map[string]any); strings.HasPrefix(k, scope(conn, chatID)+"/") {
			chat = c
			break
		}
	}
	switch {
	case chat == nil:
		f.answerError(w, 400, "Bad Request: chat not found", nil)
		return
	case f.blocked[chatID]:
		f.answerError(w, 403, "Forbidden: bot was blocked by the user", nil)
		return
	case strings.TrimSpace(text) == "":
		f.answerError(w, 400, "Bad Request: message text is empty", nil)
		return
	}
	extra := map[string]any{}
	if rp, ok := body["reply_parameters"].(map[string]any); ok {
		parent, ok := f.msgs[fmt.Sprintf("%s/%d", scope(conn, chatID), num(rp["message_id"]))]
		if !ok {
			f.answerError(w, 400, "Bad Request: message to reply not found", nil)
			return
		}
		extra["reply_to_message"] = replyTo(parent)
	}
	if th := num(body["message_thread_id"]); th != 0 {
		extra["message_thread_id"], extra["is_topic_message"] = th, true
	}
	from := bot
	if conn != "" {
		from = f.owners[conn]
		extra["business_connection_id"], extra["sender_business_bot"] = conn, bot
	}
	m := f.newMessage(conn, chat, from, text, extra)
	f.sent = append(f.sent, m)
	if conn != "" {
		f.deliver("business_message", m)
	}
	if f.drop > 0 { // carried out; the answer is lost
		f.drop--
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	f.answer(w, m)
}

func (f *fake) answer(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *fake) answerError(w http.ResponseWriter, code int, desc string, params map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b := map[string]any{"ok": false, "error_code": code, "description": desc}
	if params != nil {
		b["parameters"] = params
	}
	json.NewEncoder(w).Encode(b)
}

// num reads a JSON number (or a number in a query string) as an int64.
func num(v any) int64 {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return i
	case int:
		return int64(n)
	case string:
		var i int64
		fmt.Sscan(n, &i)
		return i
	}
	return 0
}

// at is the time of a message of the fake, for expectations.
func at(m map[string]any) time.Time { return time.Unix(int64(m["date"].(int)), 0).UTC() }
