package crashtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

const (
	serveMessages = 600
	serveBatch    = 20 // messages per POST
	serveWorkers  = 2  // clients posting at once
	serveSecret   = "crash-webhook-secret"
)

const serveConfig = `[serve]
secret_env = "CRASH_WEBHOOK_SECRET"
rate       = 100000
burst      = 100000
`

// batch is one POST: its body and the messages in it.
type batch struct {
	body []byte
	ids  []string // channel + " " + id
}

func serveBatches(t *testing.T, seed uint64) []batch {
	t.Helper()
	var msgs []inbox.Message
	synth.Messages(serveMessages, seed, synthEnd, func(m inbox.Message) { msgs = append(msgs, m) })
	var out []batch
	for i := 0; i < len(msgs); i += serveBatch {
		part := msgs[i:min(i+serveBatch, len(msgs))]
		body, err := json.Marshal(part)
		if err != nil {
			t.Fatal(err)
		}
		b := batch{body: body}
		for _, m := range part {
			b.ids = append(b.ids, m.Channel+" "+m.ID)
		}
		out = append(out, b)
	}
	return out
}

// startServe starts `triage serve` on a free port and returns it with its base URL.
func startServe(t *testing.T, env []string, db, config string) (*proc, string) {
	t.Helper()
	p := start(t, env, "serve", "--listen", "127.0.0.1:0", "--db", db, "--config", config)
	select {
	case line, ok := <-p.first:
		addr, found := strings.CutPrefix(line, "listening on ")
		addr, _, _ = strings.Cut(addr, " ")
		if !ok || !found {
			p.kill()
			t.Fatalf("triage serve did not start: %q\n%s", line, p.out.String())
		}
		return p, addr
	case <-time.After(time.Minute):
		p.kill()
		t.Fatalf("triage serve did not start in a minute\n%s", p.out.String())
	}
	return nil, ""
}

// post sends one signed batch and reports whether it got 202.
func post(client *http.Client, base string, b batch) bool {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, base+"/v1/messages", bytes.NewReader(b.body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.TimestampHeader, ts)
	req.Header.Set(webhook.SignatureHeader, webhook.Signature([]byte(serveSecret), ts, b.body))
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusAccepted
}

// postAll sends the batches numbered in send with serveWorkers clients, and returns
// which of all batches got 202.
func postAll(base string, batches []batch, send []int) []bool {
	got := make([]bool, len(batches))
	client := &http.Client{Timeout: 30 * time.Second}
	next := make(chan int)
	var wg sync.WaitGroup
	for range serveWorkers {
		wg.Go(func() {
			for i := range next {
				got[i] = post(client, base, batches[i])
			}
		})
	}
	for _, i := range send {
		next <- i
	}
	close(next)
	wg.Wait()
	client.CloseIdleConnections()
	return got
}

// TestCrashServe kills `triage serve` at random moments while clients post signed
// batches, then checks that every batch answered 202 is stored, restarts serve, resends
// the rest (at least once), and checks every message is stored exactly once.
func TestCrashServe(t *testing.T) {
	s := crashSettings(t)
	began := time.Now()
	dir := t.TempDir()
	env := childEnv(dir, "CRASH_WEBHOOK_SECRET="+serveSecret)
	config := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(config, []byte(serveConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	batches := serveBatches(t, s.seed)
	all := make([]int, len(batches))
	for i := range all {
		all[i] = i
	}
	f := figures{name: "serve", messages: serveMessages}

	// Measure from start to the last 202, uninterrupted.
	db := filepath.Join(dir, "measure.db")
	t0 := time.Now()
	p, base := startServe(t, env, db, config)
	for i, ok := range postAll(base, batches, all) {
		if !ok {
			t.Fatalf("uninterrupted serve: batch %d not accepted\n%s", i, p.out.String())
		}
	}
	f.measured = time.Since(t0)
	stopServe(t, p)
	checkServe(t, "uninterrupted", db, batches, nil, true)
	removeDB(db)

	r := s.rng(0x7365727665)
	span := f.measured * 12 / 10
	acceptedBefore := 0
	for run := range s.runs {
		db := filepath.Join(dir, "run.db")
		d := delay(r, span)
		f.maxDelay = max(f.maxDelay, d)
		t0 := time.Now()
		p, base := startServe(t, env, db, config)
		killed := make(chan bool)
		go func() {
			time.Sleep(d - time.Since(t0))
			killed <- p.kill()
		}()
		got := postAll(base, batches, all)
		if <-killed {
			f.kills++
		} else {
			f.survived++
		}
		for _, ok := range got {
			if ok {
				acceptedBefore++
			}
		}
		label := fmt.Sprintf("run %d, killed after %s", run, d)
		checkServe(t, label, db, batches, got, false)

		var resend []int
		for i, ok := range got {
			if !ok {
				resend = append(resend, i)
			}
		}
		p, base = startServe(t, env, db, config)
		again := postAll(base, batches, resend)
		for _, i := range resend {
			if !again[i] {
				t.Fatalf("%s: resent batch %d not accepted\n%s", label, i, p.out.String())
			}
		}
		stopServe(t, p)
		checkServe(t, label+", after resending", db, batches, nil, true)
		removeDB(db)
		f.runs++
	}
	f.total = time.Since(began)
	f.log(t)
	t.Logf("crash serve: %d of %d batches got 202 before the kill; the rest were resent", acceptedBefore, s.runs*len(batches))
}

// stopServe stops serve with ctrl+c and expects a clean exit.
func stopServe(t *testing.T, p *proc) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGINT)
	if err := p.wait(30 * time.Second); err != nil {
		t.Fatalf("triage serve after ctrl+c: %v\n%s", err, p.out.String())
	}
}

// checkServe checks integrity and duplicates, that every accepted batch is stored, and,
// with complete, that every message is.
func checkServe(t *testing.T, label, db string, batches []batch, accepted []bool, complete bool) {
	t.Helper()
	st := readState(t, db)
	if st.problem != "" || len(st.dups) > 0 {
		t.Fatalf("%s: integrity %q, duplicates %v", label, st.problem, st.dups)
	}
	for i, b := range batches {
		if !complete && !accepted[i] {
			continue
		}
		for _, id := range b.ids {
			if !st.ids[id] {
				t.Fatalf("%s: batch %d got 202 but message %s is not stored", label, i, id)
			}
		}
	}
	if complete && st.count != serveMessages {
		t.Fatalf("%s: %d messages stored, want %d", label, st.count, serveMessages)
	}
}
