// Package engine is triage's one sync engine: it polls every configured account through
// its adapter, stores what arrives with the cursor that covers it in one transaction, and
// sends the outbox — with backoff, Retry-After, and never the same reply twice. Adapters
// know their wire formats; cursors, retries and the outbox live here, once.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/escalate"
	"github.com/triage-inbox/triage/inbox"
)

// Account is one configured account with its adapter.
type Account struct {
	Name    string
	Channel string
	Handle  string // our account on the channel, as messages name it; keys the cursor
	Poll    time.Duration
	Adapter adapters.Adapter
}

// CustomerService is the name the escalation destination goes by among the accounts'
// states: it receives, it fetches nothing.
const CustomerService = "customer service"

// Engine runs the accounts, and delivers escalations to customer service when a
// destination is configured.
type Engine struct {
	svc       *inbox.Service
	accounts  []*account
	dest      escalate.Destination
	destState inbox.SyncState // shown after the accounts' states when dest is set
	log       *slog.Logger
	notify    func([]inbox.SyncState)
	mu        sync.Mutex
	// checked holds replies a Checker has just found not posted (recovery after a crash),
	// so their next attempt does not ask again.
	checked map[int64]bool
}

type account struct {
	Account
	failures int
	state    inbox.SyncState
}

// Options tune an Engine.
type Options struct {
	Log    *slog.Logger
	Notify func([]inbox.SyncState) // called with every account's state after each change
	// Destination receives escalations for customer service; nil leaves their deliveries
	// waiting in the outbox.
	Destination escalate.Destination
}

// maxBatches bounds how many pages one poll of an account fetches in a row.
const maxBatches = 50

// New builds an engine over the inbox for the accounts.
func New(svc *inbox.Service, accts []Account, opts Options) *Engine {
	e := &Engine{svc: svc, log: opts.Log, notify: opts.Notify, dest: opts.Destination}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.dest != nil {
		e.destState = inbox.SyncState{Account: CustomerService, Channel: destinationName(e.dest), Status: "ok"}
	}
	for _, a := range accts {
		if a.Poll <= 0 {
			a.Poll = time.Minute
		}
		e.accounts = append(e.accounts, &account{Account: a, state: inbox.SyncState{Account: a.Name, Channel: a.Channel, Status: "ok"}})
	}
	return e
}

// States is every account's state, then the escalation destination's when there is one.
func (e *Engine) States() []inbox.SyncState {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]inbox.SyncState, len(e.accounts), len(e.accounts)+1)
	for i, a := range e.accounts {
		out[i] = a.state
	}
	if e.dest != nil {
		out = append(out, e.destState)
	}
	return out
}

func (e *Engine) setState(a *account, f func(*inbox.SyncState)) {
	e.mu.Lock()
	f(&a.state)
	e.mu.Unlock()
	if e.notify != nil {
		e.notify(e.States())
	}
}

// Once fetches every account and sends every due reply and escalation, then returns. The
// error joins the failures of all accounts; one failing account never stops the others.
func (e *Engine) Once(ctx context.Context) error {
	if err := e.recover(ctx); err != nil {
		return err
	}
	var errs []error
	for _, a := range e.accounts {
		if err := e.poll(ctx, a); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", a.Name, err))
		}
	}
	if err := e.sendDue(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := e.deliverDue(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SendOutbox sends the due replies and escalations once, without fetching: what is left
// to do when the person quits.
func (e *Engine) SendOutbox(ctx context.Context) error {
	return errors.Join(e.sendDue(ctx), e.deliverDue(ctx))
}

// Run polls each account at its interval (with jitter, and backing off after errors) and
// sends the outbox — replies and escalations — every few seconds, until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.recover(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	for _, a := range e.accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.loop(ctx, a)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if err := e.sendDue(ctx); err != nil && ctx.Err() == nil {
				e.log.Error("send outbox", "err", err)
			}
			if err := e.deliverDue(ctx); err != nil && ctx.Err() == nil {
				e.log.Error("deliver escalations", "err", err)
			}
			if !sleep(ctx, 3*time.Second) {
				return
			}
		}
	}()
	wg.Wait()
	return nil
}

func (e *Engine) loop(ctx context.Context, a *account) {
	for {
		wait := jitter(a.Poll)
		if err := e.poll(ctx, a); err != nil {
			if ctx.Err() != nil {
				return
			}
			wait = e.backoff(a, err)
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// backoff is how long to wait after an error: exponential from 5 s to 15 min with jitter,
// and never less than what the channel asked for.
func (e *Engine) backoff(a *account, err error) time.Duration {
	d := min(5*time.Second<<min(a.failures-1, 10), 15*time.Minute)
	d = jitter(d)
	var ae *adapters.Error
	if errors.As(err, &ae) && ae.RetryAfter > d {
		d = ae.RetryAfter
	}
	next := time.Now().Add(d)
	e.setState(a, func(s *inbox.SyncState) { s.Status, s.NextTry = "backing off", next })
	return d
}

// jitter spreads d by ±20% so accounts and processes do not poll in lockstep.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// poll fetches an account until it has nothing more (bounded), storing each batch with
// its cursor in one transaction: a crash re-fetches at most one batch, and idempotent
// ingest makes that harmless.
func (e *Engine) poll(ctx context.Context, a *account) error {
	e.setState(a, func(s *inbox.SyncState) { s.Status = "fetching" })
	total := 0
	for range maxBatches {
		cursor, err := e.svc.Cursor(ctx, a.Channel, a.Handle)
		if err != nil {
			return e.fail(a, err)
		}
		b, err := a.Adapter.Fetch(ctx, cursor)
		if err != nil {
			return e.fail(a, err)
		}
		counts, err := e.svc.Ingest(ctx, false, func(batch *inbox.Batch) error {
			for _, m := range b.Messages {
				if m.Account == "" {
					m.Account = a.Handle
				}
				if _, err := batch.Add(m); err != nil {
					return fmt.Errorf("message %s: %w", m.ID, err)
				}
			}
			if b.Cursor != "" && b.Cursor != cursor {
				return batch.SetCursor(a.Channel, a.Handle, b.Cursor)
			}
			return nil
		})
		if err != nil {
			return e.fail(a, err)
		}
		total += counts.New
		if !b.More {
			break
		}
	}
	a.failures = 0
	now := e.svc.Now()
	e.setState(a, func(s *inbox.SyncState) { s.Status, s.LastFetch, s.Err, s.New = "ok", now, "", total })
	if total > 0 {
		e.log.Info("fetched", "account", a.Name, "new", total)
	}
	return nil
}

func (e *Engine) fail(a *account, err error) error {
	err = adapters.RedactError(err) // what is logged, shown and returned holds no secret
	a.failures++
	e.log.Error("fetch", "account", a.Name, "err", err)
	e.setState(a, func(s *inbox.SyncState) { s.Status, s.Err = "error", err.Error() })
	return err
}
