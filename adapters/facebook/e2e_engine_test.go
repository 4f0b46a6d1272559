package facebook_test

import (
	"context"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/facebook"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
)

// desk is a Page fake, an inbox on a temporary database with a clock the test moves, and
// the real sync engine with the real adapter between them.
type desk struct {
	f   *metatest.Page
	svc *inbox.Service
	eng *engine.Engine
	ctx context.Context
	*inboxtest.Clock
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	d := &desk{ctx: context.Background(), f: metatest.NewPage(t, pageID, token), Clock: inboxtest.NewClock(now())}
	d.svc = inboxtest.Open(t, inboxtest.SendAtOnce(t), d.Now)
	a := newAdapter(t, d.f, facebook.Options{})
	d.eng = engine.New(d.svc, []engine.Account{{Name: "facebook", Channel: "facebook", Handle: a.Handle(), Adapter: a}}, engine.Options{})
	return d
}

func (d *desk) clock() time.Time { return d.Now() }

func (d *desk) wait(dt time.Duration) { d.Advance(dt) }

// once runs the engine once; an error is fine only when the test expects one.
func (d *desk) once(t *testing.T, wantErr bool) {
	t.Helper()
	if err := d.eng.Once(d.ctx); (err != nil) != wantErr {
		t.Fatalf("Once = %v, want error %v", err, wantErr)
	}
}

// thread is the conversation's messages.
func (d *desk) thread(t *testing.T, conv int64) []inbox.MessageRow {
	t.Helper()
	th, err := d.svc.Thread(d.ctx, conv, 20)
	if err != nil {
		t.Fatal(err)
	}
	return th.Messages
}

// Through the real sync engine and inbox: the comments on a post land in one conversation,
// a second sync adds nothing, and a reply queued in the inbox is posted once under the
// comment answered (the top-level one, when answering a reply) and marked sent with
// Facebook's id; the reply comes back from Facebook as the Page's comment and is stored
// once.
func TestEngineFacebookCommentsAndReply(t *testing.T) {
	d := newDesk(t)
	post := d.f.AddPost(pageID, "", "new beans", "2026-12-05T09:00:00+0000")
	d.f.AddComment(post, "", "202", "Joao", "love the bag", "2026-12-05T09:30:00+0000")
	top := d.f.AddComment(post, "", "201", "Maria R", "when do they ship?", "2026-12-05T10:00:00+0000")
	follow := d.f.AddComment(post, top, "201", "Maria R", "to Lisbon?", "2026-12-05T10:01:00+0000")
	d.once(t, false)
	d.once(t, false)
	conv, err := d.svc.ConversationID(d.ctx, "facebook", pageID, "post:"+post)
	if err != nil {
		t.Fatal(err)
	}
	th := d.thread(t, conv)
	if len(th) != 3 || th[2].ExtID != follow || th[2].Text != "to Lisbon?" || th[2].InReplyTo != top {
		t.Fatalf("thread after two syncs = %+v", th)
	}

	if _, err := d.svc.Reply(d.ctx, conv, "Yes, Monday!"); err != nil {
		t.Fatal(err)
	}
	d.once(t, false)
	rs := d.f.Replies()
	if len(rs) != 1 || rs[0].Target != top || rs[0].Message != "Yes, Monday!" {
		t.Fatalf("replies posted: %+v, want Yes, Monday! under %s", rs, top)
	}
	out, err := d.svc.DB().Outbox(d.ctx)
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != rs[0].ID {
		t.Errorf("outbox = %+v, %v; want sent as %s", out, err, rs[0].ID)
	}
	d.once(t, false)
	if n := len(d.f.Replies()); n != 1 {
		t.Errorf("%d replies posted after another sync, want 1", n)
	}
	th = d.thread(t, conv)
	if len(th) != 4 || th[3].ExtID != rs[0].ID || th[3].Text != "Yes, Monday!" || th[3].Agent != "maria" {
		t.Errorf("thread after the reply came back = %+v", th)
	}
}

// A 500 and then a dropped connection after Facebook posted the comment: the engine
// retries, asks the Checker before posting again, finds the comment, and exactly one
// reply is on the post, the outbox sent as it, the thread showing it once.
func TestEngineFacebookFlakySend(t *testing.T) {
	d := newDesk(t)
	post := d.f.AddPost(pageID, "", "new beans", "2026-12-05T09:00:00+0000")
	top := d.f.AddComment(post, "", "201", "Maria R", "when do they ship?", "2026-12-05T10:00:00+0000")
	d.once(t, false)
	conv, err := d.svc.ConversationID(d.ctx, "facebook", pageID, "post:"+post)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Reply(d.ctx, conv, "Monday!"); err != nil {
		t.Fatal(err)
	}
	fail := metatest.ServerError()
	fail.Path = "/" + top + "/comments"
	d.f.Fail(fail)
	d.once(t, true)
	if n := len(d.f.Replies()); n != 0 {
		t.Fatalf("%d replies after a 500", n)
	}
	d.f.DropAnswer("POST", "/"+top+"/comments")
	d.wait(time.Hour)
	d.once(t, true)
	if n := len(d.f.Replies()); n != 1 {
		t.Fatalf("%d replies after the dropped answer, want the 1 Facebook kept", n)
	}
	for range 3 {
		d.wait(time.Hour)
		d.once(t, false)
	}
	rs := d.f.Replies()
	out, err := d.svc.DB().Outbox(d.ctx)
	if len(rs) != 1 || err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != rs[0].ID {
		t.Fatalf("replies %+v, outbox %+v, %v; want one, sent as it", rs, out, err)
	}
	// The sync before the Checker ran brought the comment back as the Page's own: it is
	// recognised as our reply in flight, so the thread shows it once, by its author.
	th := d.thread(t, conv)
	if len(th) != 2 || th[1].ExtID != rs[0].ID || th[1].Agent != "maria" {
		t.Errorf("thread = %+v; want the question and our reply once", th)
	}
}
