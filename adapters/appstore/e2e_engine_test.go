package appstore

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
	bench := enginetest.New(t, d.f.clock, engine.Account{Name: "acme-ios", Channel: "appstore", Handle: d.a.Handle(), Adapter: d.a})
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
	id, err := d.svc.ConversationID(d.ctx, "appstore", appID, "as:"+reviewID)
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

// A review arrives; a response typed in triage is posted once to that review; the next
// syncs (Apple holding it for review, then publishing it) bring it back as the same
// message, by maria, never stored or posted twice. The author then edits the review
// (Apple keeping its first date): a new message in the same conversation, which reopens.
func TestEngineAppStoreReplyAndEdit(t *testing.T) {
	d := newDesk(t)
	id := d.f.review("sunny_ana", "Logged out", "The app logs me out every day.", 2)
	d.once(t, "")
	conv, th := d.review(t, id)
	if len(th.Messages) != 1 || th.Messages[0].Direction != "in" {
		t.Fatalf("thread %+v", th.Messages)
	}
	if _, err := d.svc.Reply(d.ctx, conv, "Sorry! Version 3.1 keeps you signed in."); err != nil {
		t.Fatal(err)
	}
	d.once(t, "")
	posts := d.f.callsTo("POST", "/v1/customerReviewResponses")
	if len(posts) != 1 {
		t.Fatalf("responses posted %+v, want one", posts)
	}
	data := posts[0].Body["data"].(map[string]any)
	rd := data["relationships"].(map[string]any)["review"].(map[string]any)["data"].(map[string]any)
	if rd["id"] != id || data["attributes"].(map[string]any)["responseBody"] != "Sorry! Version 3.1 keeps you signed in." {
		t.Fatalf("posted %+v, want the response to %s", data, id)
	}
	resp := d.f.responseOf(id)
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != responseID(resp.id, resp.body) {
		t.Fatalf("outbox %+v, %v", out, err)
	}
	d.once(t, "")
	d.f.publish()
	d.once(t, "")
	_, th = d.review(t, id)
	var outs []string
	for _, m := range th.Messages {
		if m.Direction == "out" {
			outs = append(outs, m.ExtID+" by "+m.Agent)
		}
	}
	if len(th.Messages) != 2 || len(outs) != 1 || outs[0] != out[0].RemoteID+" by maria" {
		t.Errorf("thread %d messages, outbound %v; want the response once, by maria", len(th.Messages), outs)
	}
	if s := d.state(t, conv); s != inbox.StateWaiting {
		t.Errorf("state %s after the response, want waiting", s)
	}

	d.f.edit(id, "Still logged out after the update.", 1, false)
	d.once(t, "")
	_, th = d.review(t, id)
	if len(th.Messages) != 3 || !strings.Contains(th.Messages[2].Text, "Still logged out") || th.Messages[2].Direction != "in" {
		t.Fatalf("thread after the edit %+v", th.Messages)
	}
	if s := d.state(t, conv); s != inbox.StateOpen {
		t.Errorf("state %s after the edit, want open", s)
	}
	if n := len(d.f.callsTo("POST", "/v1/customerReviewResponses")); n != 1 {
		t.Errorf("%d responses posted, want 1", n)
	}
	noSecret(t, d.log.String())
}

// Apple makes the response but the answer is lost (a 500): sending again replaces it
// with the same text (an upsert), so there is still one response, and the reply is sent.
func TestEngineAppStoreLostAnswerOneResponse(t *testing.T) {
	d := newDesk(t)
	id := d.f.review("ben", "Order", "Where is it?", 3)
	d.once(t, "")
	conv, _ := d.review(t, id)
	if _, err := d.svc.Reply(d.ctx, conv, "It ships today."); err != nil {
		t.Fatal(err)
	}
	d.f.loseNext = 1
	d.once(t, "unexpected error")
	for range 3 {
		d.once(t, "")
	}
	out, err := d.svc.DB().Outbox(d.ctx)
	resp := d.f.responseOf(id)
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || resp == nil || out[0].RemoteID != responseID(resp.id, resp.body) {
		t.Fatalf("outbox %+v, response %+v", out, resp)
	}
	if _, th := d.review(t, id); len(th.Messages) != 2 {
		t.Errorf("thread %+v, want the review and the response once", th.Messages)
	}
}

// A response made in App Store Connect counts as an answer: the conversation waits.
func TestEngineAppStoreConnectResponseAnswers(t *testing.T) {
	d := newDesk(t)
	id := d.f.review("ben", "Love it", "Great.", 5)
	d.once(t, "")
	d.f.connectResponse(id, "Thank you!")
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
func TestEngineAppStoreRevokedKey(t *testing.T) {
	d := newDesk(t)
	d.f.revoked = true
	d.once(t, "reconnect")
	if s := d.eng.States()[0]; !strings.Contains(s.Err, "reconnect") || !strings.Contains(s.Err, keyID) {
		t.Errorf("state %+v", s)
	}
	noSecret(t, d.log.String())
}
