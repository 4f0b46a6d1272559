// Package adapters holds one subpackage per channel (email, mastodon, bluesky, webhook,
// demo, …) and the contract they all satisfy. An adapter knows its wire format and
// nothing of the queue: it turns what a channel delivers into inbox.Message and sends an
// inbox.Outgoing. Cursors, retries and the outbox live in one sync engine, not here.
package adapters

import (
	"context"
	"errors"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// Capabilities declares what a channel allows, so the UI offers only that.
type Capabilities struct {
	Reply      bool // answer in the conversation
	DM         bool // write privately to the author
	Hide       bool // hide a comment
	Unhide     bool // show a hidden comment again
	Delete     bool // delete a comment
	MarkSpam   bool // report as spam on the channel
	Mute       bool
	Block      bool
	Report     bool
	Idempotent bool // Send honours Outgoing.Key: retrying with the same key never posts twice
}

// Batch is what one Fetch brought: messages, and the cursor that covers them. The engine
// stores the cursor in the same transaction as the messages.
type Batch struct {
	Messages []inbox.Message
	Cursor   string
	More     bool // another Fetch right away would bring more
}

// Adapter is one configured account on one channel.
type Adapter interface {
	// Capabilities says what the channel allows.
	Capabilities() Capabilities
	// Fetch returns what arrived since cursor ("" = from the start the adapter chooses).
	Fetch(ctx context.Context, cursor string) (Batch, error)
	// Send posts a reply and returns the channel's id for it. Errors say whether a retry
	// can succeed (see Temporary and Permanent).
	Send(ctx context.Context, out inbox.Outgoing) (remoteID string, err error)
}

// Checker is implemented by adapters that can tell whether a reply was already posted
// (by its idempotency key or its text), so a crash mid-send never posts twice.
type Checker interface {
	Sent(ctx context.Context, out inbox.Outgoing) (remoteID string, found bool, err error)
}

// Moderator is implemented by adapters whose channel allows moderation.
type Moderator interface {
	// Moderate applies one of "hide", "delete", "spam", "mute", "block", "report" to the
	// channel's message with that id.
	Moderate(ctx context.Context, action, messageID string) error
}

// Constructor builds an adapter for one [[account]] of config.
type Constructor func(ctx context.Context, acct Account) (Adapter, error)

// Error carries what the sync engine needs to know about a failure.
type Error struct {
	Err        error
	Permanent  bool          // retrying cannot help (401, 403, 404, 422, a bad address)
	RetryAfter time.Duration // the channel asked to wait this long (Retry-After, rate-limit headers)
	Status     int           // the HTTP status, when there was one
	// MaybeSent: the request reached the channel, or may have, and no clear answer came
	// back (a connection dropped after the request was written, a 5xx): a post may exist.
	// The engine then asks a Checker before sending again, and where the channel can be
	// neither asked nor given a key, leaves the reply for a person to check.
	MaybeSent bool
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Temporary wraps an error that a later try may get past, after at least retryAfter.
func Temporary(err error, retryAfter time.Duration) error {
	return &Error{Err: err, RetryAfter: retryAfter}
}

// MaybeSent says whether err leaves open that the channel carried out the request.
func MaybeSent(err error) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.MaybeSent
}

// Permanent wraps an error that retrying cannot fix.
func Permanent(err error) error { return &Error{Err: err, Permanent: true} }

// SendOnly is the same adapter with fetching turned off: one account that fetches for a
// channel (a relay, the demo) can then also answer on other channels' names.
func SendOnly(a Adapter) Adapter { return sendOnly{a} }

type sendOnly struct{ Adapter }

func (sendOnly) Fetch(ctx context.Context, cursor string) (Batch, error) {
	return Batch{Cursor: cursor}, nil
}
