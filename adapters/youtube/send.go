package youtube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// ErrNoThread means a reply names no thread to answer in.
var ErrNoThread = errors.New("a reply needs the comment thread it answers")

// ErrTooManyReplies means Sent gave up looking through a thread's replies.
var ErrTooManyReplies = errors.New("too many replies in the thread to look through")

// parentOf is the top comment of the thread a reply goes to: YouTube takes replies only
// to top-level comments. It is the thread's id (a thread's id is its top comment's),
// from the conversation key "yt:<thread>", else the part before the "." of a reply's id
// ("<parent>.<reply>"), else the comment answered.
func parentOf(out inbox.Outgoing) string {
	if id, ok := strings.CutPrefix(out.Conversation, "yt:"); ok && id != "" {
		return id
	}
	if parent, _, ok := strings.Cut(out.InReplyTo, "."); ok {
		return parent
	}
	return out.InReplyTo
}

// Send posts a reply in the thread (comments.insert, snippet.parentId = the thread's top
// comment) and returns the new comment's id, which the comment bears when Fetch brings
// it back. 50 quota units.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	parent := parentOf(out)
	if parent == "" {
		return "", adapters.Permanent(fmt.Errorf("youtube %s: %w", a.name, ErrNoThread))
	}
	what := fmt.Sprintf("youtube %s: reply in thread %s", a.name, parent)
	body := map[string]any{"snippet": map[string]any{"parentId": parent, "textOriginal": out.Text}}
	var created comment
	if err := a.call(ctx, http.MethodPost, "/comments", costWrite, url.Values{"part": {"snippet"}}, body, &created); err != nil {
		return "", httpx.Wrap(what, err)
	}
	if created.ID == "" {
		return "", &adapters.Error{Err: fmt.Errorf("%s: YouTube returned no comment id", what), MaybeSent: true}
	}
	return created.ID, nil
}

// Sent reports whether a reply was already posted: among the thread's replies
// (comments.list with parentId, 1 unit a page, which may spend the reserve kept for
// replies: it is part of one), one by the channel with the same text.
// Its id is the remote id. Looking is bounded; past the bound the answer is an error,
// which the engine turns into "unknown, check", never a second post.
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	parent := parentOf(out)
	if parent == "" {
		return "", false, adapters.Permanent(fmt.Errorf("youtube %s: %w", a.name, ErrNoThread))
	}
	what := fmt.Sprintf("youtube %s: look for a sent reply in thread %s", a.name, parent)
	want := sameText(out.Text)
	q := url.Values{"part": {"snippet"}, "parentId": {parent}, "maxResults": {fmt.Sprint(pageSize)}, "textFormat": {"plainText"}}
	for range maxReplyPages * 2 {
		var page commentList
		if err := a.call(ctx, http.MethodGet, "/comments", costCheck, q, nil, &page); err != nil {
			return "", false, httpx.Wrap(what, err)
		}
		for _, c := range page.Items {
			if c.Snippet.AuthorChannelID.Value == a.channelID && sameText(cmp(c.Snippet.TextOriginal, c.Snippet.TextDisplay)) == want {
				return c.ID, true, nil
			}
		}
		if page.NextPageToken == "" {
			return "", false, nil
		}
		q.Set("pageToken", page.NextPageToken)
	}
	return "", false, adapters.Permanent(fmt.Errorf("%s: %w", what, ErrTooManyReplies))
}

// sameText is a text with its runs of whitespace made one space, as YouTube may keep them.
func sameText(s string) string { return strings.Join(strings.Fields(s), " ") }

// Moderate sets a comment's moderation status (comments.setModerationStatus, 50 units):
//
//   - "hide": heldForReview, out of public view until approved;
//   - "unhide" (or "publish"): published, which approves a comment held for review or as
//     likely spam;
//   - "delete": rejected;
//   - "block": rejected, and the author banned from the channel (banAuthor=true).
func (a *Adapter) Moderate(ctx context.Context, action, messageID string) error {
	what := fmt.Sprintf("youtube %s: %s %s", a.name, action, messageID)
	q := url.Values{"id": {messageID}}
	switch action {
	case "hide":
		q.Set("moderationStatus", "heldForReview")
	case "unhide", "publish":
		q.Set("moderationStatus", "published")
	case "delete":
		q.Set("moderationStatus", "rejected")
	case "block":
		q.Set("moderationStatus", "rejected")
		q.Set("banAuthor", "true")
	default:
		return adapters.Permanent(fmt.Errorf("%s: %w", what, errors.ErrUnsupported))
	}
	return httpx.Wrap(what, a.call(ctx, http.MethodPost, "/comments/setModerationStatus", costWrite, q, nil, nil))
}
