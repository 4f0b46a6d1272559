package crashtest

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/bench/serveload"
)

const loadSecret = "load-webhook-secret"

// serveFor starts the real `triage serve` over a fresh database with the default
// [serve] settings (no rate limit for signed requests) and returns its URL.
func serveFor(t *testing.T) (p *proc, url, db string, env []string) {
	t.Helper()
	if binPath == "" {
		t.Skip("needs the built binary (not with -short)")
	}
	dir := t.TempDir()
	env = childEnv(dir, "LOAD_WEBHOOK_SECRET="+loadSecret)
	config := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(config, []byte("[serve]\nsecret_env = \"LOAD_WEBHOOK_SECRET\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "triage.db")
	p, addr := startServe(t, env, db, config)
	return p, addr, db, env // addr is "http://127.0.0.1:port"
}

// exportedIDs are the ids of the messages `triage export` writes, in order of the file.
func exportedIDs(t *testing.T, env []string, db, prefix string) []string {
	t.Helper()
	out := runTriage(t, env, "export", "--db", db)
	var ids []string
	for _, line := range strings.Split(out, "\n") {
		_, rest, ok := strings.Cut(line, `"id":"`+prefix)
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(rest, `"`)
		ids = append(ids, prefix+id)
	}
	return ids
}

// sameIDs fails t unless got holds each of want exactly once and nothing else.
func sameIDs(t *testing.T, got, want []string) {
	t.Helper()
	slices.Sort(got)
	slices.Sort(want)
	if d := len(got) - len(slices.Compact(slices.Clone(got))); d != 0 {
		t.Errorf("export holds %d doubled ids", d)
	}
	if !slices.Equal(slices.Compact(got), want) {
		t.Errorf("export holds %d ids, want the %d that were answered 202", len(got), len(want))
	}
}

// Fifty connections of signed single messages, then of arrays of 100: every POST is
// answered 202 (no "database is locked" from serve's own load), and export holds every
// accepted id exactly once.
func TestServeLoadLosesNothing(t *testing.T) {
	p, url, db, env := serveFor(t)
	defer p.kill()
	var want []string
	for _, run := range []struct {
		prefix          string
		batch, messages int
	}{{"single", 1, 3000}, {"array", 100, 20000}} {
		res, err := serveload.Run(context.Background(), serveload.Config{URL: url, Secret: []byte(loadSecret),
			Conns: 50, Batch: run.batch, Messages: run.messages, Duration: 2 * time.Minute, Prefix: run.prefix})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Accepted) != run.messages || len(res.Errors) > 0 {
			t.Errorf("%s: %d of %d accepted; statuses %v; errors %q", run.prefix, len(res.Accepted), run.messages, res.Status, res.Errors)
		}
		want = append(want, res.Accepted...)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(time.Minute); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, p.out.String())
	}
	sameIDs(t, append(exportedIDs(t, env, db, "single-"), exportedIDs(t, env, db, "array-")...), want)
}

func postSigned(url string, body string) (*http.Response, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/messages", strings.NewReader(body))
	req.Header.Set(webhook.TimestampHeader, ts)
	req.Header.Set(webhook.SignatureHeader, webhook.Signature([]byte(loadSecret), ts, []byte(body)))
	return (&http.Client{Timeout: time.Minute}).Do(req)
}

// Another process holds the write lock: serve answers 503 with Retry-After rather than
// hanging, stores nothing of it, and stores again once the lock is let go.
func TestServeAnswers503WhileAnotherProcessHoldsTheLock(t *testing.T) {
	p, url, db, env := serveFor(t)
	defer p.kill()
	holder := checkDB(t, db)
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	resp, err := postSigned(url, serveload.Message("busy", 1))
	if err != nil {
		t.Fatalf("POST while the lock is held: %v (want an answer, not a hang)", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("POST while the lock is held: %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	conn.ExecContext(context.Background(), "ROLLBACK")
	conn.Close()
	holder.Close()
	resp, err = postSigned(url, serveload.Message("busy", 2))
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST after the lock is let go: %v %v, want 202", resp, err)
	}
	resp.Body.Close()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(time.Minute); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	sameIDs(t, exportedIDs(t, env, db, "busy-"), []string{"busy-2"})
}

// SIGTERM while posts are in flight: serve stops accepting, commits what it accepted,
// says "stopped" and exits 0; every id answered 202 is in export.
func TestServeSIGTERMIsGraceful(t *testing.T) {
	p, url, db, env := serveFor(t)
	defer p.kill()
	var mu sync.Mutex
	var accepted []string
	var errs []string
	var wg sync.WaitGroup
	stop := time.Now().Add(30 * time.Second) // bounded whatever happens
	for c := range 8 {
		wg.Go(func() {
			for i := 0; time.Now().Before(stop); i++ {
				id := "term-" + strconv.Itoa(c*100000+i)
				resp, err := postSigned(url, serveload.Message("term", c*100000+i))
				if err != nil {
					return // refused once serve stopped listening
				}
				resp.Body.Close()
				mu.Lock()
				if resp.StatusCode == http.StatusAccepted {
					accepted = append(accepted, id)
				} else {
					errs = append(errs, strconv.Itoa(resp.StatusCode))
				}
				mu.Unlock()
			}
		})
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(accepted)
		mu.Unlock()
		if n >= 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d posts accepted in 20 s before SIGTERM", n)
		}
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(time.Minute); err != nil {
		t.Fatalf("serve after SIGTERM: %v (want exit 0)\n%s", err, p.out.String())
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("answers other than 202 before stopping: %v", errs)
	}
	if !bytes.Contains([]byte(p.out.String()), []byte("stopped")) {
		t.Errorf("serve did not say it stopped:\n%s", p.out.String())
	}
	sameIDs(t, exportedIDs(t, env, db, "term-"), accepted)
}
