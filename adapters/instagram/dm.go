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

// Bounds of one DM poll: conversationPages pages of conversations (50 a page), and per
// conversation messagePages pages of messages (25 a page). Meta details only the 20 most
// recent messages of a conversation, so more than that since the last poll are left to
// the webhook.
const (
	conversationPages = 20
	messagePages      = 4
	messageFields     = "id,created_time,from,to,message"
)

type conversationRef struct {
	ID          string `json:"id"`
	UpdatedTime string `json:"updated_time"`
}

type party struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type dmMessage struct {
	ID          string `json:"id"`
	CreatedTime string `json:"created_time"`
	From        party  `json:"from"`
	To          struct {
		Data []party `json:"data"`
	} `json:"to"`
	Message string `json:"message"`
}

// fetchDMs returns the direct messages sent or received since the watermark.
//
// GET /me/conversations?platform=instagram lists the conversations most recently updated
// first, so the walk stops at the first one updated before the watermark; each newer one
// has its messages read (GET /{conversation-id}/messages, newest first) down to the
// watermark. A message at the watermark's second is new unless its id is in it.
func (a *Adapter) fetchDMs(ctx context.Context, from watermark) ([]inbox.Message, watermark, error) {
	w := from
	what := fmt.Sprintf("instagram %s: fetch direct messages", a.cfg.Account)
	q := url.Values{"platform": {"instagram"}, "fields": {"id,updated_time"}, "limit": {"50"}}
	var msgs []inbox.Message
	after := ""
	for range conversationPages {
		page, err := meta.List[conversationRef](ctx, a.graph, "/me/conversations", q, after, 1)
		if err != nil {
			return nil, from, httpx.Wrap(what+permissionHint(err, "poll_dms", "instagram_business_manage_messages"), err)
		}
		for _, c := range page.Items {
			updated, err := parseGraphTime(c.UpdatedTime)
			if err == nil && updated.Before(from.at) {
				return msgs, w, nil
			}
			got, err := a.conversationSince(ctx, c.ID, from)
			if err != nil {
				return nil, from, httpx.Wrap(what, err)
			}
			for _, m := range got {
				w.advance(m.CreatedAt, m.ID)
			}
			msgs = append(msgs, got...)
		}
		if !page.More {
			break
		}
		after = page.After
	}
	return msgs, w, nil
}

// conversationSince reads one conversation's messages newer than the watermark.
func (a *Adapter) conversationSince(ctx context.Context, id string, from watermark) ([]inbox.Message, error) {
	q := url.Values{"fields": {messageFields}, "limit": {"25"}}
	var out []inbox.Message
	after := ""
	for range messagePages {
		page, err := meta.List[dmMessage](ctx, a.graph, "/"+url.PathEscape(id)+"/messages", q, after, 1)
		if err != nil {
			return nil, err
		}
		for _, dm := range page.Items {
			t, err := parseGraphTime(dm.CreatedTime)
			if err != nil {
				continue
			}
			if t.Before(from.at) {
				return out, nil // newest first: the rest is older still
			}
			if m := a.dmMessage(dm, t); !from.seen(t, dm.ID) && m.Conversation != "dm:" {
				out = append(out, m) // one naming no customer could not be threaded
			}
		}
		if !page.More {
			break
		}
		after = page.After
	}
	return out, nil
}

// dmMessage turns a message into an inbox message as Meta's webhook does: conversation
// dm:<customer id>; the account's own messages are outbound, by meta.NativeAgent.
func (a *Adapter) dmMessage(dm dmMessage, t time.Time) inbox.Message {
	m := inbox.Message{Channel: Channel, Account: a.cfg.ID, ID: dm.ID, Kind: inbox.KindDM, Text: dm.Message, CreatedAt: t.UTC()}
	if m.Text == "" {
		// A photo, a shared post, a story reply, a sticker: the message field is empty
		// and the Conversations API names no type without more fields.
		m.Text = "[attachment]"
	}
	if dm.From.ID == a.cfg.ID {
		customer := ""
		if len(dm.To.Data) > 0 {
			customer = dm.To.Data[0].ID
		}
		m.Conversation, m.Direction, m.Agent = "dm:"+customer, inbox.Out, meta.NativeAgent
		return m
	}
	m.Conversation, m.Direction = "dm:"+dm.From.ID, inbox.In
	m.Author = &inbox.Author{ID: dm.From.ID, Handle: dm.From.Username}
	return m
}

// permissionHint says, after a refusal for want of a permission or of the endpoint itself
// (Graph codes 3, 10, 100 and 200–299), which permission the token needs, or how to stop
// polling without it: one kind of message refused must not stop the others for good.
func permissionHint(err error, key, permission string) string {
	if c := graphCode(err); c == 3 || c == 10 || c == 100 || c >= 200 && c <= 299 {
		return fmt.Sprintf(" (the token needs %s; or set %s = false)", permission, key)
	}
	return ""
}
