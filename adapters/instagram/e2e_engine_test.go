package instagram_test

import (
	"context"
	"testing"

	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
)

// Through the real sync engine and inbox: the comments on a post land in one conversation,
// a second sync adds nothing, and a reply queued in the inbox is posted once under the
// customer's comment and marked sent with Instagram's id.
func TestEngineInstagramCommentsAndReply(t *testing.T) {
	ctx := context.Background()
	f := metatest.New(t, igUser, token)
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	q := f.AddComment(post, "", "maria.r", "when do they ship?", "2026-12-05T10:00:00+0000")
	f.AddComment(post, "", "joao", "love the bag", "2026-12-05T09:30:00+0000")

	svc := inboxtest.Open(t, inboxtest.SendAtOnce(t), now)
	a := newAdapter(t, f, 10)
	eng := engine.New(svc, []engine.Account{{Name: "instagram", Channel: "instagram", Handle: a.Handle(), Adapter: a}}, engine.Options{})
	for range 2 {
		if err := eng.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	conv, err := svc.ConversationID(ctx, "instagram", igUser, "media:"+post)
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.Thread(ctx, conv, 10)
	if err != nil || len(th.Messages) != 2 || th.Messages[1].ExtID != q || th.Messages[1].Text != "when do they ship?" {
		t.Fatalf("thread after two syncs = %+v, %v", th.Messages, err)
	}

	if _, err := svc.Reply(ctx, conv, "Monday!"); err != nil {
		t.Fatal(err)
	}
	if err := eng.Once(ctx); err != nil {
		t.Fatal(err)
	}
	rs := f.Replies()
	if len(rs) != 1 || rs[0].CommentID != q || rs[0].Message != "Monday!" {
		t.Fatalf("replies posted: %+v, want Monday! under %s", rs, q)
	}
	out, err := svc.DB().Outbox(ctx)
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != rs[0].ID {
		t.Errorf("outbox = %+v, %v; want sent as %s", out, err, rs[0].ID)
	}
	if err := eng.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Replies()); n != 1 {
		t.Errorf("%d replies posted after another sync, want 1", n)
	}
	// The reply comes back from Instagram as the account's own comment: it is the same
	// message as the one sent, not a second copy.
	th, err = svc.Thread(ctx, conv, 10)
	if err != nil || len(th.Messages) != 3 || th.Messages[2].ExtID != rs[0].ID || th.Messages[2].Text != "Monday!" {
		t.Errorf("thread after the reply came back = %+v, %v", th.Messages, err)
	}
}
