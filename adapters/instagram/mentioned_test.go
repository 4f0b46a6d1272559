package instagram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

// What the mentions webhook names by id alone is read in full: a comment on someone
// else's post that @mentions the account, and a post whose caption does (the same
// message the /tags poll makes of it, so it is stored once).
func TestMentionReadsWhatTheWebhookNamed(t *testing.T) {
	ctx := context.Background()
	f := metatest.New(t, igUser, token)
	c := f.AddMentioningComment("18000000000123456", "bea.costa", "@acme.coffee is this the one you roast?", "2026-12-06T10:00:00+0000")
	tagged := f.AddTag("caio", "Sunday with @acme.coffee", "2026-12-06T09:00:00+0000")
	a := newAdapter(t, f, 10)

	m, err := a.Mention(ctx, meta.Mention{Account: igUser, MediaID: "18000000000123456", CommentID: c})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != c || m.Kind != inbox.KindMention || m.Conversation != "media:18000000000123456" || m.Author == nil || m.Author.Handle != "bea.costa" ||
		m.Text != "@acme.coffee is this the one you roast?" || !m.CreatedAt.Equal(now().Add(-2*time.Hour)) || m.Direction != inbox.In || m.Account != igUser {
		t.Errorf("comment mention: %+v", m)
	}

	m, err = a.Mention(ctx, meta.Mention{Account: igUser, MediaID: tagged})
	if err != nil {
		t.Fatal(err)
	}
	b, err := newAdapterWith(t, f, instagram.Options{WatchPosts: 1, Mentions: true}).Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var polled *inbox.Message
	for i := range b.Messages {
		if b.Messages[i].ID == tagged {
			polled = &b.Messages[i]
		}
	}
	if polled == nil || m.ID != polled.ID || m.Conversation != polled.Conversation || m.Text != polled.Text || m.Author.Handle != polled.Author.Handle {
		t.Errorf("caption mention %+v, polled %+v: want the same message", m, polled)
	}

	if _, err := a.Mention(ctx, meta.Mention{Account: igUser, MediaID: "1", CommentID: "999"}); err == nil || !strings.Contains(err.Error(), "read the mention in comment 999") {
		t.Errorf("an unknown mention: %v", err)
	}
}
