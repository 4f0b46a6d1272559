package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// pageSize is the most updates getUpdates returns at once.
const pageSize = 100

// NativeAgent is the agent of a message the business account's owner wrote in
// Telegram's own app, not through triage (the name Meta's adapters use too).
const NativeAgent = "(native app)"

// allowedUpdates are the kinds of update asked for: messages to the bot (private chats,
// groups) and messages of the connected business accounts' chats.
var allowedUpdates = []string{"message", "business_message"}

// update is the Bot API's Update, the fields triage uses.
type update struct {
	UpdateID        int64    `json:"update_id"`
	Message         *message `json:"message"`
	BusinessMessage *message `json:"business_message"`
}

// user is the Bot API's User.
type user struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

// chat is the Bot API's Chat.
type chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // private, group, supergroup, channel
	Title     string `json:"title"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// message is the Bot API's Message, the fields triage uses.
type message struct {
	MessageID            int64           `json:"message_id"`
	MessageThreadID      int64           `json:"message_thread_id"`
	From                 *user           `json:"from"`
	SenderChat           *chat           `json:"sender_chat"`
	SenderBusinessBot    *user           `json:"sender_business_bot"`
	Date                 int64           `json:"date"`
	Chat                 chat            `json:"chat"`
	BusinessConnectionID string          `json:"business_connection_id"`
	IsTopicMessage       bool            `json:"is_topic_message"`
	ReplyToMessage       *message        `json:"reply_to_message"`
	Text                 string          `json:"text"`
	Caption              string          `json:"caption"`
	Photo                json.RawMessage `json:"photo"`
	Video                json.RawMessage `json:"video"`
	VideoNote            json.RawMessage `json:"video_note"`
	Animation            json.RawMessage `json:"animation"`
	Voice                json.RawMessage `json:"voice"`
	Audio                json.RawMessage `json:"audio"`
	Location             json.RawMessage `json:"location"`
	Contact              json.RawMessage `json:"contact"`
	Document             *struct {
		FileName string `json:"file_name"`
	} `json:"document"`
	Sticker *struct {
		Emoji string `json:"emoji"`
	} `json:"sticker"`
	Poll *struct {
		Question string `json:"question"`
	} `json:"poll"`
	ForumTopicCreated json.RawMessage `json:"forum_topic_created"`
}

// Fetch returns the messages of the updates after cursor, oldest first.
//
// The cursor is getUpdates' offset: the update_id after the last one seen. Asking with
// it also tells Telegram the updates before it were received, and Telegram drops them;
// since the engine stores the cursor with the messages in one transaction, a crash
// between the two asks again with the old offset and gets the same updates, which
// ingest keeps once. With no cursor, whatever Telegram still holds (up to 24 hours) is
// fetched. Updates triage does not show (a member joined, a topic created) only move the
// cursor. An account whose updates come by webhook is not polled: Fetch returns nothing.
func (a *Adapter) Fetch(ctx context.Context, cursor string) (adapters.Batch, error) {
	if a.webhook {
		return adapters.Batch{Cursor: cursor}, nil
	}
	req := map[string]any{"limit": pageSize, "timeout": 0, "allowed_updates": allowedUpdates}
	if cursor != "" {
		offset, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil {
			return adapters.Batch{}, adapters.Permanent(fmt.Errorf("telegram %s: the stored cursor %q is not an update offset", a.handle, cursor))
		}
		req["offset"] = offset
	}
	var ups []update
	if err := a.call(ctx, "getUpdates", req, &ups); err != nil {
		return adapters.Batch{}, err
	}
	b := adapters.Batch{Cursor: cursor, More: len(ups) >= pageSize}
	var next int64
	for _, u := range ups {
		next = max(next, u.UpdateID+1)
		m := u.Message
		if m == nil {
			m = u.BusinessMessage
		}
		if m == nil {
			continue
		}
		if msg, ok := a.message(m); ok {
			b.Messages = append(b.Messages, msg)
		}
	}
	if next > 0 {
		if old, err := strconv.ParseInt(cursor, 10, 64); cursor == "" || err != nil || next > old {
			b.Cursor = strconv.FormatInt(next, 10)
		}
	}
	return b, nil
}

// message turns a Telegram message into an inbox message; ok is false for one with
// nothing to read (a member joined, a topic created).
//
// Ids are chat-scoped, as Telegram's message_id is unique only in its chat (see id).
// Conversations: a private chat with the bot is one, "dm:<chat id>"; a business chat one
// per chat and connection, "biz:<connection>:<chat id>"; in a group, a forum topic is
// one, "topic:<chat id>:<thread id>", and otherwise a reply joins the conversation of
// the message it answers (the inbox follows the chain to its root) while a message that
// answers nothing starts its own, as a comment does.
//
// In a business chat the owner of the business account writes too, from Telegram's own
// app (from is not the chat's other party): that message is outbound, an answer. The
// bot's own messages Telegram does not deliver, except those sent on behalf of the
// business account, which are outbound as well and, being triage's replies, carry the
// id Send returned, so they are stored once.
func (a *Adapter) message(m *message) (inbox.Message, bool) {
	text := messageText(m)
	if text == "" {
		return inbox.Message{}, false
	}
	msg := inbox.Message{
		Channel:   Channel,
		Account:   a.handle,
		ID:        messageID(m, m.BusinessConnectionID),
		Direction: inbox.In,
		Author:    author(m),
		Text:      text,
		CreatedAt: time.Unix(m.Date, 0).UTC(),
		URL:       messageURL(m),
	}
	if r := m.ReplyToMessage; r != nil && r.ForumTopicCreated == nil {
		msg.InReplyTo = messageID(r, m.BusinessConnectionID)
	}
	switch {
	case m.BusinessConnectionID != "":
		msg.Kind = inbox.KindDM
		msg.Conversation = "biz:" + m.BusinessConnectionID + ":" + itoa(m.Chat.ID)
		if m.From != nil && m.From.ID != m.Chat.ID {
			msg.Direction, msg.Agent = inbox.Out, NativeAgent
			if bot := m.SenderBusinessBot; bot != nil && bot.Username != "" {
				msg.Agent = "@" + bot.Username
			}
		}
	case m.Chat.Type == "private":
		msg.Kind, msg.Conversation = inbox.KindDM, "dm:"+itoa(m.Chat.ID)
	default:
		msg.Kind = inbox.KindComment
		if a.mentioned(text) {
			msg.Kind = inbox.KindMention
		}
		if m.IsTopicMessage && m.MessageThreadID != 0 {
			msg.Conversation = "topic:" + itoa(m.Chat.ID) + ":" + itoa(m.MessageThreadID)
		}
	}
	return msg, true
}

// messageID is a message's id in triage: "<chat id>:<message id>" in a private chat;
// in a group "<chat id>:<message id>:<author id>", the author kept for a ban (the Bot API
// cannot look a message up); in a business chat "biz:<connection>:<chat id>:<message
// id>", since the chat's ids are the business account's, not the bot's. conn is the
// business connection of the update (a replied-to message may not repeat it).
func messageID(m *message, conn string) string {
	id := itoa(m.Chat.ID) + ":" + itoa(m.MessageID)
	switch {
	case conn != "":
		return "biz:" + conn + ":" + id
	case m.Chat.Type == "group" || m.Chat.Type == "supergroup":
		return id + ":" + itoa(authorID(m))
	}
	return id
}

// authorID is who wrote a message: the chat it was sent on behalf of (an anonymous
// admin, a linked channel), else its sender; 0 when neither is said.
func authorID(m *message) int64 {
	switch {
	case m.SenderChat != nil:
		return m.SenderChat.ID
	case m.From != nil:
		return m.From.ID
	}
	return 0
}

// author names the writer: id, @username and name.
func author(m *message) *inbox.Author {
	switch {
	case m.SenderChat != nil:
		c := m.SenderChat
		return &inbox.Author{ID: itoa(c.ID), Handle: at(c.Username), Name: strings.TrimSpace(c.Title)}
	case m.From != nil:
		u := m.From
		return &inbox.Author{ID: itoa(u.ID), Handle: at(u.Username), Name: strings.TrimSpace(u.FirstName + " " + u.LastName)}
	}
	return &inbox.Author{ID: itoa(m.Chat.ID), Handle: at(m.Chat.Username), Name: m.Chat.Title}
}

func at(username string) string {
	if username == "" {
		return ""
	}
	return "@" + username
}

// messageText is what a person reads: the text or the caption, after a line for the
// media the message carries.
func messageText(m *message) string {
	var media string
	switch {
	case len(m.Photo) > 0:
		media = "[photo]"
	case len(m.Video) > 0:
		media = "[video]"
	case len(m.VideoNote) > 0:
		media = "[video message]"
	case len(m.Animation) > 0:
		media = "[GIF]"
	case len(m.Voice) > 0:
		media = "[voice message]"
	case len(m.Audio) > 0:
		media = "[audio]"
	case len(m.Location) > 0:
		media = "[location]"
	case len(m.Contact) > 0:
		media = "[contact]"
	case m.Document != nil:
		media = strings.TrimSpace("[file] " + m.Document.FileName)
	case m.Sticker != nil:
		media = strings.TrimSpace("[sticker] " + m.Sticker.Emoji)
	case m.Poll != nil:
		media = "[poll] " + m.Poll.Question
	}
	text := strings.TrimSpace(m.Text + m.Caption)
	switch {
	case media == "":
		return text
	case text == "":
		return media
	}
	return media + "\n" + text
}

// messageURL links a message of a public group (t.me/<username>/<id>) or of a
// supergroup's members (t.me/c/<id>/<id>); private chats have no link.
func messageURL(m *message) string {
	switch {
	case m.Chat.Type == "private":
		return ""
	case m.Chat.Username != "":
		return "https://t.me/" + m.Chat.Username + "/" + itoa(m.MessageID)
	case m.Chat.Type == "supergroup" && m.Chat.ID < -1_000_000_000_000:
		return "https://t.me/c/" + itoa(-m.Chat.ID-1_000_000_000_000) + "/" + itoa(m.MessageID)
	}
	return ""
}

// mentioned says whether text names the bot, "@username" as a whole word.
func (a *Adapter) mentioned(text string) bool {
	if a.username == "" {
		return false
	}
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		if strings.ToLower(m[1]) == a.username {
			return true
		}
	}
	return false
}

// mentionRE finds "@username" (5 to 32 letters, digits and underscores) not inside a
// word or an address.
var mentionRE = regexp.MustCompile(`(?:^|[^\w@.])@(\w{5,32})\b`)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
