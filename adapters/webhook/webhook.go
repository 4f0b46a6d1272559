// Package webhook is the channel for everything without an adapter of its own — Facebook
// and Instagram through a relay, WhatsApp, Discord, Zapier, n8n, a shop's contact form —
// in both directions, signed with one shared secret:
//
//   - In: Handler serves POST /v1/messages for `triage serve`. The body is the JSON that
//     `triage import` reads, one object or an array of objects; it is stored in one
//     transaction, or not at all.
//   - Out: NewOutgoing is the adapter for an [[account]] with channel "webhook": the sync
//     engine sends each reply to that account as a signed JSON POST to a configured URL.
//
// An outgoing account, in config.toml:
//
//	[[account]]
//	name       = "shop-form"
//	channel    = "webhook"
//	handle     = "shop-form"                      # the account name messages carry
//	url        = "https://relay.example/replies"
//	secret_env = "SHOP_FORM_SECRET"               # or secret_cmd = "pass show acme/relay"
//	timeout    = "30s"                            # optional
//
// Replies reach it for messages whose channel is "webhook" and whose account is its
// handle, so a relay that wants the answers posts its messages that way.
//
// # Signatures
//
// Both directions sign the same way, as Stripe and Slack do: the header
// X-Triage-Signature is "sha256=" and the lower-case hex HMAC-SHA256 of the raw body,
// keyed with the secret. When X-Triage-Timestamp (Unix seconds) is sent, the signature
// covers "<timestamp>.<body>" instead, and a receiver refuses a timestamp more than five
// minutes from its clock, so a captured request cannot be replayed later. Outgoing
// requests always carry a timestamp; incoming ones must when [serve] require_timestamp is
// set. Signature computes the header value for senders written in Go.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"strconv"
	"strings"
	"time"
)

// Channel is the channel name of outgoing-webhook accounts in config.
const Channel = "webhook"

// Header names, as they go on the wire.
const (
	SignatureHeader = "X-Triage-Signature"
	TimestampHeader = "X-Triage-Timestamp"
)

// MaxSkew is how far a signed timestamp may be from the receiver's clock.
const MaxSkew = 5 * time.Minute

// Signature returns the X-Triage-Signature value for body: "sha256=<hex>" over
// "<timestamp>.<body>", or over the body alone when timestamp is "".
func Signature(secret []byte, timestamp string, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	if timestamp != "" {
		h.Write([]byte(timestamp))
		h.Write([]byte{'.'})
	}
	h.Write(body)
	return h.Sum(nil)
}

// Verification failures. Their text is safe to send back: it never holds the input.
var (
	ErrNoSignature  = errors.New("missing " + SignatureHeader + " header")
	ErrBadSignature = errors.New("signature does not match")
	ErrNoTimestamp  = errors.New("missing " + TimestampHeader + " header (required by this server)")
	ErrBadTimestamp = errors.New(TimestampHeader + " is not a Unix time in seconds")
	ErrStale        = errors.New(TimestampHeader + " is more than 5 minutes from the server's clock")
)

// checkHeaders checks a request's signature and timestamp headers before its body is
// read, and returns the signature it claims and a MAC primed with the timestamp, to be fed
// the body as it streams in. An empty secret matches nothing.
func checkHeaders(secret []byte, sigHeader, tsHeader string, requireTimestamp bool, now time.Time) (want []byte, h hash.Hash, err error) {
	if sigHeader == "" {
		return nil, nil, ErrNoSignature
	}
	if tsHeader == "" && requireTimestamp {
		return nil, nil, ErrNoTimestamp
	}
	if tsHeader != "" {
		ts, err := strconv.ParseInt(tsHeader, 10, 64)
		if err != nil {
			return nil, nil, ErrBadTimestamp
		}
		if d := now.Sub(time.Unix(ts, 0)); d > MaxSkew || d < -MaxSkew {
			return nil, nil, ErrStale
		}
	}
	hexSig, ok := strings.CutPrefix(sigHeader, "sha256=")
	if !ok {
		return nil, nil, ErrBadSignature
	}
	want, err = hex.DecodeString(hexSig)
	if err != nil || len(secret) == 0 || len(want) != sha256.Size {
		return nil, nil, ErrBadSignature
	}
	h = hmac.New(sha256.New, secret)
	if tsHeader != "" {
		h.Write([]byte(tsHeader))
		h.Write([]byte{'.'})
	}
	return want, h, nil
}
