package instagram_test

import (
	"context"
	"testing"

	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

// A post by someone else that tags the account is a mention, inbound from its author, in
// conversation media:<id> with its link; each comes once, even one published in the same
// second as the last seen; older than a week is history.
func TestFetchMentionsOnce(t *testing.T) {
	f := metatest.New(t, igUser, token)
	f.AddTag("old.fan", "last month", "2026-11-01T09:00:00+0000")
	tag := f.AddTag("lisbon.eats", "best flat white in town @acme.coffee", "2026-12-06T08:00:00+0000")
	a := newAdapterWith(t, f, instagram.Options{WatchPosts: 1, Mentions: true})
	ctx := context.Background()

	b, err := a.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 1 {
		t.Fatalf("first fetch: %q, want the week's one mention", texts(b.Messages))
	}
	m := b.Messages[0]
	if m.ID != tag || m.Kind != inbox.KindMention || m.Conversation != "media:"+tag || m.Direction != inbox.In ||
		m.Author == nil || m.Author.Handle != "lisbon.eats" || m.Text != "best flat white in town @acme.coffee" ||
		m.URL == "" || m.Channel != "instagram" || m.Account != igUser {
		t.Errorf("mention: %+v", m)
	}
	again, err := a.Fetch(ctx, b.Cursor)
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("the same mention again: %q, %v", texts(again.Messages), err)
	}
	f.AddTag("porto.food", "same second", "2026-12-06T08:00:00+0000")
	next, err := a.Fetch(ctx, again.Cursor)
	if err != nil || texts(next.Messages) != "same second" {
		t.Errorf("new mention: %q, %v", texts(next.Messages), err)
	}
}
