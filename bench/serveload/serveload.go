// Package serveload drives `triage serve` on 127.0.0.1: signed posts over many
// connections, and slow large uploads with bad signatures, bounded in count and time.
// The crash tests use it to assert behaviour (nothing lost or doubled, no errors); its
// command (bench/serveload/cmd) prints the figures for BENCHMARKS.md.
package serveload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
)

// Config is one run.
type Config struct {
	URL      string        // base URL, like http://127.0.0.1:8787; must be loopback
	Secret   []byte        // the shared secret
	Conns    int           // connections posting at once
	Batch    int           // messages per POST (1: single messages)
	Messages int           // messages in all (bounds the run)
	Duration time.Duration // and at most this long
	Prefix   string        // message ids are Prefix-<n>; distinct per run
	// Authors is how many people the DMs come from (default 997): fewer authors mean
	// longer threads, each message joining a conversation with more messages waiting.
	Authors int
	// Slow uploads: this many connections each send a 1 MiB body with a bad signature at
	// SlowRate bytes a second, for the whole run.
	Slow     int
	SlowRate int
}

func (c Config) authors() int {
	if c.Authors > 0 {
		return c.Authors
	}
	return DefaultAuthors
}

// Result is what a run saw.
type Result struct {
	Accepted  []string        // ids of messages whose POST got 202
	Status    map[int]int     // POSTs by status (0: transport error)
	Errors    []string        // the first few non-202 answers
	Latencies []time.Duration // of 202 POSTs
	Elapsed   time.Duration
	SlowDone  int // slow uploads the server answered or cut
}

// Percentile is the p-th percentile (0..100) of the 202 latencies.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.Latencies)
	slices.Sort(l)
	i := int(float64(len(l)-1) * p / 100)
	return l[i]
}

// Rate is accepted messages a second.
func (r Result) Rate() float64 { return float64(len(r.Accepted)) / r.Elapsed.Seconds() }

// DefaultAuthors is how many people the load's DMs come from unless told.
const DefaultAuthors = 997

// Message is the body of message n, from one of DefaultAuthors people.
func Message(prefix string, n int) string { return MessageFrom(prefix, n, DefaultAuthors) }

// loadStart is when the load's first message was written; message n follows it by n ms.
var loadStart = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// MessageFrom is the body of message n, a DM from one of authors people. Each message
// has its own time, a millisecond after the one before, as a real feed's messages do: a
// load whose messages all share one time makes every answer lookup walk the whole thread.
func MessageFrom(prefix string, n, authors int) string {
	at := loadStart.Add(time.Duration(n) * time.Millisecond).Format(time.RFC3339Nano)
	return fmt.Sprintf(`{"channel":"webhook","account":"load","id":"%s-%d","kind":"dm","author":{"id":"user-%d"},"text":"load message %d","created_at":%q}`, prefix, n, n%max(authors, 1), n, at)
}

// Run posts until Messages are sent or Duration has passed.
func Run(ctx context.Context, c Config) (Result, error) {
	if err := loopbackOnly(c.URL); err != nil {
		return Result{}, err
	}
	c.Batch = max(1, c.Batch)
	ctx, cancel := context.WithTimeout(ctx, c.Duration)
	defer cancel()
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConns: c.Conns, MaxIdleConnsPerHost: c.Conns, MaxConnsPerHost: c.Conns}}
	defer client.CloseIdleConnections()

	var slow sync.WaitGroup
	var slowDone atomic.Int64
	for range c.Slow {
		slow.Go(func() {
			if slowUpload(ctx, c.URL, c.SlowRate) {
				slowDone.Add(1)
			}
		})
	}

	var next atomic.Int64
	var mu sync.Mutex
	res := Result{Status: map[int]int{}}
	start := time.Now()
	var wg sync.WaitGroup
	for range c.Conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				first := int(next.Add(int64(c.Batch))) - c.Batch
				if first >= c.Messages {
					return
				}
				n := min(c.Batch, c.Messages-first)
				var body []byte
				ids := make([]string, n)
				if c.Batch == 1 {
					body = []byte(MessageFrom(c.Prefix, first, c.authors()))
				} else {
					parts := make([]string, n)
					for i := range n {
						parts[i] = MessageFrom(c.Prefix, first+i, c.authors())
					}
					body = []byte("[" + strings.Join(parts, ",") + "]")
				}
				for i := range n {
					ids[i] = fmt.Sprintf("%s-%d", c.Prefix, first+i)
				}
				t0 := time.Now()
				status, text := post(ctx, client, c.URL, c.Secret, body)
				d := time.Since(t0)
				if status == 0 && ctx.Err() != nil {
					return // cut off by the run's own end: neither accepted nor an error
				}
				mu.Lock()
				res.Status[status]++
				if status == http.StatusAccepted {
					res.Accepted = append(res.Accepted, ids...)
					res.Latencies = append(res.Latencies, d)
				} else if len(res.Errors) < 10 && ctx.Err() == nil {
					res.Errors = append(res.Errors, fmt.Sprintf("%d %s", status, text))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	cancel()
	slow.Wait()
	res.SlowDone = int(slowDone.Load())
	return res, nil
}

func post(ctx context.Context, client *http.Client, base string, secret, body []byte) (int, string) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.TimestampHeader, ts)
	req.Header.Set(webhook.SignatureHeader, webhook.Signature(secret, ts, body))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	resp.Body.Close()
	return resp.StatusCode, strings.TrimSpace(string(text)) + " Retry-After=" + resp.Header.Get("Retry-After")
}

// slowUpload sends a 1 MiB body with a bad signature at rate bytes a second over its own
// connection, until the server answers or closes, or ctx ends. It reports whether the
// server ended it.
func slowUpload(ctx context.Context, base string, rate int) bool {
	host := strings.TrimPrefix(base, "http://")
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return false
	}
	defer conn.Close()
	go func() { <-ctx.Done(); conn.Close() }()
	const size = 1 << 20
	fmt.Fprintf(conn, "POST /v1/messages HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s: sha256=%s\r\n\r\n",
		host, size, webhook.SignatureHeader, strings.Repeat("ab", 32))
	answered := make(chan struct{})
	go func() {
		buf := make([]byte, 512)
		conn.Read(buf) // any answer or close ends the upload
		close(answered)
	}()
	chunk := bytes.Repeat([]byte("x"), max(1, rate/10))
	for sent := 0; sent < size; sent += len(chunk) {
		select {
		case <-answered:
			return true
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := conn.Write(chunk); err != nil {
			return true
		}
	}
	select {
	case <-answered:
		return true
	case <-ctx.Done():
		return false
	}
}

// loopbackOnly refuses anything but 127.0.0.1 or ::1: load is never sent elsewhere.
func loopbackOnly(base string) error {
	host, _, err := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	if err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("serveload: %q is not an http://127.0.0.1 address; load goes to this machine only", base)
}
