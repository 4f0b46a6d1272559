package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/telegram"
	"github.com/triage-inbox/triage/inbox"
)

const hookSecret = "hook-secret_0123456789"

// newWebhook builds the webhook as serve does, from an [[account]] table with the secret
// in the environment; keys change the table (nil removes a key).
func newWebhook(t *testing.T, keys map[string]any) (*telegram.Webhook, error) {
	t.Helper()
	t.Setenv("TEST_TELEGRAM_HOOK", hookSecret)
	table := map[string]any{"name": "acme-telegram", "channel": "telegram", "handle": "@acme_support_bot",
		"token_env": "TEST_TELEGRAM_TOKEN_UNSET", "webhook_secret_env": "TEST_TELEGRAM_HOOK"}
	for k, v := range keys {
		if table[k] = v; v == nil {
			delete(table, k)
		}
	}
	acc, err := adapters.NewAccount(0, table)
	if err != nil {
		t.Fatal(err)
	}
	return telegram.NewWebhook(context.Background(), acc)
}

// Every update, pushed to the webhook, makes the message polling makes of it: same id,
// conversation, kind, direction, author and text, in private chats, groups, forum
// topics and business chats; service messages make nothing either way. With the handle
// configured, the webhook needs no bot token.
func TestWebhookDecodesAsFetch(t *testing.T) {
	f := newFake(t)
	f.say("message", privateChat(alice), alice, "Hi, my order #4411 never arrived", nil)
	root := f.say("message", group, alice, "Does the grinder work with 220V? @Acme_Support_Bot", nil)
	f.say("message", group, bob, "mine does", map[string]any{"reply_to_message": replyTo(root), "message_thread_id": root["message_id"]})
	topic := f.say("message", group, owner, "", map[string]any{"message_thread_id": 3, "is_topic_message": true,
		"forum_topic_created": map[string]any{"name": "Returns", "icon_color": 7322096}})
	f.say("message", group, bob, "How do I send mine back?", map[string]any{"message_thread_id": 3, "is_topic_message": true,
		"reply_to_message": replyTo(topic)})
	const conn = "AbCdEfGh-biz_1"
	f.owners[conn] = owner
	q := f.say("business_message", privateChat(alice), alice, "Are you open on Sunday?", map[string]any{"business_connection_id": conn})
	f.say("business_message", privateChat(alice), owner, "Yes, 9 to 5!", map[string]any{"business_connection_id": conn, "reply_to_message": replyTo(q)})

	pushed := slices.Clone(f.updates)
	polled, err := newAdapter(t, f, nil).Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWebhook(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []inbox.Message
	for _, u := range pushed {
		body, _ := json.Marshal(u)
		msgs, skipped, err := w.Decode(body)
		if err != nil || len(skipped) > 0 {
			t.Fatalf("Decode(%s) = %v, %v", body, skipped, err)
		}
		got = append(got, msgs...)
	}
	if len(got) != 6 || len(got) != len(polled.Messages) {
		t.Fatalf("webhook made %d messages, polling %d, want 6 each", len(got), len(polled.Messages))
	}
	for i := range got {
		if !same(got[i], polled.Messages[i]) {
			t.Errorf("update %d:\nwebhook %+v %+v\npolling %+v %+v", i, got[i], got[i].Author, polled.Messages[i], polled.Messages[i].Author)
		}
	}
	if w.Handle() != "@acme_support_bot" {
		t.Errorf("handle %q", w.Handle())
	}
}

func TestWebhookDecodeRefusesWhatIsNoUpdate(t *testing.T) {
	w, err := newWebhook(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{``, `null`, `"update"`, `[]`, `{}`, `{"update_id":0}`, `{"update_id":-5,"message":{}}`,
		`{"update_id":"7"}`, `{"update_id":7,"message":[]}`, `{"update_id":7,"message":{"chat":"private"}}`} {
		if _, _, err := w.Decode([]byte(body)); !errors.Is(err, telegram.ErrNotUpdate) {
			t.Errorf("Decode(%s) = %v, want ErrNotUpdate", body, err)
		}
	}
	msgs, skipped, err := w.Decode([]byte(`{"update_id":9,"callback_query":{"id":"1","from":{"id":1,"is_bot":false,"first_name":"A"},"chat_instance":"x"},"my_chat_member":{}}`))
	if err != nil || len(msgs) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0], "callback_query, my_chat_member") {
		t.Errorf("an update of other kinds: %v %v %v, want it skipped by name", msgs, skipped, err)
	}
}

func TestWebhookSecret(t *testing.T) {
	w, err := newWebhook(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", "hook-secret_012345678", hookSecret + "9", strings.ToUpper(hookSecret), " " + hookSecret} {
		if w.Authentic(tok) {
			t.Errorf("Authentic(%q) = true", tok)
		}
	}
	if !w.Authentic(hookSecret) {
		t.Error("the secret itself is not authentic")
	}
	t.Setenv("TEST_TELEGRAM_HOOK_BAD", "secret with spaces")
	if _, err := newWebhook(t, map[string]any{"webhook_secret_env": "TEST_TELEGRAM_HOOK_BAD"}); err == nil || strings.Contains(err.Error(), "with spaces") {
		t.Errorf("a secret Telegram refuses: %v, want an error that does not quote it", err)
	}
	if _, err := newWebhook(t, map[string]any{"name": "acme/telegram"}); err == nil || !strings.Contains(err.Error(), "/v1/hooks/telegram/<name>") {
		t.Errorf("a name that is no path segment: %v", err)
	}
}

// An account served by webhook is not polled: Telegram refuses getUpdates while a
// webhook is set, and its updates come through serve.
func TestWebhookAccountIsNotPolled(t *testing.T) {
	f := newFake(t)
	f.say("message", privateChat(alice), alice, "hello", nil)
	t.Setenv("TEST_TELEGRAM_HOOK", hookSecret)
	b, err := newAdapter(t, f, map[string]any{"webhook_secret_env": "TEST_TELEGRAM_HOOK"}).Fetch(context.Background(), "800000001")
	if err != nil || len(b.Messages) != 0 || b.Cursor != "800000001" {
		t.Errorf("Fetch = %+v, %v; want nothing, the cursor kept", b, err)
	}
	if slices.Contains(f.methods(), "getUpdates") {
		t.Errorf("asked %v, want no getUpdates", f.methods())
	}
}
