package instagram

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// mentionPages bounds the pages of tagged media read per fetch (50 a page).
const mentionPages = 2

type taggedMedia struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Username  string `json:"username"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
}

// fetchMentions returns the posts by others that tag the account (GET
// /{ig-user-id}/tags) published since the watermark, each once: a mention in conversation
// media:<id>, inbound from the post's author.
func (a *Adapter) fetchMentions(ctx context.Context, from watermark) ([]inbox.Message, watermark, error) {
	w := from
	q := url.Values{"fields": {"id,caption,username,timestamp,permalink"}, "limit": {"50"}}
	list, err := meta.List[taggedMedia](ctx, a.graph, "/"+a.cfg.ID+"/tags", q, "", mentionPages)
	if err != nil {
		what := fmt.Sprintf("instagram %s: fetch mentions", a.cfg.Account)
		return nil, from, httpx.Wrap(what+permissionHint(err, "poll_mentions", "instagram_business_basic (Instagram Login), or instagram_basic and instagram_manage_comments (Facebook Login)"), err)
	}
	var msgs []inbox.Message
	for _, p := range list.Items {
		t, err := time.Parse(graphTime, p.Timestamp)
		if err != nil || from.seen(t, p.ID) {
			continue
		}
		w.advance(t, p.ID)
		msgs = append(msgs, inbox.Message{
			Channel: Channel, Account: a.cfg.ID, ID: p.ID, Kind: inbox.KindMention,
			Conversation: "media:" + p.ID, Direction: inbox.In, Author: &inbox.Author{Handle: p.Username},
			Text: p.Caption, CreatedAt: t.UTC(), URL: p.Permalink,
		})
	}
	return msgs, w, nil
}
