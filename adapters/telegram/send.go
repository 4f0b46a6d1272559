package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// MaxText is the longest text sendMessage takes, in UTF-16 code units as Telegram
// counts them.
const MaxText = 4096

// ErrNoChat means a reply names neither a message to answer nor a chat to write in.
var ErrNoChat = errors.New("a reply needs the Telegram message it answers or its chat")

// ref is a message's place on Telegram, read from its id in triage (see messageID).
type ref struct {
	conn   string // business connection, or ""
	chat   int64
	msg    int64
	author int64 // in a group: who wrote it (a user, or a chat when negative); else 0
}

// parseID reads "<chat>:<msg>", "<chat>:<msg>:<author>" or "biz:<conn>:<chat>:<msg>".
func parseID(id string) (ref, bool) {
	var r ref
	if rest, ok := strings.CutPrefix(id, "biz:"); ok {
		i := strings.LastIndexByte(rest, ':')
		j := strings.LastIndexByte(rest[:max(i, 0)], ':')
		if i < 0 || j <= 0 {
			return r, false
		}
		r.conn, id = rest[:j], rest[j+1:]
	}
	parts := strings.Split(id, ":")
	if len(parts) < 2 || len(parts) > 3 || (r.conn != "" && len(parts) != 2) {
		return r, false
	}
	var err [3]error
	r.chat, err[0] = strconv.ParseInt(parts[0], 10, 64)
	r.msg, err[1] = strconv.ParseInt(parts[1], 10, 64)
	if len(parts) == 3 {
		r.author, err[2] = strconv.ParseInt(parts[2], 10, 64)
	}
	return r, errors.Join(err[:]...) == nil
}

// place is where a conversation is: its chat, business connection and forum topic,
// read from its key (see message).
func place(conv string) (conn string, chat, thread int64) {
	switch kind, rest, _ := strings.Cut(conv, ":"); kind {
	case "dm":
		chat, _ = strconv.ParseInt(rest, 10, 64)
	case "biz":
		if i := strings.LastIndexByte(rest, ':'); i > 0 {
			conn = rest[:i]
			chat, _ = strconv.ParseInt(rest[i+1:], 10, 64)
		}
	case "topic":
		c, t, _ := strings.Cut(rest, ":")
		chat, _ = strconv.ParseInt(c, 10, 64)
		thread, _ = strconv.ParseInt(t, 10, 64)
	case "msg":
		if r, ok := parseID(rest); ok {
			conn, chat = r.conn, r.chat
		}
	}
	return conn, chat, thread
}

// replyParameters is the Bot API's ReplyParameters.
type replyParameters struct {
	MessageID int64 `json:"message_id"`
}

// sendMessage is the body of sendMessage, the fields triage sets.
type sendMessage struct {
	ChatID               int64            `json:"chat_id"`
	Text                 string           `json:"text"`
	MessageThreadID      int64            `json:"message_thread_id,omitempty"`
	BusinessConnectionID string           `json:"business_connection_id,omitempty"`
	ReplyParameters      *replyParameters `json:"reply_parameters,omitempty"`
}

// Send answers out.InReplyTo in its chat (sendMessage with reply_parameters), in the
// conversation's forum topic and through its business connection, and returns the sent
// message's id in triage's form, the one Fetch gives it should it come back.
//
// A message answered that is gone fails the reply (ErrReplyGone) rather than posting it
// without the reference. Telegram takes no idempotency key and cannot be asked what was
// sent, so an answer lost on the way is an error that MaybeSent, which the engine leaves
// for a person to check, never sending twice.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	what := fmt.Sprintf("telegram %s: reply in %s", a.handle, out.Conversation)
	conn, chat, thread := place(out.Conversation)
	body := sendMessage{Text: out.Text, MessageThreadID: thread}
	if out.InReplyTo != "" {
		r, ok := parseID(out.InReplyTo)
		if !ok {
			return "", adapters.Permanent(fmt.Errorf("%s: %q is not a Telegram message id", what, out.InReplyTo))
		}
		conn, chat = r.conn, r.chat
		body.ReplyParameters = &replyParameters{MessageID: r.msg}
	}
	if chat == 0 {
		return "", adapters.Permanent(fmt.Errorf("%s: %w", what, ErrNoChat))
	}
	if n := len(utf16.Encode([]rune(out.Text))); n > MaxText {
		return "", adapters.Permanent(fmt.Errorf("%s: the reply is %d characters; Telegram takes at most %d", what, n, MaxText))
	}
	if strings.TrimSpace(out.Text) == "" {
		return "", adapters.Permanent(fmt.Errorf("%s: the reply is empty", what))
	}
	body.ChatID, body.BusinessConnectionID = chat, conn
	var sent message
	if err := a.call(ctx, "sendMessage", body, &sent); err != nil {
		return "", httpx.Wrap(what, err)
	}
	if sent.MessageID == 0 {
		// Accepted, but no message came back: it may have gone out, and cannot be looked up.
		return "", &adapters.Error{Err: fmt.Errorf("%s: Telegram returned no message", what), MaybeSent: true}
	}
	if sent.Chat.ID == 0 {
		sent.Chat.ID = chat
	}
	return messageID(&sent, conn), nil
}

// Moderate applies "delete" (deleteMessage; deleteBusinessMessages in a business chat)
// or "block": a ban of the message's author from its group (banChatMember; for a message
// sent on behalf of a chat, banChatSenderChat). A bot can ban nobody from a private or
// business chat.
func (a *Adapter) Moderate(ctx context.Context, action, messageID string) error {
	what := fmt.Sprintf("telegram %s: %s %s", a.handle, action, messageID)
	r, ok := parseID(messageID)
	if !ok {
		return adapters.Permanent(fmt.Errorf("%s: not a Telegram message id", what))
	}
	var err error
	switch action {
	case "delete":
		if r.conn != "" {
			err = a.call(ctx, "deleteBusinessMessages", map[string]any{"business_connection_id": r.conn, "message_ids": []int64{r.msg}}, nil)
		} else {
			err = a.call(ctx, "deleteMessage", map[string]any{"chat_id": r.chat, "message_id": r.msg}, nil)
		}
	case "block":
		switch {
		case r.author > 0:
			err = a.call(ctx, "banChatMember", map[string]any{"chat_id": r.chat, "user_id": r.author}, nil)
		case r.author < 0 && r.author != r.chat:
			err = a.call(ctx, "banChatSenderChat", map[string]any{"chat_id": r.chat, "sender_chat_id": r.author}, nil)
		default:
			return adapters.Permanent(fmt.Errorf("%s: Telegram lets a bot ban people only from groups, not from a private chat or a group's own admins", what))
		}
	default:
		return adapters.Permanent(fmt.Errorf("%s: %w", what, errors.ErrUnsupported))
	}
	return httpx.Wrap(what, err)
}
