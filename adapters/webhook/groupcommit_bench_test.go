package webhook_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

// BenchmarkGroupCommit is serve's writer without HTTP: 50 senders each hand it single
// messages, as 50 connections of signed posts would, and each waits for the commit that
// holds its message. authors is how many people the DMs come from: 997 piles up long
// threads of waiting messages (as bench/serveload's default does), a new author for each
// message never does. Run with a fixed count, so threads grow the same way every time:
//
//	go test ./adapters/webhook -run '^$' -bench GroupCommit -benchtime 20000x -count 3
func BenchmarkGroupCommit(b *testing.B) {
	for _, authors := range []int{997, 1 << 30} {
		name := fmt.Sprintf("authors=%d", authors)
		if authors == 1<<30 {
			name = "authors=each"
		}
		b.Run(name, func(b *testing.B) {
			svc := newInbox(b)
			g := webhook.NewGroupCommit(svc, webhook.GroupCommitOptions{})
			defer g.Close()
			ctx := context.Background()
			at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range 50 {
				wg.Go(func() {
					for {
						n := int(next.Add(1)) - 1
						if n >= b.N {
							return
						}
						m := inbox.Message{Channel: "webhook", Account: "load", ID: fmt.Sprint("m-", n), Kind: inbox.KindDM,
							Author: &inbox.Author{ID: fmt.Sprint("user-", n%authors)}, Text: fmt.Sprint("load message ", n), CreatedAt: at.Add(time.Duration(n) * time.Millisecond)}
						if _, err := g.IngestMessages(ctx, m); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
