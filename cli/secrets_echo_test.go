package cli

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/echotest"
	"github.com/triage-inbox/triage/inbox"
)

// The secrets of the echoed run: each has the characters that change in one encoding
// or another (`"`, `\`, `+`, `/`, `=`, `&`, `%`, non-ASCII).
const (
	echoMail     = `mail"pa\ss+/=&%é€-91d3`
	echoBluesky  = `bsky"pa\ss+/=&%ü-7b2e`
	echoMastodon = `masto"tok\en+/=&%-4f1c`
	echoZendesk  = `zd"tok\en+/=&%-e6b4`
	echoURLToken = `hook"tok\en+/=&%ö-2c8f`
	echoRelay    = `relay"hmac\+/=&%-5a0d`
)

// TestSecretsNeverLeakEchoed is a full run against servers that refuse every login and
// repeat everything they received: SMTP puts the AUTH line in its 535, IMAP the LOGIN
// command in its NO, and the HTTP ones (Mastodon, Bluesky, Zendesk, a webhook whose URL
// has ?token=) the URL, the body, its JSON fields and the headers in a JSON error. No
// secret may be found, in any form, in the database, its WAL, the log, the output or an
// error — and the status, code and reason of each refusal must still be there.
func TestSecretsNeverLeakEchoed(t *testing.T) {
	ctx := context.Background()
	for env, v := range map[string]string{"TRIAGE_ECHO_MAIL": echoMail, "TRIAGE_ECHO_BSKY": echoBluesky,
		"TRIAGE_ECHO_MASTODON": echoMastodon, "TRIAGE_ECHO_ZENDESK": echoZendesk, "TRIAGE_ECHO_RELAY": echoRelay} {
		t.Setenv(env, v)
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("TRIAGE_DB", "")
	t.Setenv("TRIAGE_CONFIG", "")

	smtpAddr, smtpLog := echotest.SMTP(t)
	imapAddr, imapLog := echotest.IMAP(t)
	masto, mastoLog := echotest.HTTP(t)
	bsky, bskyLog := echotest.HTTP(t)
	zd, zdLog := echotest.HTTP(t)
	relay, relayLog := echotest.HTTP(t)
	hookURL := relay.URL + "/replies?token=" + url.QueryEscape(echoURLToken)

	config := writeFile(t, "config.toml", fmt.Sprintf(`agent = "maria"

[outbox]
send_delay = "0s"

[escalation]
destination = "zendesk"
url = %q
email = %q
token_env = "TRIAGE_ECHO_ZENDESK"

[[account]]
name = "acme-mastodon"
channel = "mastodon"
server = %q
handle = "@acme"
token_env = "TRIAGE_ECHO_MASTODON"

[[account]]
name = "acme-bluesky"
channel = "bluesky"
service = %q
handle = "acme.bsky.test"
password_env = "TRIAGE_ECHO_BSKY"

[[account]]
name = "support"
channel = "email"
address = %q
imap = %q
smtp = %q
security = "none"
password_env = "TRIAGE_ECHO_MAIL"

[[account]]
name = "relay"
channel = "webhook"
url = %q
handle = "shop-form"
secret_env = "TRIAGE_ECHO_RELAY"
`, zd.URL, zendeskAgent, masto.URL, bsky.URL, mailAddress, imapAddr, smtpAddr, hookURL))
	db := filepath.Join(t.TempDir(), "triage.db")

	var printed []string
	record := func(stdout, stderr string, err error) {
		printed = append(printed, stdout, stderr)
		if err != nil {
			printed = append(printed, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		}
	}
	files := map[string][]byte{} // every version of the files seen, by name and moment
	snapshot := func(when string) {
		for _, p := range []string{db, db + "-wal", db + "-journal", filepath.Join(state, "triage", "triage.log")} {
			if b, err := os.ReadFile(p); err == nil {
				files[when+" "+filepath.Base(p)] = b
			}
		}
	}

	messages := `{"channel":"mastodon","account":"@acme","id":"m1","conversation":"c-masto","kind":"mention","author":{"id":"9","handle":"@ana@example.test"},"text":"charged twice","created_at":"2026-11-20T10:00:00Z"}
{"channel":"bluesky","account":"acme.bsky.test","id":"at://did:plc:ana/app.bsky.feed.post/3k1","conversation":"c-bsky","kind":"mention","author":{"id":"did:plc:ana","handle":"ana.bsky.test"},"text":"where is it?","created_at":"2026-11-20T10:01:00Z"}
{"channel":"email","account":"support@acme.test","id":"<m1@example.test>","conversation":"c-mail","kind":"email","author":{"id":"ana@example.test","handle":"ana@example.test"},"text":"hello","created_at":"2026-11-20T10:02:00Z"}
{"channel":"webhook","account":"shop-form","id":"w1","conversation":"c-relay","kind":"dm","author":{"id":"ana@example.test"},"text":"form message","created_at":"2026-11-20T10:04:00Z"}
`
	out, errOut, err := runCapture(ctx, "import", "--db", db, "--config", config, writeFile(t, "in.jsonl", messages))
	record(out, errOut, err)
	if err != nil || !strings.Contains(out, "4 new") {
		t.Fatalf("import = %q %q, %v", out, errOut, err)
	}

	openEnv := func() (*inbox.Service, func()) { t.Helper(); return secretsInbox(t, ctx, db, config) }
	convs := []secretsConv{{"mastodon", "@acme", "c-masto"}, {"bluesky", "acme.bsky.test", "c-bsky"},
		{"email", mailAddress, "c-mail"}, {"webhook", "shop-form", "c-relay"}}
	queue := func(round string) { t.Helper(); queueEverywhere(t, ctx, db, config, round, convs) }

	// Round 1: `triage sync --once`, printing states and errors.
	queue("round one")
	out, errOut, err = runCapture(ctx, "sync", "--once", "--db", db, "--config", config)
	record(out, errOut, err)
	if err == nil {
		t.Errorf("sync --once against refusing servers succeeded:\n%s", out)
	}
	snapshot("after sync --once:")

	// Round 2: the engine as the UI runs it, logging to the log file; the files are read
	// while the database is open, so the WAL is there.
	queue("round two")
	{
		svc, closeDB := openEnv()
		eng, closeLog := uiEngine(t, ctx, svc)
		record("", "", eng.Once(ctx))
		for _, s := range eng.States() {
			printed = append(printed, s.Err)
		}
		for _, o := range []string{inbox.OutboxFailed, inbox.OutboxPending, inbox.OutboxUnknown} {
			replies, _ := svc.RepliesIn(ctx, o)
			for _, r := range replies {
				printed = append(printed, fmt.Sprintf("%+v", r))
			}
		}
		snapshot("engine running:")
		closeLog()
		closeDB()
	}
	snapshot("at the end:")

	// The secrets were sent: else finding none of them would prove nothing.
	for what, ok := range map[string]bool{
		"mail password to SMTP":    strings.Contains(smtpLog.Received(), "AUTH PLAIN "),
		"mail password to IMAP":    strings.Contains(imapLog.Received(), "LOGIN"),
		"mastodon token":           strings.Contains(mastoLog.Received(), "Authorization: Bearer "+echoMastodon),
		"bluesky password":         strings.Contains(bskyLog.Received(), "createSession"),
		"zendesk token":            strings.Contains(zdLog.Received(), "Authorization: Basic "),
		"webhook URL with a token": strings.Contains(relayLog.Received(), "token="+url.QueryEscape(echoURLToken)),
	} {
		if !ok {
			t.Errorf("%s: not sent: the run did not exercise that secret", what)
		}
	}

	joined := strings.Join(printed, "\n")
	// The refusals still say who refused and why.
	for _, want := range []string{"535", "AUTHENTICATIONFAILED", "401", "Invalid identifier or password", "acme-bluesky", "support"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the output names no %q: the reason was lost with the secret", want)
		}
	}
	check := func(where, text string) {
		for _, s := range []struct{ user, secret string }{{mailAddress, echoMail}, {"acme.bsky.test", echoBluesky},
			{"", echoMastodon}, {zendeskAgent + "/token", echoZendesk}, {"", echoURLToken}, {"", echoRelay}} {
			if leaks := echotest.Leaks(text, s.user, s.secret); len(leaks) > 0 {
				t.Errorf("%s holds %v", where, leaks)
			}
		}
	}
	check("the output and errors", joined)
	for name, b := range files {
		check(name, string(b))
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("output and errors of the run:\n%s", joined)
		t.Logf("log file:\n%s", files["at the end: triage.log"])
	}
}
