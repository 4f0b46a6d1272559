package demo_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// The demo's Meta messages, delivered by Meta's webhook as Meta documents it, come out
// of meta.DecodeWebhook as the demo has them: the same channel, account, conversation,
// id, direction, agent and author. The team's replies sent from triage are not
// delivered back as new messages, and a post that tags the account is polled, so those
// are left out.
func TestMetaMessagesAreWhatTheWebhookGives(t *testing.T) {
	tried := map[string]int{}
	for _, m := range demo.Messages(1, now) {
		if !isMeta(m.Channel) || m.Direction == inbox.Out && m.Agent != meta.NativeAgent ||
			m.Channel == meta.ChannelInstagram && m.Kind == inbox.KindMention && "media:"+m.ID == m.Conversation ||
			m.Kind == inbox.KindReview {
			continue
		}
		body, err := json.Marshal(webhookDelivery(m))
		if err != nil {
			t.Fatal(err)
		}
		d, err := meta.DecodeWebhook(body)
		if err != nil || len(d.Messages) != 1 {
			t.Fatalf("%s: %v, %d messages, skipped %q\n%s", m.ID, err, len(d.Messages), d.Skipped, body)
		}
		got := d.Messages[0]
		got.Normalize() // as ingest does: no direction is inbound
		tried[m.Channel+"/"+string(m.Direction)]++
		if got.Channel != m.Channel || got.Kind != m.Kind || got.Account != m.Account || got.Conversation != m.Conversation || got.ID != m.ID ||
			got.Direction != m.Direction || got.Agent != m.Agent || got.InReplyTo != m.InReplyTo || got.Text != m.Text ||
			!got.CreatedAt.Equal(m.CreatedAt) {
			t.Errorf("the webhook gives\n%+v\nthe demo has\n%+v", got, m)
			continue
		}
		if m.Author != nil && (got.Author == nil || got.Author.ID != m.Author.ID ||
			got.Author.Handle != "" && got.Author.Handle != m.Author.Handle || got.Author.Name != "" && got.Author.Name != m.Author.Name) {
			t.Errorf("%s: the webhook's author %+v, the demo's %+v", m.ID, got.Author, *m.Author)
		}
	}
	for _, k := range []string{"instagram/in", "instagram/out", "facebook/in", "whatsapp/in"} {
		if tried[k] == 0 {
			t.Errorf("no %s message tried (%v)", k, tried)
		}
	}
}

type obj = map[string]any

// webhookDelivery is the delivery Meta would send for m, as its webhook docs show them.
func webhookDelivery(m inbox.Message) obj {
	account, sec, ms := m.Account, m.CreatedAt.Unix(), m.CreatedAt.UnixMilli()
	var from obj
	if m.Direction == inbox.Out {
		from = obj{"id": account, "username": "kettlebird.coffee", "name": "Kettlebird"}
	} else {
		from = obj{"id": m.Author.ID, "username": m.Author.Handle, "name": m.Author.Name}
	}
	switch {
	case m.Channel == meta.ChannelWhatsApp:
		v := obj{
			"messaging_product": "whatsapp",
			"metadata":          obj{"display_phone_number": "15550783881", "phone_number_id": account},
			"contacts":          []obj{{"profile": obj{"name": m.Author.Name}, "wa_id": m.Author.ID}},
			"messages":          []obj{{"from": m.Author.ID, "id": m.ID, "timestamp": fmt.Sprint(sec), "type": "text", "text": obj{"body": m.Text}}},
		}
		return obj{"object": "whatsapp_business_account", "entry": []obj{{"id": "102290129340398", "changes": []obj{{"field": "messages", "value": v}}}}}
	case m.Kind == inbox.KindDM:
		object, customer := "instagram", strings.TrimPrefix(m.Conversation, "dm:")
		if m.Channel == meta.ChannelFacebook {
			object = "page"
		}
		ev := obj{"sender": obj{"id": customer}, "recipient": obj{"id": account}, "timestamp": ms, "message": obj{"mid": m.ID, "text": m.Text}}
		if m.Direction == inbox.Out {
			ev = obj{"sender": obj{"id": account}, "recipient": obj{"id": customer}, "timestamp": ms,
				"message": obj{"mid": m.ID, "text": m.Text, "is_echo": true}}
		}
		return obj{"object": object, "entry": []obj{{"id": account, "time": ms, "messaging": []obj{ev}}}}
	case m.Channel == meta.ChannelInstagram:
		v := obj{"id": m.ID, "text": m.Text, "from": from, "media": obj{"id": strings.TrimPrefix(m.Conversation, "media:")}}
		if m.InReplyTo != "" {
			v["parent_id"] = m.InReplyTo
		}
		return obj{"object": "instagram", "entry": []obj{{"id": account, "time": sec, "changes": []obj{{"field": "comments", "value": v}}}}}
	}
	post := strings.TrimPrefix(m.Conversation, "post:")
	v := obj{"item": "comment", "verb": "add", "comment_id": m.ID, "post_id": post, "parent_id": post,
		"from": from, "message": m.Text, "created_time": sec}
	if m.InReplyTo != "" {
		v["parent_id"] = m.InReplyTo
	}
	if m.ID == post { // a visitor's post on the Page
		v = obj{"item": "status", "verb": "add", "post_id": post, "from": from, "message": m.Text, "created_time": sec}
	}
	return obj{"object": "page", "entry": []obj{{"id": account, "time": sec, "changes": []obj{{"field": "feed", "value": v}}}}}
}
