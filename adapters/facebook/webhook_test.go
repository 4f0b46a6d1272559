package facebook_test

import (
	"cmp"
	"context"
	"fmt"
	"testing"

	"github.com/triage-inbox/triage/adapters/facebook"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

// A visitor post, comments and a Messenger message polled are the messages Meta's
// webhook delivers, so each is stored once whichever way comes first.
func TestPolledMatchesWebhook(t *testing.T) {
	f := metatest.NewPage(t, pageID, token)
	post := f.AddPost(pageID, "", "new beans", "2026-12-05T09:00:00+0000")
	top := f.AddComment(post, "", "201", "Maria R", "when?", "2026-12-05T10:00:00+0000")
	reply := f.AddComment(post, top, "202", "Joao", "+1", "2026-12-05T10:01:00+0000")
	mid := f.AddMessage("7001", "Maria R", false, "hi", "2026-12-05T11:00:00+0000")
	v := f.AddPost("301", "Ana Lima", "open on Sunday?", "2026-12-05T08:00:00+0000")
	b, err := newAdapter(t, f, facebook.Options{}).Fetch(context.Background(), "")
	if err != nil || len(b.Messages) != 4 {
		t.Fatalf("fetch: %+v, %v", b, err)
	}
	delivery := fmt.Sprintf(`{"object":"page","entry":[{"id":%[1]q,"time":1796464860,"changes":[
		{"field":"feed","value":{"item":"status","verb":"add","post_id":%[6]q,"from":{"id":"301","name":"Ana Lima"},"message":"open on Sunday?","created_time":1796457600}},
		{"field":"feed","value":{"item":"comment","verb":"add","comment_id":%[2]q,"post_id":%[3]q,"parent_id":%[3]q,"from":{"id":"201","name":"Maria R"},"message":"when?","created_time":1796464800}},
		{"field":"feed","value":{"item":"comment","verb":"add","comment_id":%[4]q,"post_id":%[3]q,"parent_id":%[2]q,"from":{"id":"202","name":"Joao"},"message":"+1","created_time":1796464860}}],
		"messaging":[{"sender":{"id":"7001"},"recipient":{"id":%[1]q},"timestamp":1796468400000,"message":{"mid":%[5]q,"text":"hi"}}]}]}`,
		pageID, top, post, reply, mid, v)
	d, err := meta.DecodeWebhook([]byte(delivery))
	if err != nil || len(d.Messages) != 4 {
		t.Fatalf("webhook: %+v, %v", d, err)
	}
	for i, h := range d.Messages {
		p := b.Messages[i]
		if h.Channel != p.Channel || h.Account != p.Account || h.ID != p.ID || h.Conversation != p.Conversation || h.Kind != p.Kind ||
			h.InReplyTo != p.InReplyTo || h.Text != p.Text || cmp.Or(h.Direction, inbox.In) != p.Direction || h.Author.ID != p.Author.ID || !h.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("webhook %+v\npolled  %+v", h, p)
		}
	}
}
