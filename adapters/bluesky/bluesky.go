// Package bluesky is the adapter for one Bluesky account, over the AT Protocol's XRPC
// HTTP API with an app password.
//
//	[[account]]
//	name         = "acme-bluesky"
//	channel      = "bluesky"
//	service      = "https://bsky.social"   # optional: the account's PDS or entryway
//	handle       = "acme.bsky.social"
//	password_env = "ACME_BSKY_APP_PASSWORD" # or password_cmd = "pass show acme/bluesky"
//	timeout      = "30s"                    # optional
//
// It speaks XRPC with a small client of its own over net/http rather than the indigo SDK
// (github.com/bluesky-social/indigo), which would pull a heavy dependency tree (IPLD,
// CBOR, crypto, OpenTelemetry, …) into the build for the seven calls used here:
// com.atproto.server.createSession and refreshSession, app.bsky.notification.listNotifications,
// app.bsky.feed.getPosts, com.atproto.repo.createRecord and listRecords, and the
// moderation calls.
//
// Bluesky has no idempotency key, so the adapter is not Idempotent; it implements
// adapters.Checker instead, finding a reply already posted among the account's recent
// posts.
package bluesky

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Channel is the channel name in config and in inbox messages.
const Channel = "bluesky"

// DefaultService is where accounts hosted by Bluesky log in.
const DefaultService = "https://bsky.social"

// Adapter is one Bluesky account. It satisfies adapters.Adapter, adapters.Checker and
// adapters.Moderator. It logs in on first use and keeps the session in memory only.
type Adapter struct {
	base     string // "https://bsky.social"
	handle   string // "acme.bsky.social", without "@": the login identifier
	name     string // the account as messages name it: see Handle
	password string // the app password: never in errors or logs
	http     *httpx.Client
	now      func() time.Time

	mu   sync.Mutex
	sess *session // nil until logged in
}

var (
	_ adapters.Adapter     = (*Adapter)(nil)
	_ adapters.Checker     = (*Adapter)(nil)
	_ adapters.Moderator   = (*Adapter)(nil)
	_ adapters.Constructor = New
)

// New builds the adapter for one [[account]]. It reads the app password but does not log
// in: the first call does.
func New(ctx context.Context, acct adapters.Account) (adapters.Adapter, error) {
	service, err := acct.String("service", DefaultService)
	if err != nil {
		return nil, err
	}
	base, err := httpx.BaseURL(service)
	if err != nil {
		return nil, fmt.Errorf("account %q: service: %w", acct.Name, err)
	}
	handle, err := acct.Required("handle")
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(handle)
	handle = strings.ToLower(strings.TrimPrefix(name, "@"))
	timeout, err := acct.Duration("timeout", httpx.DefaultTimeout)
	if err != nil {
		return nil, err
	}
	password, err := acct.Secret(ctx, "password")
	if err != nil {
		return nil, err
	}
	return &Adapter{base: base, handle: handle, name: name, password: password, http: httpx.NewClient(timeout), now: time.Now}, nil
}

// Handle is the account as inbox messages name it (inbox.Message.Account): the
// configured handle as written, "acme.bsky.social" or "@acme.bsky.social", because the
// sync engine keys the account's cursor and replies by that text.
func (a *Adapter) Handle() string { return a.name }

// Capabilities: replies, mute, block and report; not Idempotent (see Sent).
func (a *Adapter) Capabilities() adapters.Capabilities {
	return adapters.Capabilities{Reply: true, MarkSpam: true, Mute: true, Block: true, Report: true}
}

// strongRef points at one version of a record: app.bsky.feed.post#replyRef's root and parent.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// replyRef is a post's place in a thread.
type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

// postRecord is an app.bsky.feed.post record, the fields triage uses.
type postRecord struct {
	Type      string    `json:"$type"`
	Text      string    `json:"text"`
	CreatedAt string    `json:"createdAt"`
	Reply     *replyRef `json:"reply,omitempty"`
	Facets    []facet   `json:"facets,omitempty"`
	Embed     *embed    `json:"embed,omitempty"`
}

// facet marks a byte range of a post's text as a link, mention or tag.
type facet struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []struct {
		Type string `json:"$type"`
		URI  string `json:"uri,omitempty"`
	} `json:"features"`
}

// embed is what a post carries besides text: images, a link card, a quoted post.
type embed struct {
	Type   string `json:"$type"`
	Images []struct {
		Alt string `json:"alt"`
	} `json:"images"`
	External *struct {
		URI string `json:"uri"`
	} `json:"external"`
	Record *strongRef `json:"record"`
}

// profile is app.bsky.actor.defs#profileView, the fields triage uses.
type profile struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
}

// postView is app.bsky.feed.defs#postView, the fields triage uses.
type postView struct {
	URI    string     `json:"uri"`
	CID    string     `json:"cid"`
	Author profile    `json:"author"`
	Record postRecord `json:"record"`
}

// rkey is the last part of an at:// URI: the record's key in its collection.
func rkey(uri string) string { return uri[strings.LastIndexByte(uri, '/')+1:] }

// authority is the repository part of an at:// URI: a DID, or a handle.
func authority(uri string) string {
	rest, _ := strings.CutPrefix(uri, "at://")
	a, _, _ := strings.Cut(rest, "/")
	return a
}

// webURL is a post's page on bsky.app.
func webURL(handleOrDID, uri string) string {
	return "https://bsky.app/profile/" + handleOrDID + "/post/" + rkey(uri)
}
