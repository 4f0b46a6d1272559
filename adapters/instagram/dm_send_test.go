package instagram_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

// posts returns the JSON bodies of the POST /me/messages the fake saw.
func posts(t *testing.T, f *metatest.Server) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range f.Requests() {
		if r.Method == "POST" && r.Path == "/me/messages" {
			var body map[string]any
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatalf("POST /me/messages body %q: %v", r.Body, err)
			}
			out = append(out, body)
		}
	}
	return out
}

// A DM goes to the customer of its dm: conversation and a private reply to the comment it
// answers, each with the Send API's JSON body and nothing else; the message's id comes
// back. Meta's refusal of a second private reply to a comment is permanent and says why.
func TestSendDMAndPrivateReply(t *testing.T) {
	f := metatest.New(t, igUser, token)
	conv := f.AddConversation("maria.r", "is the shop open?", "2026-12-06T11:00:00+0000")
	customer, _ := f.Customer(conv)
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	q := f.AddComment(post, "", "joao", "price?", "2026-12-06T10:00:00+0000")
	a := newAdapterWith(t, f, instagram.DefaultOptions())
	ctx := context.Background()

	for i, tc := range []struct {
		name string
		out  inbox.Outgoing
		body string
	}{
		{"DM", inbox.Outgoing{Kind: inbox.KindDM, Conversation: "dm:" + customer, Text: "Yes, until 6!"},
			`{"recipient":{"id":"` + customer + `"},"message":{"text":"Yes, until 6!"}}`},
		{"private reply", inbox.Outgoing{Kind: inbox.KindDM, Conversation: "media:" + post, InReplyTo: q, Text: "12 euros, sent you the link"},
			`{"recipient":{"comment_id":"` + q + `"},"message":{"text":"12 euros, sent you the link"}}`},
	} {
		id, err := a.Send(ctx, tc.out)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var want map[string]any
		_ = json.Unmarshal([]byte(tc.body), &want)
		ps, sent := posts(t, f), f.SentMessages()
		if len(ps) != i+1 || !reflect.DeepEqual(ps[i], want) {
			t.Errorf("%s: body %v, want %v", tc.name, ps[len(ps)-1], want)
		}
		if len(sent) != i+1 || sent[i].ID != id || sent[i].Text != tc.out.Text {
			t.Errorf("%s: Send returned %q; the fake holds %+v", tc.name, id, sent)
		}
	}
	_, err := a.Send(ctx, inbox.Outgoing{Kind: inbox.KindDM, Conversation: "media:" + post, InReplyTo: q, Text: "and again"})
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "one private reply per comment") ||
		!strings.Contains(err.Error(), "invalid for a private reply") {
		t.Errorf("second private reply: %v", err)
	}
	for _, bad := range []inbox.Outgoing{{Kind: inbox.KindDM, Conversation: "media:" + post, Text: "x"}, {Kind: inbox.KindDM, Conversation: "dm:", Text: "x"}} {
		if _, err := a.Send(ctx, bad); !errors.As(err, &ae) || !ae.Permanent || !errors.Is(err, instagram.ErrNoRecipient) {
			t.Errorf("Send(%+v): %v, want ErrNoRecipient", bad, err)
		}
	}
	if n := len(f.SentMessages()); n != 2 {
		t.Errorf("%d messages sent, want 2", n)
	}
}

// Outside the 24-hour window Meta refuses a DM: permanent, in plain words with Meta's own.
// With human_agent, the DM is sent again once with the HUMAN_AGENT tag, which Meta takes
// for 7 days; within 24 hours no tag is used; past 7 days the tagged try is refused too.
func TestMessagingWindow(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lastWrote  string // the customer's last message; now is 2026-12-06 12:00 UTC
		humanAgent bool
		tags       []string // the tag of each POST
		sent       bool
		errs       []string
	}{
		{"within 24 hours", "2026-12-06T09:00:00+0000", true, []string{""}, true, nil},
		{"after 30 hours", "2026-12-05T06:00:00+0000", false, []string{""}, false,
			[]string{"outside Instagram's 24-hour messaging window", "This message is sent outside of allowed window", "human_agent = true"}},
		{"after 30 hours, human agent", "2026-12-05T06:00:00+0000", true, []string{"", "HUMAN_AGENT"}, true, nil},
		{"after 8 days, human agent", "2026-11-28T10:00:00+0000", true, []string{"", "HUMAN_AGENT"}, false,
			[]string{"outside Instagram's 24-hour messaging window, and past the 7 days of the HUMAN_AGENT tag", "This message is sent outside of allowed window"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := metatest.New(t, igUser, token)
			conv := f.AddConversation("maria.r", "is the shop open?", tc.lastWrote)
			customer, _ := f.Customer(conv)
			opts := instagram.DefaultOptions()
			opts.HumanAgent = tc.humanAgent
			a := newAdapterWith(t, f, opts)
			id, err := a.Send(context.Background(), inbox.Outgoing{Kind: inbox.KindDM, Conversation: "dm:" + customer, Text: "Sorry for the wait!"})

			var tags []string
			for _, p := range posts(t, f) {
				tag, _ := p["tag"].(string)
				if tag != "" && p["messaging_type"] != "MESSAGE_TAG" {
					t.Errorf("tag %q without messaging_type MESSAGE_TAG: %v", tag, p)
				}
				tags = append(tags, tag)
			}
			if !reflect.DeepEqual(tags, tc.tags) {
				t.Errorf("POSTs tagged %q, want %q", tags, tc.tags)
			}
			if sent := f.SentMessages(); tc.sent != (len(sent) == 1 && err == nil && sent[0].ID == id) {
				t.Errorf("sent %+v, id %q, err %v; want sent=%v", sent, id, err, tc.sent)
			}
			var ae *adapters.Error
			if tc.errs != nil && (!errors.As(err, &ae) || !ae.Permanent || !errors.Is(err, instagram.ErrOutsideWindow)) {
				t.Errorf("err %v, want a permanent ErrOutsideWindow", err)
			}
			for _, want := range tc.errs {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err %v, want it to say %q", err, want)
				}
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("token in error: %v", err)
			}
		})
	}
}

// Sent finds a DM already sent by its text among the conversation's latest messages, only
// after the customer's message it answers: not before it is sent, not an older message
// with the same text.
func TestSentDM(t *testing.T) {
	f := metatest.New(t, igUser, token)
	conv := f.AddConversation("maria.r", "is the shop open?", "2026-12-05T09:00:00+0000")
	f.AddMessage(conv, false, "Yes!", "2026-12-05T09:01:00+0000")
	ask := f.AddMessage(conv, true, "and tomorrow?", "2026-12-06T11:00:00+0000")
	customer, _ := f.Customer(conv)
	a := newAdapterWith(t, f, instagram.DefaultOptions())
	ctx := context.Background()
	out := inbox.Outgoing{Kind: inbox.KindDM, Conversation: "dm:" + customer, InReplyTo: ask, Text: "Yes!"}

	if id, found, err := a.Sent(ctx, out); err != nil || found {
		t.Fatalf("before sending: %q found=%v %v (the older Yes! answered another message)", id, found, err)
	}
	id, err := a.Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if got, found, err := a.Sent(ctx, out); err != nil || !found || got != id {
		t.Errorf("after sending: %q found=%v %v, want %q", got, found, err, id)
	}
}
