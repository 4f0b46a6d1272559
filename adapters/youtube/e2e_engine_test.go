package youtube

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/enginetest"
	"github.com/triage-inbox/triage/store"
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
	bench := enginetest.New(t, d.f.clock, engine.Account{Name: "acme-youtube", Channel: "youtube", Handle: d.a.Handle(), Adapter: d.a})
	d.svc, d.eng, d.log = bench.Svc, bench.Eng, bench.Log
	return d
}

// once runs the engine once, an hour after the last (past any spacing of the polls);
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

func (d *desk) thread(t *testing.T, threadID string) (int64, inbox.Thread) {
	t.Helper()
	id, err := d.svc.ConversationID(d.ctx, "youtube", channelID, "yt:"+threadID)
	if err != nil {
		t.Fatalf("conversation of %s: %v", threadID, err)
	}
	th, err := d.svc.Thread(d.ctx, id, 20)
	if err != nil {
		t.Fatal(err)
	}
	return id, th
}

func (d *desk) outbox(t *testing.T) store.OutboxEntry {
	t.Helper()
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %+v, %v; want one reply", out, err)
	}
	return out[0]
}

// A comment and a reply to it arrive in one conversation; a reply typed in triage (to
// the latest, a reply) is posted once under the thread's top comment; the next syncs
// bring it back as the same message, by maria, never stored or posted twice.
func TestEngineYouTubeReply(t *testing.T) {
	d := newDesk(t)
	top := d.f.comment("vid42", ana, "@ana", "Does it work on a Mac?", "")
	d.f.reply(top, ben, "Ben", "+1, same question")
	d.once(t, "")
	conv, th := d.thread(t, top)
	if len(th.Messages) != 2 || th.Messages[1].InReplyTo != top || th.Messages[0].Direction != "in" {
		t.Fatalf("thread %+v", th.Messages)
	}
	if _, err := d.svc.Reply(d.ctx, conv, "Yes, macOS 13 and later."); err != nil {
		t.Fatal(err)
	}
	d.once(t, "")
	ins := d.f.callsTo("POST", "/youtube/v3/comments")
	if len(ins) != 1 || ins[0].Body["snippet"].(map[string]any)["parentId"] != top ||
		ins[0].Body["snippet"].(map[string]any)["textOriginal"] != "Yes, macOS 13 and later." {
		t.Fatalf("comments.insert %+v, want one under %s", ins, top)
	}
	st := d.outbox(t)
	sent := d.f.sentReplies()
	if st.Status != inbox.OutboxSent || len(sent) != 1 || st.RemoteID != sent[0].id || st.Attempts != 1 {
		t.Errorf("outbox %+v, replies %+v", st, sent)
	}
	d.f.reply(top, ana, "@ana", "thanks!")
	d.once(t, "")
	d.once(t, "")
	_, th = d.thread(t, top)
	var outs []string
	for _, m := range th.Messages {
		if m.Direction == "out" {
			outs = append(outs, m.ExtID+" by "+m.Agent)
		}
	}
	if len(th.Messages) != 4 || len(outs) != 1 || outs[0] != sent[0].id+" by maria" {
		t.Errorf("thread %d messages, outbound %v; want the reply once, by maria, and ana's thanks", len(th.Messages), outs)
	}
	if n := len(d.f.sentReplies()); n != 1 {
		t.Errorf("%d replies posted, want 1", n)
	}
	noSecret(t, d.log.String())
}

// YouTube makes the reply but the answer is lost (a 500): the engine asks the checker
// before trying again, which finds the reply; it is posted once and settled as sent.
func TestEngineYouTubeLostAnswerPostedOnce(t *testing.T) {
	d := newDesk(t)
	top := d.f.comment("vid42", ana, "@ana", "Where is my order?", "")
	d.once(t, "")
	conv, _ := d.thread(t, top)
	if _, err := d.svc.Reply(d.ctx, conv, "It ships today."); err != nil {
		t.Fatal(err)
	}
	d.f.loseNext = 1
	d.once(t, "Backend Error")
	for range 3 {
		d.once(t, "")
	}
	st := d.outbox(t)
	sent := d.f.sentReplies()
	if len(sent) != 1 || st.Status != inbox.OutboxSent || st.RemoteID != sent[0].id {
		t.Fatalf("outbox %+v, replies %+v: want one reply, sent", st, sent)
	}
	if _, th := d.thread(t, top); len(th.Messages) != 2 {
		t.Errorf("thread %+v, want the question and the reply once", th.Messages)
	}
	noSecret(t, d.log.String())
}

// The quota runs out: the account's state says until when, the reply waits, and after
// midnight Pacific it goes out once.
func TestEngineYouTubeQuotaShown(t *testing.T) {
	d := newDesk(t)
	top := d.f.comment("vid42", ana, "@ana", "hello?", "")
	d.once(t, "")
	conv, _ := d.thread(t, top)
	if _, err := d.svc.Reply(d.ctx, conv, "Hi!"); err != nil {
		t.Fatal(err)
	}
	d.f.quotaOut = true
	d.once(t, "(midnight Pacific)")
	if s := d.eng.States()[0]; !strings.Contains(s.Err, "quota until") {
		t.Errorf("state %+v, want the quota's reason", s)
	}
	if st := d.outbox(t); st.Status != inbox.OutboxPending || !strings.Contains(st.LastError, "midnight Pacific") {
		t.Errorf("outbox %+v, want waiting", st)
	}
	d.f.quotaOut = false
	reset := resetAfter(d.f.clock())
	for range 30 { // an hour each: until midnight Pacific the engine still waits
		d.f.wait(time.Hour)
		err := d.eng.Once(d.ctx)
		if err != nil && d.f.clock().After(reset) {
			t.Fatalf("Once after midnight Pacific = %v", err)
		}
		if err != nil && !strings.Contains(err.Error(), "midnight Pacific") {
			t.Fatalf("Once = %v", err)
		}
		if len(d.f.sentReplies()) > 0 {
			break
		}
	}
	if n := len(d.f.sentReplies()); n != 1 || d.f.clock().Before(reset) {
		t.Errorf("%d replies posted by %s, want 1 after %s", n, d.f.clock(), reset)
	}
}
