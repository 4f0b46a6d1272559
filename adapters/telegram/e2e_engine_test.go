package telegram_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/enginetest"
	"github.com/triage-inbox/triage/store"
)

// desk is the fake Bot API, an inbox on a temporary database with a clock the test
// moves, and the real sync engine with the real adapter between them; the engine's log
// is kept, to look for the token in it.
type desk struct {
	f   *fake
	svc *inbox.Service
	eng *engine.Engine
	ctx context.Context
	log *bytes.Buffer

	mu  sync.Mutex
	now time.Time
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	d := &desk{ctx: context.Background(), now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), f: newFake(t)}
	a := newAdapter(t, d.f, nil)
	bench := enginetest.New(t, d.clock, engine.Account{Name: "acme-telegram", Channel: "telegram", Handle: a.Handle(), Adapter: a})
	d.svc, d.eng, d.log = bench.Svc, bench.Eng, bench.Log
	return d
}

func (d *desk) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *desk) wait(dt time.Duration) {
	d.mu.Lock()
	d.now = d.now.Add(dt)
	d.mu.Unlock()
}

// once runs the engine once; wantErr is a text the error must hold, or "" for none.
func (d *desk) once(t *testing.T, wantErr string) {
	t.Helper()
	err := d.eng.Once(d.ctx)
	if (wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), wantErr)) {
		t.Fatalf("Once = %v, want error %q", err, wantErr)
	}
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("the token is in %q", err)
	}
}

func (d *desk) conv(t *testing.T, key string) int64 {
	t.Helper()
	id, err := d.svc.ConversationID(d.ctx, "telegram", "@acme_support_bot", key)
	if err != nil {
		t.Fatalf("conversation %s: %v", key, err)
	}
	return id
}

func (d *desk) outbox(t *testing.T) store.OutboxEntry {
	t.Helper()
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %+v, %v; want one reply", out, err)
	}
	return out[0]
}

// A message arrives in a group and another answers it; a reply typed in triage goes out
// once, answering the latest with reply_parameters in the same chat; the cursor is
// stored with the messages, so the next sync asks for what came after and nothing is
// stored twice; the customer's answer to the bot's reply joins the conversation.
func TestEngineTelegramReply(t *testing.T) {
	d := newDesk(t)
	root := d.f.say("message", group, alice, "Does the grinder work with 220V?", nil)
	d.f.say("message", group, bob, "asking too", map[string]any{"reply_to_message": replyTo(root)})
	d.once(t, "")
	conv := d.conv(t, "msg:-1001234567890:1:111")
	th, err := d.svc.Thread(d.ctx, conv, 10)
	if err != nil || len(th.Messages) != 2 || th.Messages[1].AuthorName != "Bob" || th.Messages[1].InReplyTo != th.Messages[0].ExtID {
		t.Fatalf("thread %+v, %v", th.Messages, err)
	}
	if _, err := d.svc.Reply(d.ctx, conv, "Yes, 110–240V."); err != nil {
		t.Fatal(err)
	}
	d.once(t, "")
	sent := d.f.sentMessages()
	if len(sent) != 1 {
		t.Fatalf("%d messages sent, want 1", len(sent))
	}
	body := d.f.lastBody("sendMessage")
	if num(body["chat_id"]) != -1001234567890 || num(body["reply_parameters"].(map[string]any)["message_id"]) != 2 || body["text"] != "Yes, 110–240V." {
		t.Errorf("sendMessage %v, want an answer to Bob's message 2", body)
	}
	st := d.outbox(t)
	if st.Status != inbox.OutboxSent || st.RemoteID != "-1001234567890:3:7000000001" || st.Attempts != 1 {
		t.Errorf("outbox %+v", st)
	}
	if off := num(d.f.lastBody("getUpdates")["offset"]); off != 800000003 {
		t.Errorf("the second sync asked offset %d, want 800000003 (stored with the messages)", off)
	}

	// Bob answers the bot's reply: it joins the conversation through the reply's id.
	d.f.say("message", group, bob, "thanks!", map[string]any{"reply_to_message": replyTo(sent[0])})
	d.wait(time.Hour)
	d.once(t, "")
	d.once(t, "")
	th, err = d.svc.Thread(d.ctx, conv, 10)
	if err != nil || len(th.Messages) != 4 || byExt(th, st.RemoteID).Direction != "out" || byExt(th, "-1001234567890:4:222").Text != "thanks!" {
		t.Fatalf("thread %+v, %v: want the reply once and Bob's thanks", th.Messages, err)
	}
	if n := len(d.f.sentMessages()); n != 1 {
		t.Errorf("%d messages sent after more syncs, want still 1", n)
	}
	if strings.Contains(d.log.String(), token) {
		t.Errorf("the token is in the log")
	}
}

// The answer to sendMessage is lost after Telegram sent the message: Telegram cannot be
// asked and takes no key, so the reply ends unknown for a person to check, and later
// syncs never post it again.
func TestEngineTelegramLostAnswerIsUnknown(t *testing.T) {
	d := newDesk(t)
	d.f.say("message", privateChat(alice), alice, "where is my order?", nil)
	d.once(t, "")
	if _, err := d.svc.Reply(d.ctx, d.conv(t, "dm:111"), "It ships today."); err != nil {
		t.Fatal(err)
	}
	d.f.drop = 1
	d.once(t, "EOF")
	st := d.outbox(t)
	if st.Status != inbox.OutboxUnknown || !strings.Contains(st.LastError, "check the channel") || strings.Contains(st.LastError, token) {
		t.Errorf("outbox %+v, want unknown", st)
	}
	for range 3 {
		d.wait(time.Hour)
		d.once(t, "")
	}
	if n := len(d.f.sentMessages()); n != 1 {
		t.Errorf("%d messages sent, want exactly 1", n)
	}
	if strings.Contains(d.log.String(), token) {
		t.Errorf("the token is in the log: %s", d.log.String())
	}
}

// A business chat: the owner answers from Telegram's app (outbound, an answer by the
// native app); then a reply typed in triage goes out through the business connection,
// and its copy coming back as a business_message is not stored twice.
func TestEngineTelegramBusinessEcho(t *testing.T) {
	d := newDesk(t)
	const conn = "AbCdEfGh-biz_1"
	d.f.owners[conn] = owner
	q := d.f.say("business_message", privateChat(alice), alice, "Are you open on Sunday?", map[string]any{"business_connection_id": conn})
	d.f.say("business_message", privateChat(alice), owner, "Yes, 9 to 5!", map[string]any{"business_connection_id": conn, "reply_to_message": replyTo(q)})
	d.once(t, "")
	conv := d.conv(t, "biz:"+conn+":111")
	th, err := d.svc.Thread(d.ctx, conv, 10)
	if err != nil || len(th.Messages) != 2 || th.Messages[1].Direction != "out" || th.Messages[1].Agent != "(native app)" ||
		th.Messages[0].AnsweredAt == 0 {
		t.Fatalf("thread %+v, %v: want the owner's answer outbound, answering alice", th.Messages, err)
	}
	d.f.say("business_message", privateChat(alice), alice, "And Monday?", map[string]any{"business_connection_id": conn})
	d.once(t, "")
	if _, err := d.svc.Reply(d.ctx, conv, "Closed on Mondays."); err != nil {
		t.Fatal(err)
	}
	d.once(t, "")
	d.once(t, "") // brings the copy of the reply
	body := d.f.lastBody("sendMessage")
	if body["business_connection_id"] != conn || num(body["chat_id"]) != 111 || num(body["reply_parameters"].(map[string]any)["message_id"]) != 3 {
		t.Errorf("sendMessage %v", body)
	}
	th, err = d.svc.Thread(d.ctx, conv, 10)
	if err != nil || len(th.Messages) != 4 {
		t.Fatalf("thread %+v, %v: want 4 messages, the reply once", th.Messages, err)
	}
	if last := byExt(th, "biz:"+conn+":111:4"); last.Direction != "out" || last.Agent != "maria" || last.ExtID != "biz:"+conn+":111:4" || last.OutboxStatus != inbox.OutboxSent {
		t.Errorf("the reply %+v", last)
	}
}

// byExt is the thread's message with that channel id, or a zero row.
func byExt(th inbox.Thread, ext string) store.MessageRow {
	for _, m := range th.Messages {
		if m.ExtID == ext {
			return m
		}
	}
	return store.MessageRow{}
}
