package facebook

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// Sent looks for a reply already posted, after a crash mid-send, by the Page and with the
// same text, posted after the message it answers:
//   - a comment: among the replies of the comment answered (or of its top-level comment,
//     where Facebook puts a reply to a reply), or the post's top-level comments, newest
//     first, back to the comment answered, at most commentPages pages;
//   - Messenger: among the conversation's latest messageLimit messages, back to the
//     message answered. An older copy is not found, and the reply is sent again: Graph
//     keeps no idempotency key to ask for, and Messenger's message metadata is not read
//     back;
//   - a private reply is never looked for: Meta takes one per comment, so sending it
//     again cannot post a second one (Meta refuses it, and the reply fails with why).
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	postID, isPost := strings.CutPrefix(out.Conversation, "post:")
	psid, isDM := strings.CutPrefix(out.Conversation, "dm:")
	switch {
	case isDM && psid != "":
		return a.sentMessenger(ctx, out, psid)
	case isPost && postID != "" && out.Kind != inbox.KindDM:
		return a.sentComment(ctx, out, postID)
	}
	return "", false, nil
}

func (a *Adapter) sentComment(ctx context.Context, out inbox.Outgoing, postID string) (string, bool, error) {
	what := fmt.Sprintf("facebook %s: look for a reply on %s", a.cfg.Account, postID)
	target, err := a.target(ctx, out, postID)
	if err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	q := url.Values{"order": {"reverse_chronological"}, "fields": {commentFields}, "limit": {strconv.Itoa(commentLimit)}}
	if target == postID {
		q.Set("filter", "toplevel")
	}
	after := ""
	for range commentPages {
		list, err := meta.List[comment](ctx, a.graph, "/"+url.PathEscape(target)+"/comments", q, after, 1)
		if err != nil {
			return "", false, httpx.Wrap(what, err)
		}
		for _, c := range list.Items {
			if c.ID == out.InReplyTo {
				return "", false, nil // older than what the reply answers
			}
			if c.From.ID == a.cfg.ID && sameText(c.Message, out.Text) {
				return c.ID, true, nil
			}
		}
		if !list.More {
			break
		}
		after = list.After
	}
	return "", false, nil
}

func (a *Adapter) sentMessenger(ctx context.Context, out inbox.Outgoing, psid string) (string, bool, error) {
	what := fmt.Sprintf("facebook %s: look for a Messenger reply to %s", a.cfg.Account, psid)
	q := url.Values{"platform": {"messenger"}, "user_id": {psid},
		"fields": {"id,messages.limit(" + strconv.Itoa(messageLimit) + "){" + messageFields + "}"}}
	var convs meta.Page[conversation]
	if err := a.graph.Get(ctx, "/"+a.cfg.ID+"/conversations", q, &convs); err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	for _, c := range convs.Data {
		for _, m := range c.Messages.Data { // newest first
			if m.ID == out.InReplyTo {
				break
			}
			if m.From.ID == a.cfg.ID && sameText(m.Message, out.Text) {
				return m.ID, true, nil
			}
		}
	}
	return "", false, nil
}

// sameText compares a posted text with the reply, ignoring the spaces Facebook trims.
func sameText(posted, reply string) bool {
	return strings.TrimSpace(posted) == strings.TrimSpace(reply)
}
