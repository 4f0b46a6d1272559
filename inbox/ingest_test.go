package inbox

import (
	"context"
	"strings"
	"testing"
)

func TestIngestIsIdempotent(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	msgs := []Message{inMsg("1", "post:A", "Where is my order?", "2026-11-20T10:00:00Z"), inMsg("2", "post:A", "Hello?", "2026-11-20T10:05:00Z")}
	if c := mustIngest(t, s, msgs...); c.New != 2 || c.Present != 0 {
		t.Fatalf("first ingest = %+v, want 2 new", c)
	}
	// The same messages again, even with changed text, change nothing.
	msgs[0].Text = "edited"
	if c := mustIngest(t, s, msgs...); c.New != 0 || c.Present != 2 {
		t.Fatalf("second ingest = %+v, want 2 present", c)
	}
	n, _ := s.db.MessageCount(context.Background())
	if n != 2 {
		t.Fatalf("messages = %d, want 2", n)
	}
	th, _ := s.Thread(context.Background(), convOf(t, s, "post:A"), 10)
	if th.Messages[0].Text != "Where is my order?" {
		t.Errorf("text = %q, re-ingest must not overwrite", th.Messages[0].Text)
	}
	// The same id on another channel or account is another message.
	other := msgs[1]
	other.Account = "@acme_es"
	if c := mustIngest(t, s, other); c.New != 1 {
		t.Fatalf("other account: %+v, want new", c)
	}
}

func TestIngestThreading(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	dm := func(id, author string) Message {
		return Message{Channel: "x", Account: "@acme", ID: id, Kind: KindDM, Author: &Author{ID: author, Handle: "@" + author},
			Text: "hi", CreatedAt: at("2026-11-20T10:00:00Z")}
	}
	parent := Message{Channel: "reddit", Account: "r/acme", ID: "p1", Kind: KindComment, Author: &Author{ID: "u1"}, Text: "Broken again", CreatedAt: at("2026-11-20T09:00:00Z")}
	reply := Message{Channel: "reddit", Account: "r/acme", ID: "p2", Kind: KindComment, Author: &Author{ID: "u2"}, Text: "same here", CreatedAt: at("2026-11-20T09:30:00Z"), InReplyTo: "p1"}
	lone := Message{Channel: "reddit", Account: "r/acme", ID: "p3", Kind: KindComment, Author: &Author{ID: "u3"}, Text: "love it", CreatedAt: at("2026-11-20T09:40:00Z")}
	mustIngest(t, s, dm("d1", "901"), dm("d2", "901"), dm("d3", "902"), parent, reply, lone)
	for key, want := range map[string]int{"dm:901": 2, "dm:902": 1, "msg:p1": 2, "msg:p3": 1} {
		th, err := s.Thread(context.Background(), convOf(t, s, key), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(th.Messages) != want {
			t.Errorf("%s has %d messages, want %d", key, len(th.Messages), want)
		}
	}
}

func TestIngestRulesAndSentiment(t *testing.T) {
	cfg := `
[rules]
vip = ["@bigfan"]
spam_words = ["crypto giveaway"]
[[rules.rule]]
name = "urgent"
match = "refund|broken|lawyer|cancel"
priority = "urgent"
tags = ["refund"]
`
	s, _ := newTestInbox(t, cfg, at("2026-11-20T12:00:00Z"))
	m1 := inMsg("1", "post:A", "I want a refund, the lid is broken", "2026-11-20T10:00:00Z")
	m2 := inMsg("2", "post:B", "Free crypto giveaway click here", "2026-11-20T10:00:00Z")
	m3 := inMsg("3", "post:C", "Nice mug", "2026-11-20T10:00:00Z")
	m3.Author.Handle = "@bigfan"
	mustIngest(t, s, m1, m2, m3)
	ctx := context.Background()
	a, _ := s.db.Conversation(ctx, convOf(t, s, "post:A"))
	if a.Priority != int(PriorityUrgent) || len(a.Tags) != 1 || a.Tags[0] != "refund" {
		t.Errorf("refund conversation: priority %d tags %v, want urgent [refund]", a.Priority, a.Tags)
	}
	b, _ := s.db.Conversation(ctx, convOf(t, s, "post:B"))
	if b.State != string(StateSpam) {
		t.Errorf("spam conversation state = %s, want spam", b.State)
	}
	c, _ := s.db.Conversation(ctx, convOf(t, s, "post:C"))
	if c.Priority != int(PriorityHigh) {
		t.Errorf("VIP conversation priority = %d, want high", c.Priority)
	}
	th, _ := s.Thread(ctx, a.ID, 5)
	if th.Messages[0].Sentiment > NegativeThreshold {
		t.Errorf("sentiment of a broken-lid refund = %v, want negative", th.Messages[0].Sentiment)
	}
}

func TestNewInboundReopensDoneConversation(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:A", "Where is my order?", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "post:A")
	if err := s.Done(ctx, id); err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, inMsg("2", "post:A", "Still nothing", "2026-11-20T11:00:00Z"))
	c, _ := s.db.Conversation(ctx, id)
	if c.State != string(StateOpen) || c.Unanswered != 1 {
		t.Fatalf("after new message: state %s unanswered %d, want open 1", c.State, c.Unanswered)
	}
	ev, _ := s.Audit(ctx, id)
	last := ev[len(ev)-1]
	if last.Actor != "system" || last.From != "done" || last.To != "open" {
		t.Errorf("last audit event = %+v, want system done->open", last)
	}
}

func TestDecodeMessageErrors(t *testing.T) {
	cases := []struct{ line, want string }{
		{`{"channel":"x","id":"1","kind":"dm","text":"hi","created_at":"yesterday","author":{"id":"1"}}`, `field "created_at": "yesterday" is not an RFC 3339 time`},
		{`{"channel":"x","id":"1","kind":"tweet","text":"hi","created_at":"2026-11-20T10:00:00Z","author":{"id":"1"}}`, `field "kind": unknown kind "tweet"`},
		{`{"channel":"x","kind":"dm","text":"hi","created_at":"2026-11-20T10:00:00Z","author":{"id":"1"}}`, `field "id": required`},
		{`{"channel":"x","id":"1","kind":"dm","text":"hi","created_at":"2026-11-20T10:00:00Z"}`, `field "author": required for inbound`},
		{`{"channel":"x","id":"1","kind":"dm","text":"","created_at":"2026-11-20T10:00:00Z","author":{"id":"1"}}`, `field "text": required`},
		{`{"channel":"x","id":"1","kind":"dm","text":"hi","created_at":"2026-11-20T10:00:00Z","author":{"id":"1"},"direction":"sideways"}`, `field "direction"`},
		{`{"channel":"x","id":true}`, `field "id": want a string or a number`},
		{`{"channel":"googleplay","id":"1","kind":"review","text":"meh","created_at":"2026-11-20T10:00:00Z","author":{"id":"1"},"rating":6}`, `field "rating": want 1 to 5 stars, got 6`},
		{`{"channel":"x","id":"1","kind":"mention","text":"meh","created_at":"2026-11-20T10:00:00Z","author":{"id":"1"},"rating":2}`, `field "rating": only an inbound review has stars`},
		{`{"channel":"googleplay","id":"1","kind":"review","text":"meh","created_at":"2026-11-20T10:00:00Z","author":{"id":"1"},"rating":"two"}`, `field "rating": want a int`},
		{`{"channel":`, `not a JSON object`},
	}
	for _, c := range cases {
		_, err := DecodeMessage([]byte(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeMessage(%s) = %v, want %q", c.line, err, c.want)
		}
	}
	m, err := DecodeMessage([]byte(`{"channel":"Twitter","id":178956,"kind":"dm","direction":"out","text":"ok","created_at":"2026-11-20T10:00:00+01:00","agent":"maria"}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Channel != "x" || m.ID != "178956" || m.Direction != Out || !m.CreatedAt.Equal(at("2026-11-20T09:00:00Z")) {
		t.Errorf("decoded %+v", m)
	}
}
