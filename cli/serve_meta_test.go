package cli

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/syncbuf"
)

const (
	metaAppSecret   = "meta-app-secret-for-tests"
	metaVerifyToken = "meatyhamhock"
	metaConfig      = "[serve]\nsecret_env = \"TRIAGE_TEST_SERVE_SECRET\"\n" +
		"meta_app_secret_env = \"TRIAGE_TEST_META_SECRET\"\nmeta_verify_token_env = \"TRIAGE_TEST_META_TOKEN\"\n"
)

// Deliveries shaped as Meta's webhook reference documents them. igComment's text is
// "Où est ma commande ? 😀" as Meta sends it: non-ASCII escaped as \uXXXX.
const (
	igComment = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000000,"changes":[{"field":"comments","value":{"from":{"id":"232323232","username":"ana.lima"},"media":{"id":"18000000000000001","media_product_type":"FEED"},"id":"17865799348089039","text":"O\u00f9 est ma commande ? \ud83d\ude00"}}]}]}`
	igReply   = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000100,"changes":[{"field":"comments","value":{"from":{"id":"17841400000000001","username":"acme"},"media":{"id":"18000000000000001","media_product_type":"FEED"},"id":"17865799348089040","parent_id":"17865799348089039","text":"It ships tomorrow"}}]}]}`
	igDM      = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000200,"messaging":[{"sender":{"id":"9000000000000001"},"recipient":{"id":"17841400000000001"},"timestamp":1764000200123,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","text":"Do you ship to Lisbon?"}}]}]}`
	igEcho    = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000300,"messaging":[{"sender":{"id":"17841400000000001"},"recipient":{"id":"9000000000000001"},"timestamp":1764000300456,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQy","text":"We do!","is_echo":true}}]}]}`
	fbComment = `{"object":"page","entry":[{"id":"106000000000001","time":1764000400,"changes":[{"field":"feed","value":{"from":{"id":"5550000000001","name":"Bea Costa"},"post":{"status_type":"added_photos","is_published":true,"updated_time":"2025-11-24T16:06:40+0000","permalink_url":"https://www.facebook.com/acme/posts/1","id":"106000000000001_200000000000001"},"message":"Is this in stock?","post_id":"106000000000001_200000000000001","comment_id":"200000000000001_300000000000001","created_time":1764000400,"item":"comment","parent_id":"106000000000001_200000000000001","verb":"add"}}]}]}`
	fbReply   = `{"object":"page","entry":[{"id":"106000000000001","time":1764000500,"changes":[{"field":"feed","value":{"from":{"id":"5550000000002","name":"Caio"},"message":"Same question","post_id":"106000000000001_200000000000001","comment_id":"200000000000001_300000000000002","created_time":1764000500,"item":"comment","parent_id":"200000000000001_300000000000001","verb":"add"}}]}]}`
	fbDM      = `{"object":"page","entry":[{"id":"106000000000001","time":1764000600000,"messaging":[{"sender":{"id":"6100000000000001"},"recipient":{"id":"106000000000001"},"timestamp":1764000600000,"message":{"mid":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P","text":"hello, world!"}}]}]}`
	waText    = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]}`
	// Shapes skipped or quiet: acknowledged, stored nothing.
	waStatus = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3","status":"delivered","timestamp":"1749416400","recipient_id":"16505551234"}]},"field":"messages"}]}]}`
	igReact  = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000950,"messaging":[{"sender":{"id":"9000000000000001"},"recipient":{"id":"17841400000000001"},"timestamp":1764000950000,"reaction":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQy","action":"react","reaction":"love","emoji":"\u2764\ufe0f"}}]}]}`
	igEmpty  = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000900,"changes":[{"field":"comments","value":{"from":{"id":"232323232","username":"ana.lima"},"media":{"id":"18000000000000001","media_product_type":"FEED"},"id":"17865799348089041","text":""}}]}]}`
	// A message delivered while another app (the Page's inbox, a bot) had the thread.
	standby = `{"object":"page","entry":[{"id":"106000000000001","time":1764000800000,"standby":[{"sender":{"id":"6100000000000001"},"recipient":{"id":"106000000000001"},"timestamp":1764000800000,"message":{"mid":"m_standby","text":"ol\u00e1?"}}]}]}`
)

// startMetaServe runs `triage serve` with Meta's webhook configured.
func startMetaServe(t *testing.T) (db, config, base string, stop func() error, stderr *syncbuf.Buffer) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "t.db")
	t.Setenv("TRIAGE_TEST_SERVE_SECRET", serveSecret)
	t.Setenv("TRIAGE_TEST_META_SECRET", metaAppSecret)
	t.Setenv("TRIAGE_TEST_META_TOKEN", metaVerifyToken)
	config = writeFile(t, "config.toml", metaConfig)
	addr, stop, stderr := startServe(t, db, config)
	return db, config, "http://" + addr + "/v1/hooks/meta", stop, stderr
}

func hubSignature(body []byte) string {
	h := hmac.New(sha256.New, []byte(metaAppSecret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// deliver posts body to url as Meta does, with sig as X-Hub-Signature-256.
func deliver(t *testing.T, url string, body []byte, sig string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metaExported reads `triage export` as records by id.
func metaExported(t *testing.T, db, config string) map[string]inbox.ExportRecord {
	t.Helper()
	out, _, err := triage(t, db, "", "export", "--config", config)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	recs := map[string]inbox.ExportRecord{}
	for line := range strings.Lines(out) {
		var r inbox.ExportRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		recs[r.ID] = r
	}
	return recs
}

func TestServeMetaHandshake(t *testing.T) {
	_, _, base, stop, _ := startMetaServe(t)
	defer stop()
	tests := []struct {
		name, token, mode string
		status            int
		body              string
	}{
		{"good token", metaVerifyToken, "subscribe", http.StatusOK, "1158201444"},
		{"bad token", "guess", "subscribe", http.StatusForbidden, ""},
		{"no token", "", "subscribe", http.StatusForbidden, ""},
		{"other mode", metaVerifyToken, "unsubscribe", http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"hub.mode": {tt.mode}, "hub.challenge": {"1158201444"}, "hub.verify_token": {tt.token}}
			resp, err := http.Get(base + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || (tt.body != "" && string(b) != tt.body) {
				t.Errorf("GET = %d %q, want %d %q", resp.StatusCode, b, tt.status, tt.body)
			}
		})
	}
}

func TestServeMetaSignatureOverRawBytes(t *testing.T) {
	db, config, base, stop, stderr := startMetaServe(t)
	raw := []byte(igComment)
	// The same JSON re-serialized (Go writes "Où" as UTF-8, not \u00f9) is other bytes,
	// so the signature Meta made over its own bytes does not match it.
	var v any
	json.Unmarshal(raw, &v)
	reserialized, _ := json.Marshal(v)
	if status, ans := deliver(t, base, reserialized, hubSignature(raw)); status != http.StatusUnauthorized {
		t.Errorf("re-serialized body = %d %s, want 401", status, ans)
	}
	if status, ans := deliver(t, base, raw, hubSignature([]byte(`{"object":"instagram"}`))); status != http.StatusUnauthorized {
		t.Errorf("bad signature = %d %s, want 401", status, ans)
	}
	if status, ans := deliver(t, base, raw, ""); status != http.StatusUnauthorized {
		t.Errorf("unsigned = %d %s, want 401", status, ans)
	}
	// Signed with serve's own secret: not Meta's key.
	h := hmac.New(sha256.New, []byte(serveSecret))
	h.Write(raw)
	if status, ans := deliver(t, base, raw, "sha256="+hex.EncodeToString(h.Sum(nil))); status != http.StatusUnauthorized {
		t.Errorf("signed with serve's secret = %d %s, want 401", status, ans)
	}
	if recs := metaExported(t, db, config); len(recs) != 0 {
		t.Fatalf("after refused deliveries the inbox holds %v, want nothing", recs)
	}
	for i := range 2 { // Meta delivers again when unsure: stored once
		status, ans := deliver(t, base, raw, hubSignature(raw))
		want := []string{`"new":1`, `"present":1`}[i]
		if status != http.StatusOK || !strings.Contains(ans, want) {
			t.Errorf("delivery %d = %d %s, want 200 with %s", i+1, status, ans, want)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	recs := metaExported(t, db, config)
	if len(recs) != 1 || recs["17865799348089039"].Text != "Où est ma commande ? 😀" {
		t.Errorf("export = %+v, want the comment once, text decoded", recs)
	}
	if logs := stderr.String(); strings.Contains(logs, "commande") || strings.Contains(logs, "sha256=") || strings.Contains(logs, metaAppSecret) {
		t.Errorf("log holds a body, signature or secret: %s", logs)
	}
}

func TestServeMetaPayloadsLandByConvention(t *testing.T) {
	db, config, base, stop, stderr := startMetaServe(t)
	for _, body := range []string{igComment, igReply, igDM, igEcho, fbComment, fbReply, fbDM, waText, waStatus, standby, igEmpty, igReact} {
		if status, ans := deliver(t, base, []byte(body), hubSignature([]byte(body))); status != http.StatusOK {
			t.Errorf("deliver %.60s… = %d %s, want 200", body, status, ans)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	type want struct {
		channel, account, kind, conv, inReplyTo, dir, agent, authorID, handle, name, at string
	}
	wants := map[string]want{
		"17865799348089039":                          {"instagram", "17841400000000001", "comment", "media:18000000000000001", "", "in", "", "232323232", "ana.lima", "", "2025-11-24T16:00:00Z"},
		"17865799348089040":                          {"instagram", "17841400000000001", "comment", "media:18000000000000001", "17865799348089039", "out", "(native app)", "", "", "", "2025-11-24T16:01:40Z"},
		"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx": {"instagram", "17841400000000001", "dm", "dm:9000000000000001", "", "in", "", "9000000000000001", "", "", "2025-11-24T16:03:20.123Z"},
		"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQy": {"instagram", "17841400000000001", "dm", "dm:9000000000000001", "", "out", "(native app)", "", "", "", "2025-11-24T16:05:00.456Z"},
		"200000000000001_300000000000001":            {"facebook", "106000000000001", "comment", "post:106000000000001_200000000000001", "", "in", "", "5550000000001", "", "Bea Costa", "2025-11-24T16:06:40Z"},
		"200000000000001_300000000000002":            {"facebook", "106000000000001", "comment", "post:106000000000001_200000000000001", "200000000000001_300000000000001", "in", "", "5550000000002", "", "Caio", "2025-11-24T16:08:20Z"},
		"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P": {"facebook", "106000000000001", "dm", "dm:6100000000000001", "", "in", "", "6100000000000001", "", "", "2025-11-24T16:10:00Z"},
		"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=":                           {"whatsapp", "106540352242922", "dm", "wa:16505551234", "", "in", "", "16505551234", "", "Sheena Nelson", "2025-06-08T20:59:43Z"},
		// Standby: the customer wrote it, whichever app had the thread.
		"m_standby": {"facebook", "106000000000001", "dm", "dm:6100000000000001", "", "in", "", "6100000000000001", "", "", "2025-11-24T16:13:20Z"},
	}
	recs := metaExported(t, db, config)
	if len(recs) != len(wants) {
		t.Errorf("export holds %d messages, want %d", len(recs), len(wants))
	}
	for id, w := range wants {
		r, ok := recs[id]
		if !ok {
			t.Errorf("%s not stored", id)
			continue
		}
		var a inbox.Author
		if r.Author != nil {
			a = *r.Author
		}
		got := want{r.Channel, r.Account, string(r.Kind), r.Conversation, r.InReplyTo, string(r.Direction), r.Agent,
			a.ID, a.Handle, a.Name, r.CreatedAt.UTC().Format("2006-01-02T15:04:05.999Z07:00")}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", id, got, w)
		}
	}
	logs := stderr.String()
	for _, skipped := range []string{"instagram/messaging: reaction", `17865799348089041: field \"text\"`} {
		if !strings.Contains(logs, skipped) {
			t.Errorf("log does not say %q was skipped: %s", skipped, logs)
		}
	}
	if strings.Contains(logs, "delivered") || strings.Contains(logs, "standby") {
		t.Errorf("a delivered status or a standby message was logged as skipped: %s", logs)
	}
}

func TestServeMetaRouteOnlyWhenConfigured(t *testing.T) {
	t.Setenv("TRIAGE_TEST_SERVE_SECRET", serveSecret)
	t.Setenv("TRIAGE_TEST_META_SECRET", metaAppSecret)
	t.Setenv("TRIAGE_TEST_META_TOKEN", "")
	base := "[serve]\nsecret_env = \"TRIAGE_TEST_SERVE_SECRET\"\n"
	tests := []struct{ name, config, want string }{
		{"token env empty", metaConfig, "TRIAGE_TEST_META_TOKEN is not set or empty"},
		{"secret key alone", base + "meta_app_secret_env = \"TRIAGE_TEST_META_SECRET\"\n", "meta_verify_token_env is not"},
		{"token key alone", base + "meta_verify_token_env = \"TRIAGE_TEST_META_TOKEN\"\n", "meta_app_secret_env is not"},
		{"not text", base + "meta_app_secret_env = 1\nmeta_verify_token_env = \"X\"\n", "[serve] meta_app_secret_env: want the name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "t.db")
			config := writeFile(t, "config.toml", tt.config)
			_, _, err := triage(t, db, "", "serve", "--listen", "127.0.0.1:0", "--config", config)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("serve = %v, want exit 2 mentioning %q", err, tt.want)
			}
		})
	}
	t.Run("absent", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "t.db")
		addr, stop, _ := startServe(t, db, writeFile(t, "config.toml", base))
		defer stop()
		body := []byte(igComment)
		if status, ans := deliver(t, "http://"+addr+"/v1/hooks/meta", body, hubSignature(body)); status != http.StatusNotFound {
			t.Errorf("POST without Meta configured = %d %s, want 404", status, ans)
		}
	})
}

// Serve for Meta alone, with the README's [serve] table (no secret_env): Meta's webhook
// works, and /v1/messages, which has no key to check, does not exist.
func TestServeMetaAlone(t *testing.T) {
	t.Setenv("TRIAGE_TEST_META_SECRET", metaAppSecret)
	t.Setenv("TRIAGE_TEST_META_TOKEN", metaVerifyToken)
	db := filepath.Join(t.TempDir(), "t.db")
	config := writeFile(t, "config.toml", "[serve]\nmeta_app_secret_env = \"TRIAGE_TEST_META_SECRET\"\nmeta_verify_token_env = \"TRIAGE_TEST_META_TOKEN\"\n")
	addr, stop, _ := startServe(t, db, config)
	defer stop()
	body := []byte(waText)
	if status, ans := deliver(t, "http://"+addr+"/v1/hooks/meta", body, hubSignature(body)); status != http.StatusOK {
		t.Fatalf("Meta's delivery = %d %s, want 200", status, ans)
	}
	resp, err := http.Post("http://"+addr+"/v1/messages", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /v1/messages without secret_env = %d, want 404", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := metaExported(t, db, config); len(got) != 1 {
		t.Errorf("stored %d messages, want the WhatsApp one", len(got))
	}
}

// Meta's mentions webhook names a comment by id alone: serve reads it through the
// configured Instagram account and stores the mention; a mention of an account not in
// the config is skipped by name; one Instagram cannot be asked for now is answered 503,
// so Meta delivers it again, and nothing is lost.
func TestServeMetaMentions(t *testing.T) {
	f := metatest.New(t, "17841400000000001", "IGQVJ-serve-mentions-token")
	comment := f.AddMentioningComment("18000000000654321", "bea.costa", "@acme.coffee do you ship to Porto?", "2026-11-24T16:00:00+0000")
	t.Setenv("TRIAGE_TEST_META_SECRET", metaAppSecret)
	t.Setenv("TRIAGE_TEST_META_TOKEN", metaVerifyToken)
	t.Setenv("TRIAGE_TEST_IG_TOKEN", "IGQVJ-serve-mentions-token")
	config := writeFile(t, "config.toml", "[[account]]\nname = \"instagram\"\nchannel = \"instagram\"\nig_user_id = \"17841400000000001\"\n"+
		"token_env = \"TRIAGE_TEST_IG_TOKEN\"\ngraph_url = \""+f.URL+"\"\n\n"+
		"[serve]\nmeta_app_secret_env = \"TRIAGE_TEST_META_SECRET\"\nmeta_verify_token_env = \"TRIAGE_TEST_META_TOKEN\"\n")
	db := filepath.Join(t.TempDir(), "t.db")
	addr, stop, _ := startServe(t, db, config)
	url := "http://" + addr + "/v1/hooks/meta"
	mention := func(account, commentID string) []byte {
		return []byte(`{"object":"instagram","entry":[{"id":"` + account + `","time":1764000000,"changes":[{"field":"mentions","value":{"media_id":"18000000000654321","comment_id":"` + commentID + `"}}]}]}`)
	}

	f.Fail(metatest.ServerError())
	body := mention("17841400000000001", comment)
	if status, ans := deliver(t, url, body, hubSignature(body)); status != http.StatusServiceUnavailable {
		t.Errorf("with Instagram failing: %d %s, want 503", status, ans)
	}
	if status, ans := deliver(t, url, body, hubSignature(body)); status != http.StatusOK || !strings.Contains(ans, `"new":1`) {
		t.Errorf("delivered again: %d %s, want the mention stored", status, ans)
	}
	other := mention("17841499999999999", "17900000000000999")
	if status, ans := deliver(t, url, other, hubSignature(other)); status != http.StatusOK || !strings.Contains(ans, `"skipped":1`) {
		t.Errorf("a mention of another account: %d %s, want it skipped", status, ans)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := metaExported(t, db, config)
	m, ok := got[comment]
	if len(got) != 1 || !ok || m.Kind != "mention" || m.Text != "@acme.coffee do you ship to Porto?" || m.Conversation != "media:18000000000654321" {
		t.Errorf("stored %+v, want the mention", got)
	}
}
