// Command serveload posts signed messages to `triage serve` on 127.0.0.1 and prints
// messages a second, p50/p99 and statuses; see BENCHMARKS.md. The secret comes from the
// environment variable named by -secret-env.
//
//	go run ./bench/serveload/cmd -url http://127.0.0.1:8787 -conns 50 -messages 200000 -duration 20s
//	go run ./bench/serveload/cmd ... -slow 300 -slow-rate 10240   # with slow 1 MiB uploads
//
// With -triage it starts that binary's `triage serve` itself, on a fresh SQLite file or on
// the database -db (or SERVELOAD_DB) names, a postgres:// URL of a fresh database too,
// stops it after the load and counts in `triage export` what was stored:
//
//	go run ./bench/serveload/cmd -triage /tmp/triage -db postgres://triage@127.0.0.1:5433/load1 -duration 15s
package main

import (
	"context"
	"flag"
	"fmt"
	neturl "net/url"
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
	bin := flag.String("triage", "", "start this triage binary's serve on 127.0.0.1 (then -url and -secret-env are not used)")
	db := flag.String("db", os.Getenv("SERVELOAD_DB"), "with -triage: serve's --db, a file or a postgres:// URL (default: a fresh SQLite file)")
	profile := flag.String("cpuprofile", "", "with -triage: have serve write a CPU profile of the run to this `file`")
	flag.Parse()
	ctx := context.Background()
	secret := []byte(os.Getenv(*secretEnv))
	var srv *serveload.Serve
	if *bin != "" {
		secret = []byte(*prefix + "-secret")
		var err error
		if srv, err = serveload.StartServe(ctx, *bin, *db, *profile, secret); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer srv.Remove()
		*url = srv.URL
	}
	res, err := serveload.Run(ctx, serveload.Config{
		URL: *url, Secret: secret, Conns: *conns, Batch: *batch, Authors: *authors,
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
	if srv != nil {
		stored(ctx, srv, *prefix, res.Accepted)
	}
	if *ids != "" {
		if err := os.WriteFile(*ids, []byte(strings.Join(res.Accepted, "\n")+"\n"), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// stored stops serve and says how many messages its database holds, and whether every
// id answered 202 is there exactly once.
func stored(ctx context.Context, srv *serveload.Serve, prefix string, accepted []string) {
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	ids, err := srv.Stored(ctx, prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	missing, doubled := 0, 0
	for _, id := range accepted {
		if ids[id] == 0 {
			missing++
		}
	}
	for _, n := range ids {
		if n > 1 {
			doubled++
		}
	}
	fmt.Printf("stored=%d missing_of_accepted=%d doubled=%d db=%s\n", len(ids), missing, doubled, redact(srv.DB))
}

// redact hides a password in a postgres:// URL.
func redact(db string) string {
	if u, err := neturl.Parse(db); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = neturl.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return db
}
