package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// ErrTooManyStatuses means Sent gave up looking: the account posted more statuses since
// the status answered than Sent reads. Whether the reply was posted is then unknown.
var ErrTooManyStatuses = errors.New("too many statuses since the status answered to look through")

const (
	// maxSentPages bounds how many pages of the account's statuses Sent reads (40 each).
	maxSentPages = 20
	// clockSkew is how far the clock of the server that wrote the status answered may run
	// ahead of ours. Mastodon accepts signed requests up to an hour off (its
	// CLOCK_SKEW_MARGIN), so a remote created_at up to an hour ahead is plausible.
	clockSkew = time.Hour
)

// Sent reports whether a reply was already posted, so a send cut off by a crash is not
// posted twice after the hour in which Mastodon remembers its Idempotency-Key.
//
// It reads the status answered (for its author, whom Send mentions, and its time), then
// the account's own statuses, newest first (GET /api/v1/accounts/:id/statuses with
// exclude_reblogs, 40 a page, paged back with the max_id of the Link rel="next"; the
// account's id comes from GET /api/v1/accounts/verify_credentials, once). A reply was
// posted when one of them answers the same status and its content, as plain text, reads
// as the text Send posts (see sameText). The found status's id is the remote id.
//
// Paging stops at the first page that reaches back before the status answered (less
// clockSkew): a reply cannot be older than what it answers, and Mastodon's ids, which
// order the list, follow creation time. Reading the whole page first keeps a status that
// is a little out of time order from being missed. Paging is also bounded to maxSentPages:
// the bound is safe because running into it is not taken as "not posted" but returned as
// ErrTooManyStatuses, which the sync engine turns into an outbox entry for a person to
// check; it is reached only when the account posted more than 800 statuses since the
// status answered, while a crashed send is usually retried within minutes or hours.
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	what := fmt.Sprintf("mastodon %s: look for a sent reply to %s", a.handle, out.InReplyTo)
	if out.InReplyTo == "" {
		return "", false, adapters.Permanent(fmt.Errorf("mastodon %s: %w", a.handle, ErrNoParent))
	}
	parent, err := a.getStatus(ctx, out.InReplyTo)
	if err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	me, err := a.accountID(ctx)
	if err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	want := sameText(a.withMention(out.Text, parent.Account.Acct))
	since := parent.CreatedAt.Add(-clockSkew)
	path := "/api/v1/accounts/" + url.PathEscape(me) + "/statuses"
	q := url.Values{"limit": {strconv.Itoa(pageSize)}, "exclude_reblogs": {"true"}}
	for range maxSentPages {
		var page []status
		h, err := a.call(ctx, http.MethodGet, path, q, nil, "", &page)
		if err != nil {
			return "", false, httpx.Wrap(what, err)
		}
		for _, s := range page {
			if s.InReplyToID == out.InReplyTo && sameText(plainText(s.Content)) == want {
				return s.ID, true, nil
			}
		}
		if len(page) == 0 || page[len(page)-1].CreatedAt.Before(since) {
			return "", false, nil
		}
		next := page[len(page)-1].ID
		if u := links(h.Get("Link"))["next"]; u != nil && u.Query().Get("max_id") != "" {
			next = u.Query().Get("max_id")
		}
		if prev := q.Get("max_id"); prev != "" && !newer(prev, next) {
			return "", false, nil // the server pages no further back
		}
		q.Set("max_id", next)
	}
	return "", false, adapters.Permanent(fmt.Errorf("%s: %w (more than %d)", what, ErrTooManyStatuses, maxSentPages*pageSize))
}

// accountID is the account's own id, asked of the server once
// (GET /api/v1/accounts/verify_credentials) and then kept.
func (a *Adapter) accountID(ctx context.Context) (string, error) {
	a.mu.Lock()
	id := a.id
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var me account
	if _, err := a.call(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, nil, "", &me); err != nil {
		return "", err
	}
	if me.ID == "" {
		return "", adapters.Temporary(errors.New("verify_credentials named no account id"), 0)
	}
	a.mu.Lock()
	a.id = me.ID
	a.mu.Unlock()
	return me.ID, nil
}

// mentionPattern finds a mention as Mastodon's formatter does (Account::MENTION_RE):
// "@user" or "@user@domain", not right after a letter, digit, "_", "/" or "=", so not in
// an e-mail address or a URL.
var mentionPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_/=])@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)(?:@[\p{L}\p{N}_]+(?:[.-]+[\p{L}\p{N}_]+)*)?`)

// sameText reduces a reply's text to what survives Mastodon's rendering, so the text
// Send posted and the content the server shows compare equal: runs of whitespace are one
// space (line breaks become <p> and <br>), and a mention is "@user" in lower case, since
// Mastodon shows a mention of an account it knows by its username alone ("@bob" for
// "@Bob@other.example").
func sameText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	last := 0
	for _, m := range mentionPattern.FindAllStringSubmatchIndex(s, -1) {
		at := m[2] - 1 // the "@" before the user
		b.WriteString(s[last:at])
		b.WriteString("@" + strings.ToLower(s[m[2]:m[3]]))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
