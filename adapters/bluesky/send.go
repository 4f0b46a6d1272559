package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// Bluesky's limits on a post's text (app.bsky.feed.post: maxGraphemes, maxLength).
const (
	MaxGraphemes = 300
	maxBytes     = 3000
)

// ErrTooLong means a reply's text is longer than a post may be.
var ErrTooLong = errors.New("text is longer than Bluesky allows")

// ErrNoParent means a reply names no post to answer, or the post is gone.
var ErrNoParent = errors.New("a reply needs the post it answers")

// Send posts a reply to the post out.InReplyTo and returns the new post's URI.
//
// A reply names both its parent and its thread's root, each by URI and CID, so Send first
// reads the parent (app.bsky.feed.getPosts): its own record's reply.root is the root, and a
// parent that replies to nothing is its own root. Links in the text become link facets, so
// they can be followed in the app. A text over MaxGraphemes is Permanent (the composer
// warns before). Bluesky has no idempotency key: see Sent.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	what := "bluesky @" + a.handle + ": reply to " + out.InReplyTo
	if n := uniseg.GraphemeClusterCount(out.Text); n > MaxGraphemes || len(out.Text) > maxBytes {
		return "", adapters.Permanent(fmt.Errorf("%s: %d characters, at most %d: %w", what, n, MaxGraphemes, ErrTooLong))
	}
	if strings.TrimSpace(out.Text) == "" {
		return "", adapters.Permanent(fmt.Errorf("%s: the text is empty", what))
	}
	parent, err := a.post(ctx, out.InReplyTo)
	if err != nil {
		return "", httpx.Wrap(what, err)
	}
	ref := replyRef{Root: strongRef{URI: parent.URI, CID: parent.CID}, Parent: strongRef{URI: parent.URI, CID: parent.CID}}
	if r := parent.Record.Reply; r != nil && r.Root.URI != "" && r.Root.CID != "" {
		ref.Root = r.Root
	}
	s, err := a.session(ctx)
	if err != nil {
		return "", httpx.Wrap(what, err)
	}
	rec := map[string]any{
		"$type":     "app.bsky.feed.post",
		"text":      out.Text,
		"createdAt": a.now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"reply":     ref,
	}
	if f := linkFacets(out.Text); len(f) > 0 {
		rec["facets"] = f
	}
	var res strongRef
	in := map[string]any{"repo": s.did, "collection": "app.bsky.feed.post", "record": rec}
	if err := a.procedure(ctx, "com.atproto.repo.createRecord", in, &res); err != nil {
		return "", httpx.Wrap(what, err)
	}
	if res.URI == "" {
		return "", adapters.Temporary(fmt.Errorf("%s: the server returned no URI", what), 0)
	}
	return res.URI, nil
}

// post reads one post by URI; a post that is gone (deleted, or its author blocks us) is
// Permanent.
func (a *Adapter) post(ctx context.Context, uri string) (postView, error) {
	if !strings.HasPrefix(uri, "at://") {
		return postView{}, adapters.Permanent(fmt.Errorf("%q: %w", uri, ErrNoParent))
	}
	var res struct {
		Posts []postView `json:"posts"`
	}
	if err := a.query(ctx, "app.bsky.feed.getPosts", url.Values{"uris": {uri}}, &res); err != nil {
		return postView{}, err
	}
	if len(res.Posts) == 0 || res.Posts[0].CID == "" {
		return postView{}, adapters.Permanent(fmt.Errorf("post not found (deleted?): %w", ErrNoParent))
	}
	return res.Posts[0], nil
}

// recentPosts is how many of the account's latest posts Sent looks through.
const recentPosts = 100

// Sent reports whether a reply was already posted: among the account's latest posts
// (com.atproto.repo.listRecords, read from the account's own repository, so a post is
// there the moment it was written, unlike feeds that wait on indexing), one that answers
// the same parent with the same text. So a send cut off after Bluesky wrote the post but
// before triage heard back is found and not posted twice.
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	what := "bluesky @" + a.handle + ": look for a sent reply to " + out.InReplyTo
	s, err := a.session(ctx)
	if err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	var res struct {
		Records []struct {
			URI   string     `json:"uri"`
			Value postRecord `json:"value"`
		} `json:"records"`
	}
	q := url.Values{"repo": {s.did}, "collection": {"app.bsky.feed.post"}, "limit": {fmt.Sprint(recentPosts)}}
	if err := a.query(ctx, "com.atproto.repo.listRecords", q, &res); err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	for _, r := range res.Records {
		if r.Value.Reply != nil && r.Value.Reply.Parent.URI == out.InReplyTo && r.Value.Text == out.Text {
			return r.URI, true, nil
		}
	}
	return "", false, nil
}

// linkPattern finds links in a reply's text; trailing punctuation is trimmed off after.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkFacets marks each link in text as an app.bsky.richtext.facet#link, by byte offsets.
// Mentions are left as text: a mention facet needs the DID of the handle.
func linkFacets(text string) []map[string]any {
	var out []map[string]any
	for _, loc := range linkPattern.FindAllStringIndex(text, -1) {
		u := strings.TrimRight(text[loc[0]:loc[1]], ".,;:!?)]}'")
		if len(u) <= len("https://") {
			continue
		}
		out = append(out, map[string]any{
			"index":    map[string]int{"byteStart": loc[0], "byteEnd": loc[0] + len(u)},
			"features": []map[string]string{{"$type": "app.bsky.richtext.facet#link", "uri": u}},
		})
	}
	return out
}

// Moderate applies "mute", "block", "report" or "spam" (a report for spam) to the author
// of the post messageID (an at:// URI): app.bsky.graph.muteActor, an app.bsky.graph.block
// record, or com.atproto.moderation.createReport about the post.
func (a *Adapter) Moderate(ctx context.Context, action, messageID string) error {
	what := fmt.Sprintf("bluesky @%s: %s %s", a.handle, action, messageID)
	switch action {
	case "mute", "block", "report", "spam":
	default:
		return adapters.Permanent(fmt.Errorf("%s: %w", what, errors.ErrUnsupported))
	}
	p, err := a.post(ctx, messageID)
	if err != nil {
		return httpx.Wrap(what, err)
	}
	switch action {
	case "mute":
		err = a.procedure(ctx, "app.bsky.graph.muteActor", map[string]string{"actor": p.Author.DID}, nil)
	case "block":
		var s *session
		if s, err = a.session(ctx); err == nil {
			rec := map[string]any{"$type": "app.bsky.graph.block", "subject": p.Author.DID,
				"createdAt": a.now().UTC().Format("2006-01-02T15:04:05.000Z")}
			err = a.procedure(ctx, "com.atproto.repo.createRecord",
				map[string]any{"repo": s.did, "collection": "app.bsky.graph.block", "record": rec}, nil)
		}
	default:
		reason := "com.atproto.moderation.defs#reasonOther"
		if action == "spam" {
			reason = "com.atproto.moderation.defs#reasonSpam"
		}
		err = a.procedure(ctx, "com.atproto.moderation.createReport", map[string]any{"reasonType": reason,
			"subject": map[string]string{"$type": "com.atproto.repo.strongRef", "uri": p.URI, "cid": p.CID}}, nil)
	}
	return httpx.Wrap(what, err)
}
