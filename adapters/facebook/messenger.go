package facebook

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// Messenger's lists: conversations a page, pages of them per sync, and the messages
// nested in each conversation (a conversation with more new ones is paged on its own).
const (
	convLimit    = 25
	convPages    = 10
	messageLimit = 25
	messagePages = 10
)

const messageFields = "id,message,created_time,from,to"

type message struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	CreatedTime string `json:"created_time"`
	From        party  `json:"from"`
	To          struct {
		Data []party `json:"data"`
	} `json:"to"`
}

type conversation struct {
	ID          string             `json:"id"`
	UpdatedTime string             `json:"updated_time"`
	Messages    meta.Page[message] `json:"messages"`
}

// fetchMessenger reads the Messenger conversations updated since from's mark (Graph lists
// them most recently updated first, so the walk stops at the first older one) and
// returns their new messages; st's mark moves past them.
func (a *Adapter) fetchMessenger(ctx context.Context, from state, st *state) ([]inbox.Message, error) {
	q := url.Values{"platform": {"messenger"}, "limit": {strconv.Itoa(convLimit)},
		"fields": {"id,updated_time,messages.limit(" + strconv.Itoa(messageLimit) + "){" + messageFields + "}"}}
	var msgs []inbox.Message
	after := ""
	for range convPages {
		list, err := meta.List[conversation](ctx, a.graph, "/"+a.cfg.ID+"/conversations", q, after, 1)
		if err != nil {
			return nil, err
		}
		for _, c := range list.Items {
			updated, err := time.Parse(graphTime, c.UpdatedTime)
			if err == nil && updated.Before(from.DMs.at) {
				return msgs, nil
			}
			got, err := a.newMessages(ctx, c, from.DMs, st)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, got...)
		}
		if !list.More {
			break
		}
		after = list.After
	}
	return msgs, nil
}

// newMessages returns a conversation's messages above the mark: the ones nested in the
// conversation, then further pages of GET /{conversation-id}/messages while every
// message read is still above it.
func (a *Adapter) newMessages(ctx context.Context, c conversation, m mark, st *state) ([]inbox.Message, error) {
	var msgs []inbox.Message
	page := c.Messages
	for i := 0; ; i++ {
		below := false
		for _, x := range page.Data {
			t, err := time.Parse(graphTime, x.CreatedTime)
			if err != nil {
				continue
			}
			if t.Before(m.at) {
				below = true
				continue
			}
			if m.seen(t, x.ID) {
				continue
			}
			st.DMs.advance(t, x.ID)
			msgs = append(msgs, a.dm(x, t))
		}
		if below || page.Paging.Next == "" || page.Paging.Cursors.After == "" || i+1 >= messagePages {
			return msgs, nil
		}
		q := url.Values{"fields": {messageFields}, "limit": {strconv.Itoa(messageLimit)}}
		more, err := meta.List[message](ctx, a.graph, "/"+url.PathEscape(c.ID)+"/messages", q, page.Paging.Cursors.After, 1)
		if err != nil {
			return nil, err
		}
		page = meta.Page[message]{Data: more.Items}
		if more.More {
			page.Paging.Next, page.Paging.Cursors.After = "more", more.After
		}
	}
}

// dm turns a Messenger message into an inbox message as Meta's webhook does: conversation
// dm:<the person's PSID>; the Page's own messages are outbound, by meta.NativeAgent.
func (a *Adapter) dm(x message, t time.Time) inbox.Message {
	m := inbox.Message{
		Channel: Channel, Account: a.cfg.ID, ID: x.ID, Kind: inbox.KindDM, Text: x.Message, CreatedAt: t.UTC(),
	}
	if x.From.ID == a.cfg.ID {
		m.Direction, m.Agent = inbox.Out, meta.NativeAgent
		for _, to := range x.To.Data {
			if to.ID != a.cfg.ID {
				m.Conversation = "dm:" + to.ID
				break
			}
		}
		return m
	}
	m.Direction = inbox.In
	m.Author = &inbox.Author{ID: x.From.ID, Name: x.From.Name}
	m.Conversation = "dm:" + x.From.ID
	return m
}

// permissionHint says, after Graph refused the conversations for want of a permission
// (codes 3, 10 and 200–299), what the token needs, or how to poll the feed without it:
// one account's missing permission should not stop its comments.
func permissionHint(err error) string {
	var ge *meta.GraphError
	if errors.As(err, &ge) && (ge.Code == 3 || ge.Code == 10 || ge.Code >= 200 && ge.Code <= 299) {
		return " (the token needs pages_messaging; or set poll_messenger = false)"
	}
	return ""
}
