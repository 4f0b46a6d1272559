package telegram_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/triage-inbox/triage/adapters/telegram"
	"github.com/triage-inbox/triage/inbox"
)

// A private chat with the bot is one conversation of direct messages, each with its
// chat-scoped id, author and time; media are named; service messages are not shown.
func TestFetchPrivateChat(t *testing.T) {
	f := newFake(t)
	m1 := f.say("message", privateChat(alice), alice, "Hi, my order #4411 never arrived", nil)
	m2 := f.say("message", privateChat(alice), alice, "", map[string]any{
		"photo":   []any{map[string]any{"file_id": "AgAC1", "file_unique_id": "u1", "width": 90, "height": 90, "file_size": 1200}},
		"caption": "this is the box I got"})
	b, err := newAdapter(t, f, nil).Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []inbox.Message{
		{Channel: "telegram", Account: "@acme_support_bot", ID: "111:1", Conversation: "dm:111", Kind: inbox.KindDM, Direction: inbox.In,
			Author: &inbox.Author{ID: "111", Handle: "@alice_k", Name: "Alice Kim"}, Text: "Hi, my order #4411 never arrived", CreatedAt: at(m1)},
		{Channel: "telegram", Account: "@acme_support_bot", ID: "111:2", Conversation: "dm:111", Kind: inbox.KindDM, Direction: inbox.In,
			Author: &inbox.Author{ID: "111", Handle: "@alice_k", Name: "Alice Kim"}, Text: "[photo]\nthis is the box I got", CreatedAt: at(m2)},
	}
	if len(b.Messages) != len(want) {
		t.Fatalf("messages %+v, want %d", b.Messages, len(want))
	}
	for i := range want {
		if got := b.Messages[i]; !same(got, want[i]) {
			t.Errorf("message %d:\n got %+v %+v\nwant %+v %+v", i, got, got.Author, want[i], want[i].Author)
		}
	}
	if b.Cursor != "800000003" || b.More {
		t.Errorf("cursor %q more %v, want 800000003 (the last update_id + 1) and no more", b.Cursor, b.More)
	}
	body := f.lastBody("getUpdates")
	if body["offset"] != nil || num(body["limit"]) != 100 || num(body["timeout"]) != 0 {
		t.Errorf("getUpdates %v, want no offset, limit 100, timeout 0", body)
	}
	if au, _ := body["allowed_updates"].([]any); !slices.Equal(au, []any{"message", "business_message"}) {
		t.Errorf("allowed_updates %v", body["allowed_updates"])
	}
}

func same(a, b inbox.Message) bool {
	if (a.Author == nil) != (b.Author == nil) || (a.Author != nil && *a.Author != *b.Author) {
		return false
	}
	a.Author, b.Author = nil, nil
	return a == b
}

// In a forum supergroup: a message that answers nothing starts its own conversation (a
// comment; a mention when it names the bot), a reply joins its parent through
// InReplyTo, a message in a topic is in the topic's conversation. Ids carry the author
// (for a ban), and links point at the public group's messages.
func TestFetchGroupReplyChainAndTopic(t *testing.T) {
	f := newFake(t)
	root := f.say("message", group, alice, "Does the grinder work with 220V? @Acme_Support_Bot", nil)
	reply := f.say("message", group, bob, "mine does", map[string]any{"reply_to_message": replyTo(root), "message_thread_id": root["message_id"]})
	topicStart := f.say("message", group, owner, "", map[string]any{"message_thread_id": 3, "is_topic_message": true,
		"forum_topic_created": map[string]any{"name": "Returns", "icon_color": 7322096}})
	inTopic := f.say("message", group, bob, "How do I send mine back?", map[string]any{"message_thread_id": 3, "is_topic_message": true,
		"reply_to_message": replyTo(topicStart)})
	b, err := newAdapter(t, f, nil).Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 3 {
		t.Fatalf("messages %+v, want 3 (the topic's creation is not a message to read)", b.Messages)
	}
	g := "-1001234567890"
	r, rp, tp := b.Messages[0], b.Messages[1], b.Messages[2]
	if r.ID != g+":1:111" || r.Kind != inbox.KindMention || r.Conversation != "" || r.InReplyTo != "" || r.URL != "https://t.me/acmecommunity/1" {
		t.Errorf("root %+v", r)
	}
	if rp.ID != g+":2:222" || rp.Kind != inbox.KindComment || rp.InReplyTo != r.ID || rp.Conversation != "" ||
		rp.Author.ID != "222" || rp.Author.Handle != "" || rp.Author.Name != "Bob" {
		t.Errorf("reply %+v %+v", rp, rp.Author)
	}
	if tp.ID != g+":"+strconv.Itoa(inTopic["message_id"].(int))+":222" || tp.Conversation != "topic:"+g+":3" || tp.InReplyTo != "" || tp.Kind != inbox.KindComment {
		t.Errorf("topic message %+v", tp)
	}
	_ = reply
}

// A business chat: the customer's messages are direct messages in the connection's
// conversation; the owner's own message from Telegram's app is outbound (an answer, by
// the native app); a message the bot sent on behalf of the business comes back with the
// id Send returned.
func TestFetchBusinessChat(t *testing.T) {
	f := newFake(t)
	const conn = "AbCdEfGh-biz_1"
	f.owners[conn] = owner
	biz := map[string]any{"business_connection_id": conn}
	q := f.say("business_message", privateChat(alice), alice, "Are you open on Sunday?", biz)
	ans := f.say("business_message", privateChat(alice), owner, "Yes, 9 to 5!", map[string]any{"business_connection_id": conn, "reply_to_message": replyTo(q)})
	a := newAdapter(t, f, nil)
	b, err := a.Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 2 {
		t.Fatalf("messages %+v", b.Messages)
	}
	in, out := b.Messages[0], b.Messages[1]
	conv := "biz:" + conn + ":111"
	if in.ID != conv+":1" || in.Conversation != conv || in.Kind != inbox.KindDM || in.Direction != inbox.In || in.Author.Handle != "@alice_k" {
		t.Errorf("customer's message %+v", in)
	}
	if out.ID != conv+":2" || out.Conversation != conv || out.Direction != inbox.Out || out.Agent != telegram.NativeAgent ||
		out.InReplyTo != in.ID || out.Text != "Yes, 9 to 5!" || !out.CreatedAt.Equal(at(ans)) {
		t.Errorf("owner's answer %+v", out)
	}
}

// The cursor is the next offset: the second fetch asks for the updates after the last
// one, which confirms the first batch, and nothing comes twice; a fetch with nothing new
// keeps the cursor; a full page says More.
func TestFetchOffsetCursor(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	a := newAdapter(t, f, nil)
	f.say("message", privateChat(alice), alice, "one", nil)
	b1, err := a.Fetch(ctx, "")
	if err != nil || len(b1.Messages) != 1 || b1.Cursor != "800000002" {
		t.Fatalf("first fetch %+v, %v", b1, err)
	}
	f.say("message", privateChat(alice), alice, "two", nil)
	b2, err := a.Fetch(ctx, b1.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if num(f.lastBody("getUpdates")["offset"]) != 800000002 {
		t.Errorf("second fetch asked offset %v, want 800000002", f.lastBody("getUpdates")["offset"])
	}
	if len(b2.Messages) != 1 || b2.Messages[0].Text != "two" || b2.Cursor != "800000003" {
		t.Errorf("second fetch %+v", b2)
	}
	// Asking again from an old cursor (a crash before it was stored) brings the
	// update not yet confirmed again, which ingest keeps once.
	if b, err := a.Fetch(ctx, b1.Cursor); err != nil || len(b.Messages) != 1 || b.Messages[0].ID != b2.Messages[0].ID {
		t.Errorf("refetch from the old cursor %+v, %v", b, err)
	}
	b3, err := a.Fetch(ctx, b2.Cursor)
	if err != nil || len(b3.Messages) != 0 || b3.Cursor != b2.Cursor || b3.More {
		t.Errorf("third fetch %+v, %v: want nothing, the same cursor", b3, err)
	}
	for range 150 {
		f.say("message", privateChat(bob), bob, "spam?", nil)
	}
	b4, err := a.Fetch(ctx, b3.Cursor)
	if err != nil || len(b4.Messages) != 100 || !b4.More {
		t.Fatalf("a full page: %d messages, more %v, %v", len(b4.Messages), b4.More, err)
	}
	b5, err := a.Fetch(ctx, b4.Cursor)
	if err != nil || len(b5.Messages) != 50 || b5.More || b5.Cursor != "800000153" {
		t.Errorf("the rest: %d messages, more %v, cursor %s, %v", len(b5.Messages), b5.More, b5.Cursor, err)
	}
}

// Without a configured handle, the bot's username is asked of Telegram (getMe).
func TestHandleFromGetMe(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"handle": nil})
	if a.Handle() != "@acme_support_bot" || !slices.Equal(f.methods(), []string{"getMe"}) {
		t.Errorf("handle %q, calls %v", a.Handle(), f.methods())
	}
}
