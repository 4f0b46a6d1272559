package cli

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/internal/syncbuf"
)

const (
	tgBotToken   = "7000000001:AAH-telegram-bot-token-for-tests"
	tgHookSecret = "tg-hook-secret_0123456789abcdef"
	tgHookPath   = "/v1/hooks/telegram/acme-telegram"
	// tgAccount is a telegram account served by webhook, as the README's example is.
	tgAccount = "[[account]]\nname = \"acme-telegram\"\nchannel = \"telegram\"\ntoken_env = \"TRIAGE_TEST_TG_TOKEN\"\n" +
		"handle = \"@acme_support_bot\"\nwebhook_secret_env = \"TRIAGE_TEST_TG_HOOK\"\n"
)

// Updates shaped as the Bot API documents them (Update, Message, User, Chat).
const (
	tgPrivate  = `{"update_id":800000001,"message":{"message_id":1,"from":{"id":111,"is_bot":false,"first_name":"Alice","last_name":"Kim","username":"alice_k","language_code":"en"},"chat":{"id":111,"first_name":"Alice","last_name":"Kim","username":"alice_k","type":"private"},"date":1764000000,"text":"Hi, my order #4411 never arrived"}}`
	tgPrivate2 = `{"update_id":800000002,"message":{"message_id":2,"from":{"id":111,"is_bot":false,"first_name":"Alice","last_name":"Kim","username":"alice_k"},"chat":{"id":111,"first_name":"Alice","last_name":"Kim","username":"alice_k","type":"private"},"date":1764000060,"text":"Any news?"}}`
	tgEdited   = `{"update_id":800000003,"edited_message":{"message_id":1,"from":{"id":111,"is_bot":false,"first_name":"Alice"},"chat":{"id":111,"first_name":"Alice","type":"private"},"date":1764000000,"edit_date":1764000100,"text":"Hi, my order #4411 never came"}}`
	tgJoined   = `{"update_id":800000004,"message":{"message_id":9,"from":{"id":222,"is_bot":false,"first_name":"Bo"},"chat":{"id":-1001000000001,"title":"Acme customers","type":"supergroup"},"date":1764000200,"new_chat_members":[{"id":222,"is_bot":false,"first_name":"Bo"}]}}`
)

// startTelegramServe runs `triage serve` with config, the bot token and the webhook
// secret in the environment.
func startTelegramServe(t *testing.T, config string) (db, cfg, base string, stop func() error, stderr *syncbuf.Buffer) {
	t.Helper()
	t.Setenv("TRIAGE_TEST_TG_TOKEN", tgBotToken)
	t.Setenv("TRIAGE_TEST_TG_HOOK", tgHookSecret)
	db = filepath.Join(t.TempDir(), "t.db")
	cfg = writeFile(t, "config.toml", config)
	addr, stop, stderr := startServe(t, db, cfg)
	return db, cfg, "http://" + addr, stop, stderr
}

// pushUpdate posts body as Telegram's webhook does, with secret as its secret token
// ("" for none).
func pushUpdate(t *testing.T, url, body, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// noSecrets fails if a text holds the bot token or the webhook secret.
func noSecrets(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{tgBotToken, "AAH-telegram-bot-token", tgHookSecret} {
		if strings.Contains(text, s) {
			t.Errorf("%s holds a secret (%q): %s", what, s, text)
		}
	}
}

// Serve for a Telegram bot alone (no [serve] table): a wrong or missing secret token is
// 401 and stores nothing; a body that is no Update is 400 and says why; an update is
// stored as polling stores it and answered 200 once stored, and delivered again it is
// stored once; kinds triage does not take are acknowledged.
func TestServeTelegramWebhook(t *testing.T) {
	db, cfg, base, stop, stderr := startTelegramServe(t, tgAccount)
	url := base + tgHookPath
	var answers []string
	for _, tt := range []struct{ name, secret string }{
		{"missing", ""}, {"wrong", "tg-hook-secret_0123456789abcdeX"}, {"prefix", tgHookSecret[:10]},
		{"longer", tgHookSecret + "0"}, {"serve's secret", serveSecret},
		// What the hooks take as a signature is no way around the secret token.
		{"a signature", "sha256=" + strings.Repeat("0", 64)},
	} {
		status, ans := pushUpdate(t, url, tgPrivate, tt.secret)
		if status != http.StatusUnauthorized {
			t.Errorf("secret token %s: %d %s, want 401", tt.name, status, ans)
		}
		answers = append(answers, ans)
	}
	for _, tt := range []struct{ name, body, want string }{
		{"not JSON", `update_id=1`, "not a JSON object"},
		{"an array", `[` + tgPrivate + `]`, "not a JSON object"},
		{"no update_id", `{"message":{"message_id":1,"chat":{"id":111,"type":"private"},"date":1,"text":"hi"}}`, "update_id is missing"},
		{"update_id as text", `{"update_id":"800000001"}`, `field \"update_id\"`},
		{"message not an object", `{"update_id":800000001,"message":"hi"}`, `field \"message\"`},
	} {
		status, ans := pushUpdate(t, url, tt.body, tgHookSecret)
		if status != http.StatusBadRequest || !strings.Contains(ans, "not a Telegram Bot API Update") || !strings.Contains(ans, tt.want) {
			t.Errorf("%s: %d %s, want 400 saying %s", tt.name, status, ans, tt.want)
		}
		answers = append(answers, ans)
	}
	huge := `{"update_id":800000009,"message":{"message_id":5,"chat":{"id":111,"type":"private"},"date":1764000000,"text":"` +
		strings.Repeat("a", webhook.DefaultMaxBody) + `"}}`
	if status, ans := pushUpdate(t, url, huge, tgHookSecret); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over max_body: %d %.200s, want 413", status, ans)
	}
	// Without a Content-Length (chunked), refused as it streams in.
	req, _ := http.NewRequest(http.MethodPost, url, io.MultiReader(strings.NewReader(huge)))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tgHookSecret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a chunked body over max_body: %v %v, want 413", resp, err)
	} else {
		resp.Body.Close()
	}
	if status, ans := pushUpdate(t, base+"/v1/hooks/telegram/other-bot", tgPrivate, tgHookSecret); status != http.StatusNotFound {
		t.Errorf("another account's path: %d %s, want 404", status, ans)
	}
	if resp, err := http.Get(url); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v, want 405", resp, err)
	}
	if recs := metaExported(t, db, cfg); len(recs) != 0 {
		t.Fatalf("after refused deliveries the inbox holds %v, want nothing", recs)
	}

	for i, want := range []string{`"new":1`, `"present":1`} { // Telegram delivers again when unsure
		status, ans := pushUpdate(t, url, tgPrivate, tgHookSecret)
		if status != http.StatusOK || !strings.Contains(ans, want) {
			t.Errorf("delivery %d: %d %s, want 200 with %s", i+1, status, ans, want)
		}
		answers = append(answers, ans)
	}
	if status, ans := pushUpdate(t, url, tgEdited, tgHookSecret); status != http.StatusOK || !strings.Contains(ans, `"skipped":1`) {
		t.Errorf("an edit: %d %s, want 200, skipped", status, ans)
	}
	if status, ans := pushUpdate(t, url, tgJoined, tgHookSecret); status != http.StatusOK || !strings.Contains(ans, `"accepted":0`) || !strings.Contains(ans, `"skipped":0`) {
		t.Errorf("a member joined: %d %s, want 200, nothing stored, nothing skipped", status, ans)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	recs := metaExported(t, db, cfg)
	r, ok := recs["111:1"]
	if len(recs) != 1 || !ok {
		t.Fatalf("export %+v, want the private message once", recs)
	}
	if r.Channel != "telegram" || r.Account != "@acme_support_bot" || r.Conversation != "dm:111" || r.Kind != "dm" || r.Direction != "in" ||
		r.Text != "Hi, my order #4411 never arrived" || r.Author == nil || r.Author.Handle != "@alice_k" || r.Author.Name != "Alice Kim" ||
		!r.CreatedAt.Equal(r.CreatedAt.UTC()) || r.CreatedAt.Unix() != 1764000000 {
		t.Errorf("stored %+v (author %+v), want the private chat's message as polling stores it", r, r.Author)
	}
	logs := stderr.String()
	noSecrets(t, "serve's log", logs)
	noSecrets(t, "serve's answers", strings.Join(answers, "\n"))
	if !strings.Contains(logs, "edited_message") || strings.Contains(logs, "never arrived") {
		t.Errorf("log should name the skipped edit and hold no message text: %s", logs)
	}
}

// botAPI is a Bot API server for one token: getMe, and getUpdates answering the
// updates it holds from the offset asked (the ones before it are dropped, as Telegram
// does).
type botAPI struct {
	mu      sync.Mutex
	updates []json.RawMessage
	methods []string
}

func newBotAPI(t *testing.T) (*botAPI, string) {
	b := &botAPI{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		method, ok := strings.CutPrefix(r.URL.Path, "/bot"+tgBotToken+"/")
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
			return
		}
		b.methods = append(b.methods, method)
		var req struct {
			Offset int64 `json:"offset"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		switch method {
		case "getMe":
			io.WriteString(w, `{"ok":true,"result":{"id":7000000001,"is_bot":true,"first_name":"Acme support","username":"acme_support_bot"}}`)
		case "getUpdates":
			var out []json.RawMessage
			for _, u := range b.updates {
				var id struct {
					UpdateID int64 `json:"update_id"`
				}
				json.Unmarshal(u, &id)
				if id.UpdateID >= req.Offset {
					out = append(out, u)
				}
			}
			b.updates = out
			res, _ := json.Marshal(out)
			io.WriteString(w, `{"ok":true,"result":`+string(res)+`}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"ok":false,"error_code":404,"description":"Not Found"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return b, srv.URL
}

func (b *botAPI) hold(updates ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range updates {
		b.updates = append(b.updates, json.RawMessage(u))
	}
}

func (b *botAPI) asked() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.methods)
}

// A message polled and then pushed by webhook, or pushed and then polled (while an
// account moves from one to the other), is stored once: the webhook makes of an update
// what polling makes of it. The webhook's account names no handle, so serve reads the
// bot token and asks Telegram (getMe); the token is in no log line or answer. An account
// with a webhook secret is not polled by sync.
func TestServeTelegramWebhookAndPollingStoreOnce(t *testing.T) {
	api, apiURL := newBotAPI(t)
	account := "[[account]]\nname = \"acme-telegram\"\nchannel = \"telegram\"\ntoken_env = \"TRIAGE_TEST_TG_TOKEN\"\napi_url = \"" + apiURL + "\"\n"
	t.Setenv("TRIAGE_TEST_TG_TOKEN", tgBotToken)
	polled := writeFile(t, "polled.toml", account)
	db, hooked, base, stop, stderr := startTelegramServe(t, account+"webhook_secret_env = \"TRIAGE_TEST_TG_HOOK\"\n")
	url := base + tgHookPath

	api.hold(tgPrivate)
	out, errOut, err := triage(t, db, "", "sync", "--once", "--config", polled)
	if err != nil || !strings.Contains(out, "1 new") {
		t.Fatalf("sync polling: %v\n%s%s", err, out, errOut)
	}
	status, first := pushUpdate(t, url, tgPrivate, tgHookSecret)
	if status != http.StatusOK || !strings.Contains(first, `"present":1`) {
		t.Errorf("the polled update pushed: %d %s, want 200, present", status, first)
	}
	status, second := pushUpdate(t, url, tgPrivate2, tgHookSecret)
	if status != http.StatusOK || !strings.Contains(second, `"new":1`) {
		t.Errorf("a new update pushed: %d %s, want 200, new", status, second)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	api.hold(tgPrivate2)
	out, errOut, err = triage(t, db, "", "sync", "--once", "--config", polled)
	if err != nil || !strings.Contains(out, "0 new") {
		t.Fatalf("sync polling the pushed update: %v\n%s%s", err, out, errOut)
	}
	recs := metaExported(t, db, polled)
	if len(recs) != 2 || recs["111:1"].Account != "@acme_support_bot" || recs["111:2"].Text != "Any news?" {
		t.Errorf("export %+v, want each message once", recs)
	}

	before := len(api.asked())
	out, errOut, err = triage(t, db, "", "sync", "--once", "--config", hooked)
	if err != nil {
		t.Fatalf("sync of the webhook's account: %v\n%s%s", err, out, errOut)
	}
	if asked := api.asked()[before:]; slices.Contains(asked, "getUpdates") {
		t.Errorf("sync asked %v of an account served by webhook, want no getUpdates (Telegram refuses it while a webhook is set)", asked)
	}
	noSecrets(t, "serve's log", stderr.String())
	noSecrets(t, "serve's answers", first+second)
}

// A telegram account's webhook that cannot be served stops serve at start (exit 2),
// naming what to fix and never the secret.
func TestServeTelegramWebhookConfigErrors(t *testing.T) {
	t.Setenv("TRIAGE_TEST_TG_TOKEN", tgBotToken)
	badSecret := "has spaces and = signs"
	tests := []struct{ name, config, secret, want string }{
		{"secret unset", tgAccount, "", "TRIAGE_TEST_TG_HOOK is not set"},
		{"secret Telegram refuses", tgAccount, badSecret, "1 to 256 letters, digits"},
		{"name not a path segment", strings.Replace(tgAccount, `"acme-telegram"`, `"acme telegram"`, 1), tgHookSecret, "may hold only letters"},
		{"secret_cmd fails", strings.Replace(tgAccount, `webhook_secret_env = "TRIAGE_TEST_TG_HOOK"`, `webhook_secret_cmd = "exit 3"`, 1), "", "webhook_secret_cmd failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TRIAGE_TEST_TG_HOOK", tt.secret)
			db := filepath.Join(t.TempDir(), "t.db")
			_, _, err := triage(t, db, "", "serve", "--listen", "127.0.0.1:0", "--config", writeFile(t, "config.toml", tt.config))
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("serve = %v, want exit 2 mentioning %q", err, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), badSecret) || strings.Contains(err.Error(), tgBotToken)) {
				t.Errorf("the error holds a secret: %v", err)
			}
		})
	}
	t.Run("secret_cmd", func(t *testing.T) {
		t.Setenv("TRIAGE_TEST_TG_HOOK", "")
		config := strings.Replace(tgAccount, `webhook_secret_env = "TRIAGE_TEST_TG_HOOK"`, `webhook_secret_cmd = "printf '`+tgHookSecret+`\n'"`, 1)
		db := filepath.Join(t.TempDir(), "t.db")
		addr, stop, stderr := startServe(t, db, writeFile(t, "config.toml", config))
		if status, ans := pushUpdate(t, "http://"+addr+tgHookPath, tgPrivate, tgHookSecret); status != http.StatusOK || !strings.Contains(ans, `"new":1`) {
			t.Errorf("with the secret from webhook_secret_cmd: %d %s, want 200, new", status, ans)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		noSecrets(t, "serve's log", stderr.String())
	})
}

// The README's Telegram webhook example serves: with its variables set, `triage serve`
// takes an update at the path the README names, with the secret it names, and refuses
// one without it.
func TestReadmeTelegramWebhookExampleServes(t *testing.T) {
	var example string
	for _, b := range readmeBlocks(t, "toml") {
		if strings.Contains(b.text, `channel = "telegram"`) && strings.Contains(b.text, "webhook_secret_env") {
			example = b.text
		}
	}
	if example == "" {
		t.Fatal("README.md has no telegram example with webhook_secret_env")
	}
	path := regexp.MustCompile(`/v1/hooks/telegram/[\w.~-]+`).FindString(example)
	if path == "" {
		t.Fatal("the README's example does not name its webhook's path")
	}
	// The setWebhook line a person runs tells Telegram that path and that secret.
	var setWebhook string
	for _, b := range readmeBlocks(t, "sh") {
		if strings.Contains(b.text, "/setWebhook") {
			setWebhook = b.text
		}
	}
	secretVar := regexp.MustCompile(`webhook_secret_env\s*=\s*"(\w+)"`).FindStringSubmatch(example)
	if setWebhook == "" || secretVar == nil || !strings.Contains(setWebhook, path) ||
		!strings.Contains(setWebhook, "secret_token=$"+secretVar[1]) {
		t.Errorf("the README's setWebhook line does not give Telegram the example's path %s and secret $%v:\n%s", path, secretVar, setWebhook)
	}
	for _, m := range secretEnv.FindAllStringSubmatch(example, -1) {
		t.Setenv(m[1], tgHookSecret)
	}
	db := filepath.Join(t.TempDir(), "t.db")
	addr, stop, _ := startServe(t, db, writeFile(t, "config.toml", example))
	if status, ans := pushUpdate(t, "http://"+addr+path, tgPrivate, ""); status != http.StatusUnauthorized {
		t.Errorf("without the secret: %d %s, want 401", status, ans)
	}
	if status, ans := pushUpdate(t, "http://"+addr+path, tgPrivate, tgHookSecret); status != http.StatusOK || !strings.Contains(ans, `"new":1`) {
		t.Errorf("POST %s: %d %s, want 200, new", path, status, ans)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
