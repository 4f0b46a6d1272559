package x

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

func reply(conv, inReplyTo, text string) inbox.Outgoing {
	return inbox.Outgoing{OutboxID: 1, Channel: "x", Account: "@acme", Conversation: conv, Kind: inbox.KindMention,
		InReplyTo: inReplyTo, Text: text}
}

func dmReply(conv, inReplyTo, text string) inbox.Outgoing {
	return inbox.Outgoing{OutboxID: 2, Channel: "x", Account: "@acme", Conversation: conv, Kind: inbox.KindDM,
		InReplyTo: inReplyTo, Text: text, To: &inbox.Author{ID: ana}}
}

// A reply is POST /2/tweets with reply.in_reply_to_tweet_id the post answered; its id
// is the new post's.
func TestSendReply(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	root := f.tweet(ana, "@acme where is my parcel?", "")
	later := f.tweet(ana, "@acme hello??", root)
	id, err := a.Send(context.Background(), reply("x:"+root, later, "It ships today & arrives Monday."))
	if err != nil {
		t.Fatal(err)
	}
	posts := f.callsTo("POST", "/2/tweets")
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	body := posts[0].Body
	if body["text"] != "It ships today & arrives Monday." || body["reply"].(map[string]any)["in_reply_to_tweet_id"] != later {
		t.Errorf("body %v, want the text in reply to %s", body, later)
	}
	if p := f.posted(); len(p) != 1 || p[0].id != id || p[0].conv != root {
		t.Errorf("posted %+v, id %s", p, id)
	}
}

// A DM goes to its DM conversation, or to the author of a mention as a private reply;
// the id is the DM event's.
func TestSendDM(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	in := f.dm("conv-77", ana, "my order number is 123")
	id, err := a.Send(context.Background(), dmReply("dm:conv-77", in, "Thanks, looking now."))
	if err != nil {
		t.Fatal(err)
	}
	calls := f.callsTo("POST", "/2/dm_conversations/conv-77/messages")
	if len(calls) != 1 || calls[0].Body["text"] != "Thanks, looking now." || f.dms[len(f.dms)-1].id != id {
		t.Errorf("calls %+v id %s", calls, id)
	}
	root := f.tweet(ana, "@acme my card was charged twice", "")
	id, err = a.Send(context.Background(), dmReply("x:"+root, root, "Sorry! Could you DM us the last 4 digits?"))
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.callsTo("POST", "/2/dm_conversations/with/"+ana+"/messages"); len(calls) != 1 || f.dms[len(f.dms)-1].id != id {
		t.Errorf("private reply calls %+v", calls)
	}
}

// X takes no idempotency key: after an answer lost (a 500 once the post was made), Sent
// finds the post among the account's posts newer than the one answered, by its reply
// reference and its text as X gives it back (the @name before it, & escaped, a link
// turned into t.co); a reply not made is not found; an identical reply to another post,
// or one older than the post answered, is not taken for it.
func TestSentFindsAReplyPosted(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	other := f.tweet(ben, "@acme when do you open?", "")
	if _, err := a.Send(context.Background(), reply("x:"+other, other, "At 9 & see https://acme.test/hours")); err != nil {
		t.Fatal(err)
	}
	root := f.tweet(ana, "@acme and on Sunday?", "")
	out := reply("x:"+root, root, "At 9 & see https://acme.test/hours!")
	if _, found, err := a.Sent(context.Background(), out); err != nil || found {
		t.Fatalf("Sent before posting = %v, %v; want not found", found, err)
	}
	f.loseNext = 1
	_, err := a.Send(context.Background(), out)
	if !adapters.MaybeSent(err) {
		t.Fatalf("Send = %v, want MaybeSent", err)
	}
	// What X keeps: "@ana At 9 &amp; see https://t.co/…!"; the fake keeps the @name.
	f.mu.Lock()
	last := f.tweets[len(f.tweets)-1]
	last.text = strings.Replace(strings.Replace(last.text, "&", "&amp;", 1), "https://acme.test/hours", "https://t.co/Xy12Ab", 1)
	f.mu.Unlock()
	id, found, err := a.Sent(context.Background(), out)
	if err != nil || !found || id != last.id {
		t.Fatalf("Sent = %s, %v, %v; want %s", id, found, err, last.id)
	}
	calls := f.callsTo("GET", "/2/users/"+userID+"/tweets")
	if q := calls[len(calls)-1].Query; q.Get("since_id") != root {
		t.Errorf("timeline asked since_id %q, want the post answered %s", q.Get("since_id"), root)
	}
}

// A DM is looked for among the conversation's events after the DM answered, sent by the
// account with the same text; without a DM answered to bound the search, Sent cannot
// tell and says so (MaybeSent), and the engine leaves the reply for a person to check.
func TestSentDM(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.dm("conv-9", userID, "Thanks!") // an older, identical answer
	in := f.dm("conv-9", ana, "got it, thanks")
	out := dmReply("dm:conv-9", in, "Thanks!")
	if _, found, err := a.Sent(context.Background(), out); err != nil || found {
		t.Fatalf("Sent = %v, %v; an older DM must not count", found, err)
	}
	f.loseNext = 1
	if _, err := a.Send(context.Background(), out); !adapters.MaybeSent(err) {
		t.Fatalf("Send = %v, want MaybeSent", err)
	}
	id, found, err := a.Sent(context.Background(), out)
	if err != nil || !found || id != f.dms[len(f.dms)-1].id {
		t.Fatalf("Sent = %s, %v, %v", id, found, err)
	}
	if calls := f.callsTo("GET", "/2/dm_conversations/conv-9/dm_events"); len(calls) != 2 {
		t.Errorf("%d lookups of the conversation", len(calls))
	}
	out.InReplyTo = ""
	_, _, err = a.Sent(context.Background(), out)
	if !errors.Is(err, ErrCannotTell) || !adapters.MaybeSent(err) {
		t.Errorf("Sent without a DM answered = %v, want it cannot tell", err)
	}
}

// X refuses the same text twice with a 403: the error says so, and is permanent.
func TestDuplicateSaysSo(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	root := f.tweet(ana, "@acme hi", "")
	f.tweet(userID, "Hello!", "")
	_, err := a.Send(context.Background(), reply("x:"+root, root, "Hello!"))
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "same text twice") {
		t.Errorf("Send = %v", err)
	}
}

// Moderation: hide and unhide a reply (PUT /2/tweets/:id/hidden), mute its author (read
// from the post, or the DM event); block only with block = true, which X allows on
// Enterprise plans alone.
func TestModerate(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	ctx := context.Background()
	root := f.tweet(userID, "Our winter sale starts today", "")
	troll := f.tweet(ben, "@acme rubbish", root)
	if err := a.Moderate(ctx, "hide", troll); err != nil || !f.hidden[troll] {
		t.Fatalf("hide = %v, hidden %v", err, f.hidden)
	}
	if c := f.callsTo("PUT", "/2/tweets/"+troll+"/hidden"); len(c) != 1 || c[0].Body["hidden"] != true {
		t.Errorf("hide calls %+v", c)
	}
	if err := a.Moderate(ctx, "unhide", troll); err != nil || f.hidden[troll] {
		t.Errorf("unhide = %v, hidden %v", err, f.hidden)
	}
	if err := a.Moderate(ctx, "mute", troll); err != nil || len(f.muted) != 1 || f.muted[0] != ben {
		t.Errorf("mute = %v, muted %v", err, f.muted)
	}
	ev := f.dm("conv-1", ana, "spam spam")
	if err := a.Moderate(ctx, "mute", ev); err != nil || len(f.muted) != 2 || f.muted[1] != ana {
		t.Errorf("mute a DM's sender = %v, muted %v", err, f.muted)
	}
	if a.Capabilities().Block {
		t.Error("block offered without block = true")
	}
	if err := a.Moderate(ctx, "block", troll); !errors.Is(err, errors.ErrUnsupported) || len(f.callsTo("POST", "/2/users/"+userID+"/blocking")) != 0 {
		t.Errorf("block = %v, want unsupported without a request", err)
	}
	ent := newAdapter(t, f, map[string]any{"block": true, "keep_state": true}) // the rotated token, as a second process would
	if !ent.Capabilities().Block {
		t.Error("block = true does not offer block")
	}
	var ae *adapters.Error
	if err := ent.Moderate(ctx, "block", troll); !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "Enterprise") {
		t.Errorf("block on a plan without it = %v, want X's refusal", err)
	}
	f.enterprise = true
	if err := ent.Moderate(ctx, "block", troll); err != nil || len(f.blocked) != 1 || f.blocked[0] != ben {
		t.Errorf("block = %v, blocked %v", err, f.blocked)
	}
	if err := a.Moderate(ctx, "report", troll); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("report = %v", err)
	}
}
