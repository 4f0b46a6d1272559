package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

// defaultListen is where serve listens unless --listen says otherwise: this machine only.
const defaultListen = "127.0.0.1:8787"

// shutdownGrace is how long requests in flight get to finish after ctrl+c.
const shutdownGrace = 10 * time.Second

// serveSettings is the [serve] table of config.
type serveSettings struct {
	secretEnv string
	opts      webhook.HandlerOptions
	// metaSecretEnv and metaTokenEnv name the variables holding Meta's app secret and
	// verify token; both set, or neither (no /v1/hooks/meta).
	metaSecretEnv, metaTokenEnv string
}

// serveKeys are the keys [serve] may hold.
var serveKeys = []string{"secret_env", "require_timestamp", "max_body", "max_inflight", "rate", "burst",
	"meta_app_secret_env", "meta_verify_token_env"}

// serve is `triage serve [--listen ADDR]`: receive messages by signed webhook (POST
// /v1/messages, the import format; Meta's own at /v1/hooks/meta when configured; and
// Telegram's at /v1/hooks/telegram/<account name> for each telegram account with a
// webhook secret) until ctrl+c or SIGTERM. It only receives; `triage sync` sends. One
// writer commits what concurrent requests bring together (group commit), and each
// request is answered after the commit that holds its messages.
func (e *cliEnv) serve(ctx context.Context, args []string) error {
	// SIGTERM (systemd, docker stop, kill) stops as gracefully as ctrl+c.
	ctx, stopSignals := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stopSignals()
	fs := e.flags("serve")
	listen := fs.String("listen", defaultListen, "`address` to listen on; anything but loopback belongs behind a TLS proxy")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("serve takes no arguments, got %q", rest[0])}
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return &exitError{2, err}
	}
	settings, err := parseServe(cfg.Serve)
	if err != nil {
		return &exitError{2, fmt.Errorf("config %s: %w", e.configLabel(), err)}
	}
	var secret string
	var routes []string
	if settings.secretEnv != "" {
		if secret = os.Getenv(settings.secretEnv); secret == "" {
			return &exitError{2, fmt.Errorf("[serve] secret_env: environment variable %s is not set or empty; set it to the webhook's shared secret", settings.secretEnv)}
		}
		routes = append(routes, "POST /v1/messages")
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	tgHooks, err := telegramWebhooks(ctx, cfg)
	if err != nil {
		return &exitError{2, fmt.Errorf("config %s: %s", e.configLabel(), adapters.Redact(err.Error()))}
	}
	if settings.secretEnv == "" && settings.metaSecretEnv == "" && len(tgHooks) == 0 {
		// Without any, serve would have nothing to receive.
		return &exitError{2, fmt.Errorf("config %s: %w", e.configLabel(), errNothingToServe)}
	}
	if settings.metaSecretEnv != "" {
		hook, err := metaHook(settings, mentionReaders(ctx, cfg, logger))
		if err != nil {
			return &exitError{2, err}
		}
		settings.opts.Hooks = append(settings.opts.Hooks, hook)
		routes = append(routes, "GET and POST "+webhook.HooksPrefix+hook.Name)
	}
	// Telegram's deliveries carry a secret token rather than a signature of the body: the
	// gate in front of the handler turns a matching token into a signature of serve's own
	// (telegramKey), so they share the hooks' path (limits, writer, answers, logs).
	telegramKey := make([]byte, 32)
	rand.Read(telegramKey)
	for _, name := range slices.Sorted(maps.Keys(tgHooks)) {
		settings.opts.Hooks = append(settings.opts.Hooks, telegramHook(name, tgHooks[name], telegramKey))
		routes = append(routes, "POST "+webhook.HooksPrefix+telegramHookPrefix+name)
	}

	svc, closeDB, err := e.openInbox(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	// Providers' updates (edits, removals, failed statuses) are few and touch messages
	// already stored: they are applied by the inbox directly, after the group-commit
	// writer stored the same delivery's messages.
	for i := range settings.opts.Hooks {
		settings.opts.Hooks[i].Apply = svc.ApplyUpdates
	}

	settings.opts.Log = logger
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if host, _, _ := net.SplitHostPort(*listen); !isLoopback(host) {
		logger.Warn("listening beyond this machine over plain HTTP; put serve behind a TLS proxy", "listen", *listen)
	}
	// One writer on SQLite; on PostgreSQL several, each a server process of its own.
	writer := webhook.NewGroupCommit(svc, webhook.GroupCommitOptions{Writers: svc.DB().IngestWriters()})
	defer writer.Close()
	srv := &http.Server{
		Handler:           telegramGate(webhook.Handler(writer, []byte(secret), settings.opts), tgHooks, telegramKey, settings.opts.MaxBody),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(e.stdout, "listening on http://%s (%s, GET /healthz); ctrl+c stops\n", ln.Addr(), strings.Join(routes, ", "))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Requests in flight finish (their context is not ctx), so a message being stored is
	// committed and answered rather than cut off.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	writer.Close() // every request has been answered; the writer has nothing left
	fmt.Fprintln(e.stdout, "stopped")
	return nil
}

// configLabel names the config file in errors.
func (e *cliEnv) configLabel() string {
	if e.configPath != "" {
		return e.configPath
	}
	return inbox.DefaultConfigPath()
}

// errNothingToServe: no [serve] secret_env, no Meta webhook, no Telegram account with a
// webhook secret.
var errNothingToServe = errors.New(`[serve] secret_env is not set: add [serve] secret_env = "TRIAGE_WEBHOOK_SECRET" and export that variable with the shared secret (or meta_app_secret_env for Meta's webhooks alone, or webhook_secret_env on a telegram [[account]] for its webhook)`)

// parseServe reads the [serve] table: secret_env (required unless a provider's webhook is
// configured; without it /v1/messages is not served), require_timestamp,
// max_body (bytes), max_inflight (large bodies read at once), rate (correctly signed
// requests per second per account; no limit when unset) and burst.
func parseServe(t map[string]any) (serveSettings, error) {
	var (
		s   serveSettings
		err error
	)
	for k := range t {
		if !slices.Contains(serveKeys, k) {
			return s, fmt.Errorf("[serve]: unknown key %q (known: %v)", k, serveKeys)
		}
	}
	env, ok := t["secret_env"].(string)
	if _, present := t["secret_env"]; present && !ok {
		return s, errors.New("[serve] secret_env: want the name of an environment variable, as text")
	}
	s.secretEnv = env
	if s.metaSecretEnv, err = envKey(t, "meta_app_secret_env"); err != nil {
		return s, err
	}
	if s.metaTokenEnv, err = envKey(t, "meta_verify_token_env"); err != nil {
		return s, err
	}
	if s.metaSecretEnv != "" && s.metaTokenEnv == "" {
		return s, errors.New(`[serve] meta_app_secret_env is set but meta_verify_token_env is not: add meta_verify_token_env = "META_VERIFY_TOKEN" for Meta's subscription handshake`)
	}
	if s.metaTokenEnv != "" && s.metaSecretEnv == "" {
		return s, errors.New(`[serve] meta_verify_token_env is set but meta_app_secret_env is not: add meta_app_secret_env = "META_APP_SECRET" to check X-Hub-Signature-256`)
	}
	if v, ok := t["require_timestamp"]; ok {
		b, ok := v.(bool)
		if !ok {
			return s, fmt.Errorf("[serve] require_timestamp: want true or false, got %v", v)
		}
		s.opts.RequireTimestamp = b
	}
	if v, ok := t["max_body"]; ok {
		n, ok := v.(int64)
		if !ok || n <= 0 {
			return s, fmt.Errorf("[serve] max_body: want a number of bytes above 0 (like 1048576), got %v", v)
		}
		s.opts.MaxBody = n
	}
	if v, ok := t["max_inflight"]; ok {
		n, ok := v.(int64)
		if !ok || n < 1 {
			return s, fmt.Errorf("[serve] max_inflight: want a whole number of bodies, at least 1 (like 16), got %v", v)
		}
		s.opts.MaxInflight = int(n)
	}
	if v, ok := t["rate"]; ok {
		var r float64
		switch x := v.(type) {
		case int64:
			r = float64(x)
		case float64:
			r = x
		}
		if r <= 0 {
			return s, fmt.Errorf("[serve] rate: want requests per second above 0 (like 20), got %v", v)
		}
		s.opts.Rate = r
	}
	if v, ok := t["burst"]; ok {
		n, ok := v.(int64)
		if !ok || n < 1 {
			return s, fmt.Errorf("[serve] burst: want a whole number of requests, at least 1, got %v", v)
		}
		s.opts.Burst = int(n)
	}
	return s, nil
}

// envKey reads a [serve] key naming an environment variable; "" when it is absent.
func envKey(t map[string]any, key string) (string, error) {
	v, present := t[key]
	if !present {
		return "", nil
	}
	name, ok := v.(string)
	if !ok || name == "" {
		return "", fmt.Errorf("[serve] %s: want the name of an environment variable, as text", key)
	}
	return name, nil
}

// metaHook is Meta's webhook (Instagram, Page and WhatsApp Business deliveries) at
// /v1/hooks/meta, keyed by the app secret and answering the handshake with the verify
// token, both read from the environment.
func metaHook(s serveSettings, mentions map[string]mentionReader) (webhook.Hook, error) {
	secret := os.Getenv(s.metaSecretEnv)
	if secret == "" {
		return webhook.Hook{}, fmt.Errorf("[serve] meta_app_secret_env: environment variable %s is not set or empty; set it to the Meta app's secret", s.metaSecretEnv)
	}
	token := os.Getenv(s.metaTokenEnv)
	if token == "" {
		return webhook.Hook{}, fmt.Errorf("[serve] meta_verify_token_env: environment variable %s is not set or empty; set it to the verify token entered in the app's webhook settings", s.metaTokenEnv)
	}
	return webhook.Hook{
		Name:            "meta",
		Secret:          []byte(secret),
		SignatureHeader: meta.WebhookSignatureHeader,
		Verify:          meta.VerifySubscription(token),
		Decode: func(ctx context.Context, body []byte) (webhook.Delivery, error) {
			d, err := meta.DecodeWebhook(body)
			if err != nil {
				return webhook.Delivery{}, err
			}
			if err := readMentions(ctx, &d, mentions); err != nil {
				return webhook.Delivery{}, err
			}
			return webhook.Delivery{Messages: d.Messages, Updates: d.Updates, Skipped: d.Skipped}, nil
		},
	}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
