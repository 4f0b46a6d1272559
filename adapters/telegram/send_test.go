package telegram_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/telegram"
	"github.com/triage-inbox/triage/inbox"
)

// A reply in a forum topic answers the message with reply_parameters in its chat and
// topic, and comes back with the id Fetch would give it.
func TestSendInTopicWithReplyParameters(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	f.say("message", group, bob, "How do I send mine back?", map[string]any{"message_thread_id": 3, "is_topic_message": true})
	b, err := a.Fetch(ctx, "")
	if err != nil || len(b.Messages) != 1 {
		t.Fatalf("fetch %+v, %v", b, err)
	}
	m := b.Messages[0]
	id, err := a.Send(ctx, inbox.Outgoing{Channel: "telegram", Account: a.Handle(), Conversation: m.Conversation, Kind: m.Kind,
		Text: "Use the label in the box 📦", InReplyTo: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	body := f.lastBody("sendMessage")
	rp, _ := body["reply_parameters"].(map[string]any)
	if num(body["chat_id"]) != -1001234567890 || num(body["message_thread_id"]) != 3 || rp == nil || num(rp["message_id"]) != 1 ||
		body["text"] != "Use the label in the box 📦" || body["business_connection_id"] != nil {
		t.Errorf("sendMessage %v", body)
	}
	if id != "-1001234567890:2:7000000001" {
		t.Errorf("id %q, want the chat, the new message_id and the bot", id)
	}
}

// A private chat's reply goes to the chat; a business chat's through its connection.
func TestSendPrivateAndBusiness(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	const conn = "AbCdEfGh-biz_1"
	f.owners[conn] = owner
	f.say("message", privateChat(alice), alice, "hello bot", nil)
	f.say("business_message", privateChat(bob), bob, "hello shop", map[string]any{"business_connection_id": conn})
	b, err := a.Fetch(ctx, "")
	if err != nil || len(b.Messages) != 2 {
		t.Fatalf("fetch %+v, %v", b, err)
	}
	for i, m := range b.Messages {
		id, err := a.Send(ctx, inbox.Outgoing{Conversation: m.Conversation, Kind: m.Kind, Text: "hi!", InReplyTo: m.ID})
		if err != nil {
			t.Fatal(err)
		}
		body := f.lastBody("sendMessage")
		want := []string{"111:2", "biz:" + conn + ":222:2"}[i]
		if id != want || num(body["chat_id"]) != num(m.Author.ID) || num(body["reply_parameters"].(map[string]any)["message_id"]) != 1 {
			t.Errorf("reply %d: id %q (want %q), body %v", i, id, want, body)
		}
		if bc, _ := body["business_connection_id"].(string); (i == 1) != (bc == conn) {
			t.Errorf("reply %d: business_connection_id %q", i, bc)
		}
	}
	// The business reply comes back as a business_message (sender_business_bot): the
	// same id as Send returned, so ingest keeps it once.
	b, err = a.Fetch(ctx, b.Cursor)
	if err != nil || len(b.Messages) != 1 || b.Messages[0].ID != "biz:"+conn+":222:2" || b.Messages[0].Direction != inbox.Out ||
		b.Messages[0].Agent != "@acme_support_bot" {
		t.Errorf("the echo %+v, %v", b.Messages, err)
	}
	// With no message to answer, the conversation names the chat.
	if _, err := a.Send(ctx, inbox.Outgoing{Conversation: "dm:111", Text: "one more thing"}); err != nil {
		t.Fatal(err)
	}
	if body := f.lastBody("sendMessage"); num(body["chat_id"]) != 111 || body["reply_parameters"] != nil {
		t.Errorf("sendMessage %v", body)
	}
}

// Refusals that retrying cannot fix are Permanent and say what happened in plain words.
func TestSendRefused(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	f.say("message", privateChat(alice), alice, "hello", nil)
	f.say("message", privateChat(bob), bob, "hello", nil)
	if _, err := a.Fetch(ctx, ""); err != nil {
		t.Fatal(err)
	}
	f.blocked[111] = true
	for _, c := range []struct {
		name string
		out  inbox.Outgoing
		is   error
		says string
	}{
		{"blocked", inbox.Outgoing{Conversation: "dm:111", InReplyTo: "111:1", Text: "hi"}, telegram.ErrBlocked, "blocked the bot"},
		{"the message answered is gone", inbox.Outgoing{Conversation: "dm:222", InReplyTo: "222:9", Text: "hi"}, telegram.ErrReplyGone, "message to reply not found"},
		{"too long", inbox.Outgoing{Conversation: "dm:222", InReplyTo: "222:1", Text: strings.Repeat("é", 4097)}, nil, "at most 4096"},
		{"nowhere", inbox.Outgoing{Conversation: "msg:x", Text: "hi"}, telegram.ErrNoChat, "needs the Telegram message"},
	} {
		_, err := a.Send(ctx, c.out)
		var ae *adapters.Error
		if !errors.As(err, &ae) || !ae.Permanent || ae.MaybeSent || (c.is != nil && !errors.Is(err, c.is)) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v (%+v), want permanent, saying %q", c.name, err, ae, c.says)
		}
	}
	if n := len(f.sentMessages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// The answer of a sendMessage that was carried out is lost (the connection dropped):
// the error says it may have been sent, and is not Permanent.
func TestSendLostAnswerMaybeSent(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	f.say("message", privateChat(alice), alice, "hello", nil)
	f.drop = 1
	_, err := a.Send(ctx, inbox.Outgoing{Conversation: "dm:111", InReplyTo: "111:1", Text: "hi"})
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.MaybeSent || ae.Permanent {
		t.Fatalf("err %v (%+v), want MaybeSent", err, ae)
	}
	if n := len(f.sentMessages()); n != 1 {
		t.Errorf("%d messages sent, want 1", n)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "AAH-SECRET") {
		t.Errorf("the token is in %q", err)
	}
}

// delete calls deleteMessage (deleteBusinessMessages in a business chat); block bans the
// author from the group (banChatSenderChat for a channel's message), and is refused in a
// private chat.
func TestModerate(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	if c := a.Capabilities(); !c.Reply || !c.Delete || !c.Block || c.Idempotent || c.Hide {
		t.Errorf("capabilities %+v", c)
	}
	f.say("message", group, bob, "buy followers cheap", nil)
	channel := map[string]any{"id": -1009876543210, "type": "channel", "title": "Spam Channel"}
	f.say("message", group, map[string]any{"id": 136817688, "is_bot": true, "first_name": "Channel", "username": "Channel_Bot"},
		"more spam", map[string]any{"sender_chat": channel})
	b, err := a.Fetch(ctx, "")
	if err != nil || len(b.Messages) != 2 {
		t.Fatalf("fetch %+v, %v", b, err)
	}
	if err := a.Moderate(ctx, "delete", b.Messages[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Moderate(ctx, "block", b.Messages[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Moderate(ctx, "block", b.Messages[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Moderate(ctx, "delete", "biz:AbC:111:5"); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	del, ban, banChat, delBiz := f.done["deleteMessage"], f.done["banChatMember"], f.done["banChatSenderChat"], f.done["deleteBusinessMessages"]
	f.mu.Unlock()
	if len(del) != 1 || num(del[0]["chat_id"]) != -1001234567890 || num(del[0]["message_id"]) != 1 {
		t.Errorf("deleteMessage %v", del)
	}
	if len(ban) != 1 || num(ban[0]["chat_id"]) != -1001234567890 || num(ban[0]["user_id"]) != 222 {
		t.Errorf("banChatMember %v", ban)
	}
	if len(banChat) != 1 || num(banChat[0]["sender_chat_id"]) != -1009876543210 {
		t.Errorf("banChatSenderChat %v", banChat)
	}
	if len(delBiz) != 1 || delBiz[0]["business_connection_id"] != "AbC" || num(delBiz[0]["message_ids"].([]any)[0]) != 5 {
		t.Errorf("deleteBusinessMessages %v", delBiz)
	}
	for _, c := range []struct{ action, id, says string }{
		{"block", "111:1", "only from groups"},
		{"hide", b.Messages[0].ID, "unsupported"},
		{"delete", "nonsense", "not a Telegram message id"},
	} {
		err := a.Moderate(ctx, c.action, c.id)
		var ae *adapters.Error
		if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s %s: %v, want permanent, saying %q", c.action, c.id, err, c.says)
		}
	}
	// A message deleted already: Telegram's own words.
	if err := a.Moderate(ctx, "delete", b.Messages[0].ID); err == nil || !strings.Contains(err.Error(), "message to delete not found") {
		t.Errorf("deleting twice: %v", err)
	}
}
