package webhook

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// Batcher is what GroupCommit writes through: it prepares messages on the caller's
// goroutine and stores many requests' messages in one transaction. *inbox.Service
// satisfies it.
type Batcher interface {
	Prepare(m inbox.Message) inbox.Prepared
	Ingest(ctx context.Context, dryRun bool, fn func(b *inbox.Batch) error) (inbox.IngestCounts, error)
}

var _ Batcher = (*inbox.Service)(nil)

// ErrBusy means the messages could not be committed in time (the database is held by
// another process, or the writer is behind); nothing of the request was stored.
var ErrBusy = errors.New("the inbox is busy; nothing was stored")

// Defaults of GroupCommitOptions.
const (
	DefaultCommitWait = 5 * time.Second // how long a request waits for its commit to start
	DefaultTxTimeout  = 5 * time.Second // how long one commit may take, waiting for the lock included
	DefaultMaxGroup   = 2000            // messages in one transaction at most
)

// GroupCommitOptions tune NewGroupCommit. The zero value gives the defaults.
type GroupCommitOptions struct {
	CommitWait time.Duration // a request not yet taken by the writer after this gets ErrBusy
	TxTimeout  time.Duration // one transaction's budget, including waiting for the write lock
	MaxGroup   int           // messages per transaction at most
	// Writers is how many transactions run at once (default 1). A request goes to the
	// writer of its first message's conversation, so that one conversation's messages
	// keep to one writer and its order; the store keeps any two off one conversation.
	Writers int
}

// GroupCommit serializes writes: a goroutine owns them, takes whatever requests have
// queued, stores them in one transaction and then answers each. Concurrent requests then
// share one commit (one fsync) instead of fighting over SQLite's single write lock. On
// PostgreSQL a few such writers run side by side, each with its own queue (Writers). A
// request's IngestMessages returns only after the commit that holds its messages, or with
// an error when nothing of it was stored.
type GroupCommit struct {
	b       Batcher
	opts    GroupCommitOptions
	queues  []chan *commitReq // one a writer
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
	running sync.WaitGroup
}

// commitReq is one request's messages waiting for the writer.
type commitReq struct {
	msgs   []inbox.Prepared
	state  atomic.Int32 // reqPending, then reqTaken by the writer or reqAbandoned by the caller
	done   chan struct{}
	counts inbox.IngestCounts
	err    error
}

const (
	reqPending int32 = iota
	reqTaken
	reqAbandoned
)

var _ Ingester = (*GroupCommit)(nil)

// NewGroupCommit starts the writer. Close stops it once no request is left waiting.
func NewGroupCommit(b Batcher, opts GroupCommitOptions) *GroupCommit {
	if opts.CommitWait <= 0 {
		opts.CommitWait = DefaultCommitWait
	}
	if opts.TxTimeout <= 0 {
		opts.TxTimeout = DefaultTxTimeout
	}
	if opts.MaxGroup <= 0 {
		opts.MaxGroup = DefaultMaxGroup
	}
	opts.Writers = max(opts.Writers, 1)
	g := &GroupCommit{b: b, opts: opts, quit: make(chan struct{}), done: make(chan struct{})}
	for range opts.Writers {
		q := make(chan *commitReq, 1024)
		g.queues = append(g.queues, q)
		g.running.Go(func() { g.run(q) })
	}
	go func() {
		g.running.Wait()
		close(g.done)
	}()
	return g
}

// queueOf is the writer queue of a request: by its first message's conversation.
func (g *GroupCommit) queueOf(r *commitReq) chan *commitReq {
	if len(g.queues) == 1 || len(r.msgs) == 0 {
		return g.queues[0]
	}
	h := fnv.New32a()
	h.Write([]byte(r.msgs[0].Route()))
	return g.queues[h.Sum32()%uint32(len(g.queues))]
}

// IngestMessages prepares msgs on the caller's goroutine, hands them to the writer and
// waits for the commit that holds them. All or none of them is stored. When the writer
// has not taken them within CommitWait, it gives up and returns ErrBusy (nothing stored).
func (g *GroupCommit) IngestMessages(ctx context.Context, msgs ...inbox.Message) (inbox.IngestCounts, error) {
	r := &commitReq{msgs: make([]inbox.Prepared, len(msgs)), done: make(chan struct{})}
	for i, m := range msgs {
		r.msgs[i] = g.b.Prepare(m)
		if err := r.msgs[i].Err(); err != nil {
			return inbox.IngestCounts{}, err
		}
	}
	timer := time.NewTimer(g.opts.CommitWait)
	defer timer.Stop()
	select {
	case g.queueOf(r) <- r:
	case <-g.quit:
		return inbox.IngestCounts{}, ErrBusy
	case <-timer.C:
		return inbox.IngestCounts{}, ErrBusy
	case <-ctx.Done():
		return inbox.IngestCounts{}, ctx.Err()
	}
	select {
	case <-r.done:
		return r.counts, r.err
	case <-timer.C:
	case <-ctx.Done():
	}
	if r.state.CompareAndSwap(reqPending, reqAbandoned) {
		return inbox.IngestCounts{}, ErrBusy
	}
	// The writer has it: its transaction is bounded by TxTimeout, so this ends.
	<-r.done
	return r.counts, r.err
}

// Close stops the writer after the requests already queued are answered. Call it once
// no new request can arrive (after http.Server.Shutdown).
func (g *GroupCommit) Close() {
	g.once.Do(func() { close(g.quit) })
	<-g.done
}

func (g *GroupCommit) run(reqs chan *commitReq) {
	for {
		var first *commitReq
		select {
		case first = <-reqs:
		case <-g.quit:
			// Answer whatever is still queued, then stop.
			for {
				select {
				case r := <-reqs:
					g.commit([]*commitReq{r})
				default:
					return
				}
			}
		}
		group, n := []*commitReq{first}, len(first.msgs)
	fill:
		for n < g.opts.MaxGroup {
			select {
			case r := <-reqs:
				group = append(group, r)
				n += len(r.msgs)
			default:
				break fill
			}
		}
		g.commit(group)
	}
}

// commit stores the group's requests in one transaction and answers each. Requests their
// callers gave up on are skipped. When the transaction fails, each request is tried in a
// transaction of its own, so one bad request fails alone.
func (g *GroupCommit) commit(group []*commitReq) {
	live := group[:0]
	for _, r := range group {
		if r.state.CompareAndSwap(reqPending, reqTaken) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	err := g.store(live)
	if err != nil && len(live) > 1 && !errors.Is(err, ErrBusy) {
		for _, r := range live {
			r.err = g.store([]*commitReq{r})
		}
	} else {
		for _, r := range live {
			r.err = err
		}
	}
	for _, r := range live {
		if r.err != nil {
			r.counts = inbox.IngestCounts{}
		}
		close(r.done)
	}
}

// store runs one transaction over reqs, setting each one's counts.
func (g *GroupCommit) store(reqs []*commitReq) error {
	ctx, cancel := context.WithTimeout(context.Background(), g.opts.TxTimeout)
	defer cancel()
	_, err := g.b.Ingest(ctx, false, func(b *inbox.Batch) error {
		var all []inbox.Prepared
		for _, r := range reqs {
			all = append(all, r.msgs...)
		}
		if err := b.Prefetch(all); err != nil {
			return err
		}
		for _, r := range reqs {
			before := b.Counts
			for _, p := range r.msgs {
				if _, err := b.AddPrepared(p); err != nil {
					return err
				}
			}
			r.counts = inbox.IngestCounts{
				New:      b.Counts.New - before.New,
				Present:  b.Counts.Present - before.Present,
				Reopened: b.Counts.Reopened - before.Reopened,
			}
		}
		return nil
	})
	if ctx.Err() != nil && err != nil {
		return errors.Join(ErrBusy, err)
	}
	return err
}
