package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/escalate"
	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/syncbuf"
)

// The secrets of the full run: each unique, so any copy of one is found by its bytes.
const (
	secretMastodon = "S3CRET-MASTODON-TOKEN-4f1c9a0e"
	secretBluesky  = "S3CRET-BSKY-PASSWORD-7b2e51d4"
	secretMail     = "S3CRET-MAIL-PASSWORD-91d3c7a2"
	secretRelay    = "S3CRET-RELAY-HMAC-2c8f6b19"
	secretServe    = "S3CRET-SERVE-HMAC-5a0d3e87"
	secretZendesk  = "S3CRET-ZENDESK-TOKEN-e6b4f210"

	mailAddress  = "support@acme.test"
	zendeskAgent = "agent@acme.test"
)

// secretNeedles are the byte strings that must appear nowhere triage writes or prints:
// every secret, and the encodings it travels in (base64 alone, HTTP basic auth, SASL
// PLAIN).
func secretNeedles() map[string]string {
	b64 := base64.StdEncoding.EncodeToString
	n := map[string]string{
		"zendesk basic auth": b64([]byte(zendeskAgent + "/token:" + secretZendesk)),
		"mail SASL PLAIN":    b64([]byte("\x00" + mailAddress + "\x00" + secretMail)),
	}
	for name, s := range map[string]string{"mastodon token": secretMastodon, "bluesky password": secretBluesky,
		"mail password": secretMail, "relay secret": secretRelay, "serve secret": secretServe, "zendesk token": secretZendesk} {
		n[name] = s
		n[name+" (base64)"] = b64([]byte(s))
	}
	return n
}

// recorder is a local stand-in for a provider that refuses every request with 401, and
// remembers what credentials it was shown (so the test knows the secrets were used). In
// its answer, ECHO-AUTH becomes the request's Authorization header and ECHO-BODY its body.
type recorder struct {
	mu   sync.Mutex
	seen []string // Authorization headers and request bodies
	srv  *httptest.Server
}

func newRecorder(t *testing.T, body string) *recorder {
	t.Helper()
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.seen = append(r.seen, req.Header.Get("Authorization")+" "+req.Header.Get(webhook.SignatureHeader)+" "+string(b))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		// A careless provider repeats what it was sent: triage must not repeat it on.
		quoted, _ := json.Marshal(string(b))
		echo := strings.NewReplacer("ECHO-AUTH", req.Header.Get("Authorization"), "ECHO-BODY", string(quoted[1:len(quoted)-1]))
		io.WriteString(w, echo.Replace(body))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// saw reports whether any request carried s in its Authorization header or body.
func (r *recorder) saw(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.seen {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// refusingSMTP is an SMTP server that offers PLAIN and refuses every login, remembering
// the passwords it was offered.
type refusingSMTP struct {
	mu        sync.Mutex
	passwords []string
}

func (s *refusingSMTP) start(t *testing.T) string {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &refusingSession{s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

func (s *refusingSMTP) offered(pw string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.passwords {
		if p == pw {
			return true
		}
	}
	return false
}

type refusingSession struct{ srv *refusingSMTP }

func (s *refusingSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *refusingSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, _, pass string) error {
		s.srv.mu.Lock()
		s.srv.passwords = append(s.srv.passwords, pass)
		s.srv.mu.Unlock()
		return smtp.ErrAuthFailed
	}), nil
}

func (s *refusingSession) Mail(string, *smtp.MailOptions) error { return smtp.ErrAuthRequired }
func (s *refusingSession) Rcpt(string, *smtp.RcptOptions) error { return smtp.ErrAuthRequired }
func (s *refusingSession) Data(io.Reader) error                 { return smtp.ErrAuthRequired }
func (s *refusingSession) Reset()                               {}
func (s *refusingSession) Logout() error                        { return nil }

// wrongPasswordIMAP is go-imap's in-memory server whose one user has another password
// than the one triage is given.
func wrongPasswordIMAP(t *testing.T) string {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(mailAddress, "the-right-password")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// runCapture runs a command in-process with the environment as the test set it.
func runCapture(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, now: func() time.Time { return testNow }}
	err = runWith(ctx, env, args)
	return out.String(), errb.String(), err
}

// startServeCapture runs `triage serve` in-process with args (after serve --listen) and
// returns its address and a stop function; stdout and stderr are captured whole.
func startServeCapture(t *testing.T, args ...string) (addr string, stop func() error, stdout, stderr *syncbuf.Buffer) {
	t.Helper()
	stdout, stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
	env := &cliEnv{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runWith(ctx, env, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)) }()
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return errors.New("serve did not stop")
		}
	}
	deadline := time.After(10 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stop, stdout, stderr
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve stopped before listening: %v\nstdout %s\nstderr %s", err, stdout, stderr)
		case <-deadline:
			cancel()
			t.Fatal("serve did not say where it listens")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestSecretsNeverLeak is a full run with known secrets against local servers that
// refuse them: sync (from the command, and as the UI runs it with the log file), serve
// with bad signatures, a reply and an escalation queued on every channel. No secret, in
// any encoding it travels in, may be in the database, the log, the output or an error.
// secretsConv is a conversation the secrets tests answer: its channel, account, key.
type secretsConv struct{ channel, account, key string }

// secretsInbox opens the inbox as the UI does, on the tests' clock.
func secretsInbox(t *testing.T, ctx context.Context, db, config string) (*inbox.Service, func()) {
	t.Helper()
	env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, dbPath: db, configPath: config,
		now: func() time.Time { return testNow }}
	svc, closeDB, err := env.openInbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return svc, closeDB
}

// uiEngine is the sync engine as the UI runs it: the configured accounts and escalation
// destination, logging to the log file (closed by the func it returns).
func uiEngine(t *testing.T, ctx context.Context, svc *inbox.Service) (*engine.Engine, func()) {
	t.Helper()
	logger, closeLog, err := openLog()
	if err != nil {
		t.Fatal(err)
	}
	accts, err := configuredAccounts(ctx, svc.Config())
	if err != nil {
		t.Fatal(err)
	}
	dest, err := escalate.New(ctx, svc.Config().Escalation)
	if err != nil {
		t.Fatal(err)
	}
	return engine.New(svc, accts, engine.Options{Log: logger, Destination: dest}), closeLog
}

// queueEverywhere replies on every conversation and escalates the Mastodon one, as a
// person would in the UI, so that the next sync carries every secret to its server.
func queueEverywhere(t *testing.T, ctx context.Context, db, config, round string, convs []secretsConv) {
	t.Helper()
	svc, closeDB := secretsInbox(t, ctx, db, config)
	defer closeDB()
	for _, c := range convs {
		id, err := svc.ConversationID(ctx, c.channel, c.account, c.key)
		if err != nil || id == 0 {
			t.Fatalf("conversation %v: %d, %v", c, id, err)
		}
		if _, err := svc.Reply(ctx, id, "Sorry about that, "+round+"."); err != nil {
			t.Fatalf("reply on %s: %v", c.channel, err)
		}
		if c.channel == "mastodon" {
			if err := svc.Escalate(ctx, inbox.EscalateRequest{Reason: "billing", Priority: inbox.PriorityUrgent.To(), Note: round}, id); err != nil {
				t.Fatalf("escalate: %v", err)
			}
		}
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	ctx := context.Background()
	for env, v := range map[string]string{"TRIAGE_SECRET_MASTODON": secretMastodon, "TRIAGE_SECRET_BLUESKY": secretBluesky,
		"TRIAGE_SECRET_MAIL": secretMail, "TRIAGE_SECRET_RELAY": secretRelay, "TRIAGE_SECRET_SERVE": secretServe,
		"TRIAGE_SECRET_ZENDESK": secretZendesk} {
		t.Setenv(env, v)
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("TRIAGE_DB", "")
	t.Setenv("TRIAGE_CONFIG", "")

	masto := newRecorder(t, `{"error":"The access token is invalid: ECHO-AUTH"}`)
	bsky := newRecorder(t, `{"error":"AuthenticationRequired","message":"Invalid identifier or password in ECHO-BODY"}`)
	zd := newRecorder(t, `{"error":"Couldn't authenticate you (ECHO-AUTH)"}`)
	relay := newRecorder(t, `{"error":"bad signature for ECHO-BODY"}`)
	smtpSrv := &refusingSMTP{}
	smtpAddr := smtpSrv.start(t)
	imapAddr := wrongPasswordIMAP(t)
	closed := closedPort(t)

	config := writeFile(t, "config.toml", fmt.Sprintf(`agent = "maria"

[outbox]
send_delay = "0s"

[serve]
secret_env = "TRIAGE_SECRET_SERVE"

[escalation]
destination = "zendesk"
url = %q
email = %q
token_env = "TRIAGE_SECRET_ZENDESK"

[[account]]
name = "acme-mastodon"
channel = "mastodon"
server = %q
handle = "@acme"
token_env = "TRIAGE_SECRET_MASTODON"

[[account]]
name = "acme-bluesky"
channel = "bluesky"
service = %q
handle = "acme.bsky.test"
password_env = "TRIAGE_SECRET_BLUESKY"

[[account]]
name = "support"
channel = "email"
address = %q
imap = %q
smtp = %q
security = "none"
password_env = "TRIAGE_SECRET_MAIL"

[[account]]
name = "support-offline"
channel = "email"
address = "offline@acme.test"
imap = %q
smtp = %q
security = "none"
password_env = "TRIAGE_SECRET_MAIL"

[[account]]
name = "relay"
channel = "webhook"
url = %q
handle = "shop-form"
secret_env = "TRIAGE_SECRET_RELAY"
`, zd.srv.URL, zendeskAgent, masto.srv.URL, bsky.srv.URL, mailAddress, imapAddr, smtpAddr, closed, closed, relay.srv.URL+"/replies"))
	db := filepath.Join(t.TempDir(), "triage.db")

	var printed []string // everything printed, and every error
	record := func(stdout, stderr string, err error) {
		printed = append(printed, stdout, stderr)
		if err != nil {
			printed = append(printed, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		}
	}

	messages := `{"channel":"mastodon","account":"@acme","id":"m1","conversation":"c-masto","kind":"mention","author":{"id":"9","handle":"@ana@example.test"},"text":"charged twice","created_at":"2026-11-20T10:00:00Z"}
{"channel":"bluesky","account":"acme.bsky.test","id":"at://did:plc:ana/app.bsky.feed.post/3k1","conversation":"c-bsky","kind":"mention","author":{"id":"did:plc:ana","handle":"ana.bsky.test"},"text":"where is it?","created_at":"2026-11-20T10:01:00Z"}
{"channel":"email","account":"support@acme.test","id":"<m1@example.test>","conversation":"c-mail","kind":"email","author":{"id":"ana@example.test","handle":"ana@example.test"},"text":"hello","created_at":"2026-11-20T10:02:00Z"}
{"channel":"email","account":"offline@acme.test","id":"<m2@example.test>","conversation":"c-offline","kind":"email","author":{"id":"ana@example.test","handle":"ana@example.test"},"text":"hello again","created_at":"2026-11-20T10:03:00Z"}
{"channel":"webhook","account":"shop-form","id":"w1","conversation":"c-relay","kind":"dm","author":{"id":"ana@example.test"},"text":"form message","created_at":"2026-11-20T10:04:00Z"}
`
	out, errOut, err := runCapture(ctx, "import", "--db", db, "--config", config, writeFile(t, "in.jsonl", messages))
	record(out, errOut, err)
	if err != nil || !strings.Contains(out, "5 new") {
		t.Fatalf("import = %q %q, %v", out, errOut, err)
	}

	// queue replies on every channel and an escalation, as a person would in the UI.
	convs := []secretsConv{{"mastodon", "@acme", "c-masto"}, {"bluesky", "acme.bsky.test", "c-bsky"},
		{"email", mailAddress, "c-mail"}, {"email", "offline@acme.test", "c-offline"}, {"webhook", "shop-form", "c-relay"}}
	queue := func(round string) { t.Helper(); queueEverywhere(t, ctx, db, config, round, convs) }

	// Round 1: `triage sync --once`, which prints states and logs to stderr.
	queue("round one")
	out, errOut, err = runCapture(ctx, "sync", "--once", "--db", db, "--config", config)
	record(out, errOut, err)
	if err == nil {
		t.Errorf("sync --once against refusing servers succeeded:\n%s", out)
	}
	// Customer service receives escalations; it has no "new" of its own.
	if !strings.Contains(out, "customer service") || regexp.MustCompile(`customer service.*new`).MatchString(out) {
		t.Errorf("sync --once on the escalation destination:\n%s", out)
	}

	// Round 2: the engine as the UI runs it, logging to the log file.
	queue("round two")
	{
		svc, closeDB := secretsInbox(t, ctx, db, config)
		eng, closeLog := uiEngine(t, ctx, svc)
		record("", "", eng.Once(ctx))
		for _, s := range eng.States() {
			printed = append(printed, s.Err)
		}
		closeLog()
		closeDB()
	}

	// serve: a request signed with another key, and one not signed at all.
	addr, stop, sout, serr := startServeCapture(t, "--db", db, "--config", config)
	body := []byte(`[{"channel":"webhook","account":"shop-form","id":"w2","kind":"dm","author":{"id":"x"},"text":"hi","created_at":"2026-11-20T10:00:00Z"}]`)
	for _, sig := range []string{webhook.Signature([]byte("not-the-secret"), "", body), ""} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/messages", bytes.NewReader(body))
		if sig != "" {
			req.Header.Set(webhook.SignatureHeader, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		printed = append(printed, string(answer), fmt.Sprint(resp.Header))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST signed %q = %d %s, want 401", sig, resp.StatusCode, answer)
		}
	}
	// A good signature with the timestamp header: the secret works, so it was read.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/messages", bytes.NewReader(body))
	req.Header.Set(webhook.TimestampHeader, ts)
	req.Header.Set(webhook.SignatureHeader, webhook.Signature([]byte(secretServe), ts, body))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Errorf("POST with the right signature = %v, %v; want 202", resp, err)
	} else {
		resp.Body.Close()
	}
	err = stop()
	record(sout.String(), serr.String(), err)

	// The secrets were used: else finding none of them would prove nothing.
	checks := []struct {
		what string
		ok   bool
	}{
		{"mastodon token sent", masto.saw("Bearer " + secretMastodon)},
		{"bluesky password sent", bsky.saw(secretBluesky)},
		{"zendesk token sent", zd.saw("Basic " + base64.StdEncoding.EncodeToString([]byte(zendeskAgent+"/token:"+secretZendesk)))},
		{"relay reply signed", relay.count() > 0 && relay.saw("sha256=")},
		{"mail password offered to SMTP", smtpSrv.offered(secretMail)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: no: the run did not exercise that secret", c.what)
		}
	}

	files := map[string][]byte{}
	for _, p := range []string{db, db + "-wal", db + "-shm", db + "-journal", filepath.Join(state, "triage", "triage.log")} {
		if b, err := os.ReadFile(p); err == nil {
			files[p] = b
		}
	}
	if len(files[filepath.Join(state, "triage", "triage.log")]) == 0 {
		t.Error("the log file is empty: the UI's engine logged nothing")
	}
	joined := strings.Join(printed, "\n")
	for _, want := range []string{"401", "acme-mastodon", "support-offline"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the output names no %q: the run did not fail as planned:\n%s", want, joined)
		}
	}
	for name, needle := range secretNeedles() {
		for p, b := range files {
			if bytes.Contains(b, []byte(needle)) {
				t.Errorf("%s found in %s", name, p)
			}
		}
		if strings.Contains(joined, needle) {
			t.Errorf("%s found in output or errors:\n%s", name, joined)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("output and errors of the run:\n%s", joined)
		t.Logf("log file:\n%s", files[filepath.Join(state, "triage", "triage.log")])
	}
}
