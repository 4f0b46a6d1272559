package googleplay

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/enginetest"
)

// desk is the fake API, an inbox on a temporary database on the fake's clock, and the
// real sync engine with the real adapter between them; the engine's log is kept, to look
// for secrets in it.
type desk struct {
	f   *fake
	a   *Adapter
	svc *inbox.Service
	eng *engine.Engine
	ctx context.Context
	log *bytes.Buffer
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	d := &desk{ctx: context.Background(), f: newFake(t)}
	d.a = newAdapter(t, d.f, nil)
	bench := enginetest.New(t, d.f.clock, engine.Account{Name: "acme-play", Channel: "googleplay", Handle: d.a.Handle(), Adapter: d.a})
	d.svc, d.eng, d.log = bench.Svc, bench.Eng, bench.Log
	return d
}

// once runs the engine once, an hour after the last (past the interval between passes);
// wantErr is a text the error must hold, or "" for none.
func (d *desk) once(t *testing.T, wantErr string) {
	t.Helper()
	d.f.wait(time.Hour)
	err := d.eng.Once(d.ctx)
	if (wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), wantErr)) {
		t.Fatalf("Once = %v, want error %q", err, wantErr)
	}
	if err != nil {
		noSecret(t, err.Error())
	}
}

func (d *desk) review(t *testing.T, reviewID string) (int64, inbox.Thread) {
	t.Helper()
	id, err := d.svc.ConversationID(d.ctx, "googleplay", pkgName, "gp:"+reviewID)
	if err != nil {
		t.Fatalf("conversation of %s: %v", reviewID, err)
	}
	th, err := d.svc.Thread(d.ctx, id, 20)
	if err != nil {
		t.Fatal(err)
	}
	return id, th
}

func (d *desk) state(t *testing.T, conv int64) inbox.State {
	t.Helper()
	th, err := d.svc.Thread(d.ctx, conv, 1)
	if err != nil {
		t.Fatal(err)
	}
	return inbox.State(th.Info.State)
}

// A review arrives; a reply typed in triage is posted once to that review; the next
// syncs bring it back as the same message, by maria, never stored or posted twice. The
// author then edits the review: a new message in the same conversation, which reopens.
func TestEnginePlayReplyAndEdit(t *testing.T) {
	d := newDesk(t)
	id := d.f.review("Ana Lima", "The app logs me out every day.", 2)
	d.once(t, "")
	conv, th := d.review(t, id)
	if len(th.Messages) != 1 || th.Messages[0].Direction != "in" {
		t.Fatalf("thread %+v", th.Messages)
	}
	if _, err := d.svc.Reply(d.ctx, conv, "Sorry, Ana! Version 2.4.2 keeps you signed in."); err != nil {
		t.Fatal(err)
	}
	d.once(t, "")
	posts := d.f.callsTo("POST", ":reply")
	if len(posts) != 1 || !strings.HasSuffix(posts[0].Path, "/reviews/"+id+":reply") ||
		posts[0].Body["replyText"] != "Sorry, Ana! Version 2.4.2 keeps you signed in." {
		t.Fatalf("replies posted %+v, want one to %s", posts, id)
	}
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != replyID(id, d.f.replyOf(id)) {
		t.Fatalf("outbox %+v, %v", out, err)
	}
	d.once(t, "")
	d.once(t, "")
	_, th = d.review(t, id)
	var outs []string
	for _, m := range th.Messages {
		if m.Direction == "out" {
			outs = append(outs, m.ExtID+" by "+m.Agent)
		}
	}
	if len(th.Messages) != 2 || len(outs) != 1 || outs[0] != out[0].RemoteID+" by maria" {
		t.Errorf("thread %d messages, outbound %v; want the reply once, by maria", len(th.Messages), outs)
	}
	if s := d.state(t, conv); s != inbox.StateWaiting {
		t.Errorf("state %s after the reply, want waiting", s)
	}

	d.f.edit(id, "Still logged out after the update.", 1)
	d.once(t, "")
	_, th = d.review(t, id)
	if len(th.Messages) != 3 || th.Messages[2].Text != "Still logged out after the update." || th.Messages[2].Direction != "in" {
		t.Fatalf("thread after the edit %+v", th.Messages)
	}
	if s := d.state(t, conv); s != inbox.StateOpen {
		t.Errorf("state %s after the edit, want open", s)
	}
	if n := len(d.f.callsTo("POST", ":reply")); n != 1 {
		t.Errorf("%d replies posted, want 1", n)
	}
	noSecret(t, d.log.String())
}

// A reply made in the Play Console counts as an answer: the conversation waits.
func TestEnginePlayConsoleReplyAnswers(t *testing.T) {
	d := newDesk(t)
	id := d.f.review("Ben", "Love it", 5)
	d.once(t, "")
	d.f.consoleReply(id, "Thank you, Ben!")
	d.once(t, "")
	conv, th := d.review(t, id)
	if len(th.Messages) != 2 || th.Messages[1].Agent != NativeAgent {
		t.Fatalf("thread %+v", th.Messages)
	}
	if s := d.state(t, conv); s != inbox.StateWaiting {
		t.Errorf("state %s, want waiting", s)
	}
}

// A revoked key shows as the account's error, saying to reconnect, with no secret.
func TestEnginePlayRevokedKey(t *testing.T) {
	d := newDesk(t)
	d.f.revoked = true
	d.once(t, "reconnect")
	if s := d.eng.States()[0]; !strings.Contains(s.Err, "reconnect") || !strings.Contains(s.Err, d.a.auth.file) {
		t.Errorf("state %+v", s)
	}
	noSecret(t, d.log.String())
}

// Play makes the reply but the answer is lost (a 500): the engine sends it again, which
// replaces it with the same text (an upsert), so the review has one reply, and the
// outbox says sent with the id the reply bears when Fetch lists it.
func TestEnginePlayLostAnswerOneReply(t *testing.T) {
	d := newDesk(t)
	id := d.f.review("Ben", "Where is my order?", 3)
	d.once(t, "")
	conv, _ := d.review(t, id)
	if _, err := d.svc.Reply(d.ctx, conv, "It ships today."); err != nil {
		t.Fatal(err)
	}
	d.f.loseNext = 1
	d.once(t, "Internal error")
	for range 3 {
		d.once(t, "")
	}
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != replyID(id, "It ships today.") {
		t.Fatalf("outbox %+v, %v", out, err)
	}
	if _, th := d.review(t, id); len(th.Messages) != 2 {
		t.Errorf("thread %+v, want the review and the reply once", th.Messages)
	}
	if n := len(d.f.callsTo("POST", ":reply")); n != 2 {
		t.Errorf("%d POSTs, want 2 (the lost one and its retry, one reply)", n)
	}
}
