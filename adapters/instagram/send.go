package instagram

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// ErrNoComment means a reply names no comment to answer.
var ErrNoComment = errors.New("a reply needs the id of the comment it answers")

// ErrMention means a reply in a mention's conversation: the post is someone else's, and
// answering it is not built.
var ErrMention = errors.New("replying to a post that mentions the account is not supported: answer it in Instagram")

// Send posts a reply and returns its id: a DM or a private reply (sendDM) for out.Kind
// dm, else a reply under the comment out.InReplyTo (POST /{ig-comment-id}/replies
// message=…). Instagram puts a reply to a reply under the top-level comment.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	switch out.Kind {
	case inbox.KindDM:
		return a.sendDM(ctx, out)
	case inbox.KindMention:
		return "", adapters.Permanent(fmt.Errorf("instagram %s: %w", a.cfg.Account, ErrMention))
	}
	if out.InReplyTo == "" {
		return "", adapters.Permanent(fmt.Errorf("instagram %s: %w", a.cfg.Account, ErrNoComment))
	}
	var created struct {
		ID string `json:"id"`
	}
	err := a.graph.PostForm(ctx, "/"+url.PathEscape(out.InReplyTo)+"/replies", url.Values{"message": {out.Text}}, &created)
	if err != nil {
		return "", httpx.Wrap(fmt.Sprintf("instagram %s: reply to %s", a.cfg.Account, out.InReplyTo), err)
	}
	if created.ID == "" {
		return "", adapters.Temporary(fmt.Errorf("instagram %s: reply to %s: Graph returned no id", a.cfg.Account, out.InReplyTo), 0)
	}
	return created.ID, nil
}

// Sent looks for a reply already posted: for a DM or a private reply, see sentDM; for a
// comment, a comment by the account with the same text among the replies of the comment
// answered (or of its top-level comment, where Instagram puts a reply to a reply).
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	if out.Kind == inbox.KindDM {
		return a.sentDM(ctx, out)
	}
	if out.InReplyTo == "" {
		return "", false, nil
	}
	what := fmt.Sprintf("instagram %s: look for a reply to %s", a.cfg.Account, out.InReplyTo)
	var answered comment
	if err := a.graph.Get(ctx, "/"+url.PathEscape(out.InReplyTo), url.Values{"fields": {"id,parent_id"}}, &answered); err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	top := out.InReplyTo
	if answered.ParentID != "" {
		top = answered.ParentID
	}
	replies, err := meta.List[comment](ctx, a.graph, "/"+url.PathEscape(top)+"/replies",
		url.Values{"fields": {commentFields}, "limit": {"50"}}, "", commentPages)
	if err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	for _, r := range replies.Items {
		if r.From.ID == a.cfg.ID && strings.TrimSpace(r.Text) == strings.TrimSpace(out.Text) {
			return r.ID, true, nil
		}
	}
	return "", false, nil
}
