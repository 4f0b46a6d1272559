package instagram

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// Mention reads what Meta's mentions webhook announced with ids alone: the comment that
// @mentions the account (GET /{ig-user-id}?fields=mentioned_comment.comment_id(…){…}),
// or the post whose caption does (mentioned_media.media_id(…)), as a mention in the
// post's conversation (media:<id>, as the polled ones from /tags), inbound from its author.
func (a *Adapter) Mention(ctx context.Context, m meta.Mention) (inbox.Message, error) {
	what := fmt.Sprintf("instagram %s: read the mention in %s", a.cfg.Account, m.MediaID)
	var v struct {
		Comment *struct {
			ID        string `json:"id"`
			Text      string `json:"text"`
			Timestamp string `json:"timestamp"`
			Username  string `json:"username"`
			Media     struct {
				ID        string `json:"id"`
				Permalink string `json:"permalink"`
			} `json:"media"`
		} `json:"mentioned_comment"`
		Media *taggedMedia `json:"mentioned_media"`
	}
	field := "mentioned_media.media_id(" + m.MediaID + "){id,caption,username,timestamp,permalink}"
	if m.CommentID != "" {
		what = fmt.Sprintf("instagram %s: read the mention in comment %s", a.cfg.Account, m.CommentID)
		field = "mentioned_comment.comment_id(" + m.CommentID + "){id,text,username,timestamp,media{id,permalink}}"
	}
	if err := a.graph.Get(ctx, "/"+url.PathEscape(a.cfg.ID), url.Values{"fields": {field}}, &v); err != nil {
		return inbox.Message{}, httpx.Wrap(what, err)
	}
	msg := inbox.Message{Channel: Channel, Account: a.cfg.ID, Kind: inbox.KindMention, Direction: inbox.In}
	var at string
	switch {
	case m.CommentID != "" && v.Comment != nil && v.Comment.ID != "":
		c := v.Comment
		media := cmp.Or(c.Media.ID, m.MediaID)
		msg.ID, msg.Conversation, msg.Text, msg.URL = c.ID, "media:"+media, c.Text, c.Media.Permalink
		msg.Author, at = &inbox.Author{Handle: c.Username}, c.Timestamp
	case m.CommentID == "" && v.Media != nil && v.Media.ID != "":
		p := v.Media
		msg.ID, msg.Conversation, msg.Text, msg.URL = p.ID, "media:"+p.ID, p.Caption, p.Permalink
		msg.Author, at = &inbox.Author{Handle: p.Username}, p.Timestamp
	default:
		return inbox.Message{}, adapters.Permanent(fmt.Errorf("%s: Graph answered without it", what))
	}
	t, err := time.Parse(graphTime, at)
	if err != nil {
		return inbox.Message{}, adapters.Permanent(fmt.Errorf("%s: its time %q: %w", what, at, err))
	}
	msg.CreatedAt = t.UTC()
	return msg, nil
}
