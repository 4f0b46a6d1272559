// Command serveload posts signed messages to `triage serve` on 127.0.0.1 and prints
// messages a second, p50/p99 and statuses; see BENCHMARKS.md. The secret comes from the
// environment variable named by -secret-env.
//
//	go run ./bench/serveload/cmd -url http://127.0.0.1:8787 -conns 50 -messages 200000 -duration 20s
//	go run ./bench/serveload/cmd ... -slow 300 -slow-rate 10240   # with slow 1 MiB uploads
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/triage-inbox/triage/bench/serveload"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8787", "serve's base URL (loopback only)")
	secretEnv := flag.String("secret-env", "TRIAGE_WEBHOOK_SECRET", "environment variable holding the secret")
	conns := flag.Int("conns", 50, "connections posting at once")
	batch := flag.Int("batch", 1, "messages per POST")
	messages := flag.Int("messages", 100000, "messages in all")
	duration := flag.Duration("duration", 20*time.Second, "longest run")
	slow := flag.Int("slow", 0, "slow 1 MiB uploads with bad signatures, alongside")
	slowRate := flag.Int("slow-rate", 10<<10, "bytes a second per slow upload")
	ids := flag.String("ids", "", "write the accepted ids here, one a line")
	authors := flag.Int("authors", serveload.DefaultAuthors, "people the DMs come from (fewer: longer threads)")
	prefix := flag.String("prefix", fmt.Sprintf("load%d", time.Now().Unix()), "message id prefix")
	flag.Parse()
	res, err := serveload.Run(context.Background(), serveload.Config{
		URL: *url, Secret: []byte(os.Getenv(*secretEnv)), Conns: *conns, Batch: *batch, Authors: *authors,
		Messages: *messages, Duration: *duration, Prefix: *prefix, Slow: *slow, SlowRate: *slowRate})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var codes []string
	for code, n := range res.Status {
		codes = append(codes, fmt.Sprintf("%d:%d", code, n))
	}
	sort.Strings(codes)
	fmt.Printf("conns=%d batch=%d accepted=%d elapsed=%.1fs rate=%.0f msg/s p50=%s p99=%s statuses=%s slow=%d slow_ended=%d\n",
		*conns, *batch, len(res.Accepted), res.Elapsed.Seconds(), res.Rate(),
		res.Percentile(50).Round(100*time.Microsecond), res.Percentile(99).Round(100*time.Microsecond),
		strings.Join(codes, ","), *slow, res.SlowDone)
	for _, e := range res.Errors {
		fmt.Println("  error:", e)
	}
	if *ids != "" {
		if err := os.WriteFile(*ids, []byte(strings.Join(res.Accepted, "\n")+"\n"), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
