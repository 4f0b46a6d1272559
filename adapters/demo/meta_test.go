package demo_test

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

func isMeta(channel string) bool {
	return channel == meta.ChannelInstagram || channel == meta.ChannelFacebook || channel == meta.ChannelWhatsApp
}

func isStore(channel string) bool { return channel == "googleplay" || channel == "appstore" }

// The accounts of the README's example config: the IG user id, the page id, the phone
// number id.
var metaAccounts = map[string]string{
	meta.ChannelInstagram: "17841400000000001",
	meta.ChannelFacebook:  "100000000000002",
	meta.ChannelWhatsApp:  "106540352242922",
}

// metaShapes are the conversation keys and message ids Meta's adapters give, per
// channel and kind: a Facebook comment's id is <post id>_<comment id>, a visitor's post's
// <page id>_<post id>. A Facebook review is the demo's own: no adapter brings them in.
var metaShapes = map[string]struct{ key, id *regexp.Regexp }{
	"instagram/comment": {regexp.MustCompile(`^media:1[78][0-9]{15}$`), regexp.MustCompile(`^17[0-9]{15}$`)},
	"instagram/mention": {regexp.MustCompile(`^media:1[78][0-9]{15}$`), regexp.MustCompile(`^1[78][0-9]{15}$`)},
	"instagram/dm":      {regexp.MustCompile(`^dm:[0-9]{16}$`), regexp.MustCompile(`^aWdfZAG[A-Za-z0-9_-]{40,}$`)},
	"facebook/comment":  {regexp.MustCompile(`^post:100000000000002_[0-9]{15,18}$`), regexp.MustCompile(`^[0-9]{15,18}_[0-9]{15,18}$`)},
	"facebook/dm":       {regexp.MustCompile(`^dm:[0-9]{16}$`), regexp.MustCompile(`^m_[A-Za-z0-9_-]{40,}$`)},
	"facebook/review":   {regexp.MustCompile(`^review:[0-9]{16}$`), regexp.MustCompile(`^[0-9]{16}$`)},
	"whatsapp/dm":       {regexp.MustCompile(`^wa:[0-9]{8,15}$`), regexp.MustCompile(`^wamid\.[A-Za-z0-9+/]+=*$`)},
}

var (
	igUsername = regexp.MustCompile(`^[a-z0-9._]{1,30}$`)
	scopedID   = regexp.MustCompile(`^[0-9]{16}$`)
)

// The demo's Instagram, Facebook and WhatsApp conversations are what the Meta adapters
// would bring in: the accounts of the README's config, Meta's keys and ids, authors as
// Graph names them, and now and then a reply written in Meta's own app.
func TestMetaConventions(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		convs := map[string][]inbox.Message{}
		native := 0
		for _, m := range demo.Messages(seed, now) {
			if !isMeta(m.Channel) {
				// YouTube Studio and the stores' consoles are native apps too: see their tests.
				if m.Agent == meta.NativeAgent && m.Channel != "youtube" && !isStore(m.Channel) {
					t.Errorf("seed %d: %s on %s is by %s", seed, m.ID, m.Channel, m.Agent)
				}
				continue
			}
			convs[m.Channel+" "+m.Conversation] = append(convs[m.Channel+" "+m.Conversation], m)
			what := fmt.Sprintf("seed %d: %s %s %s", seed, m.Channel, m.Kind, m.ID)
			shape, ok := metaShapes[m.Channel+"/"+string(m.Kind)]
			switch {
			case !ok:
				t.Errorf("%s: no %s on %s", what, m.Kind, m.Channel)
				continue
			case m.Account != metaAccounts[m.Channel]:
				t.Errorf("%s: account %q, want %q", what, m.Account, metaAccounts[m.Channel])
			case !shape.key.MatchString(m.Conversation):
				t.Errorf("%s: conversation %q, want %v", what, m.Conversation, shape.key)
			case !shape.id.MatchString(m.ID):
				t.Errorf("%s: id is not %v", what, shape.id)
			}
			if m.Agent == meta.NativeAgent {
				native++
			}
			if m.Direction == inbox.In {
				checkMetaAuthor(t, what, m)
			}
		}
		whatsapp := 0
		for key, msgs := range convs {
			first := msgs[0]
			if first.Direction != inbox.In || first.InReplyTo != "" {
				t.Errorf("seed %d: %s starts with %s %s in reply to %q", seed, key, first.Direction, first.ID, first.InReplyTo)
			}
			// A post that tags the brand, or a visitor's post on the Page, opens its own thread.
			isPost := "media:"+first.ID == first.Conversation || "post:"+first.ID == first.Conversation
			if first.Kind == inbox.KindMention && !isPost {
				t.Errorf("seed %d: %s: a mention is the post %s itself", seed, key, first.ID)
			}
			for _, m := range msgs[1:] {
				// Under a comment, Meta names the top-level comment a reply is under.
				if first.Kind == inbox.KindComment && !isPost && m.InReplyTo != first.ID {
					t.Errorf("seed %d: %s: %s answers %q, want the top-level comment %s", seed, key, m.ID, m.InReplyTo, first.ID)
				}
				if m.Channel == meta.ChannelFacebook && first.Kind != inbox.KindDM && first.Kind != inbox.KindReview &&
					!strings.HasPrefix(m.ID, strings.SplitN(first.Conversation, "_", 2)[1]+"_") {
					t.Errorf("seed %d: %s: comment %s is not <post id>_<comment id>", seed, key, m.ID)
				}
			}
			if first.Channel == meta.ChannelWhatsApp {
				whatsapp++
			}
		}
		t.Logf("seed %d: %d WhatsApp chats, %d replies from the native app", seed, whatsapp, native)
		if whatsapp < 2 || whatsapp > 12 {
			t.Errorf("seed %d: %d WhatsApp chats, want a few", seed, whatsapp)
		}
		if native == 0 {
			t.Errorf("seed %d: no reply written in Meta's own app", seed)
		}
	}
}

// checkMetaAuthor checks an inbound message's author is named as Graph names people.
func checkMetaAuthor(t *testing.T, what string, m inbox.Message) {
	t.Helper()
	a := m.Author
	switch {
	case m.Channel == meta.ChannelInstagram:
		// A username without the @; an IGSID, except on a post that tags the account.
		if !igUsername.MatchString(a.Handle) || a.Name != "" || (a.ID == "") != (m.Kind == inbox.KindMention) ||
			a.ID != "" && (!scopedID.MatchString(a.ID) || strings.HasPrefix(a.ID, "1784")) {
			t.Errorf("%s: author %+v, want an IGSID and a username", what, *a)
		}
	case m.Channel == meta.ChannelFacebook:
		if !scopedID.MatchString(a.ID) || a.Name == "" || a.Handle != "" {
			t.Errorf("%s: author %+v, want a PSID and a name", what, *a)
		}
	default:
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(m.ID, "wamid."))
		if m.Conversation != "wa:"+a.ID || a.Name == "" || a.Handle != "" || err != nil || !strings.Contains(string(raw), a.ID) {
			t.Errorf("%s: author %+v in %s, want the number of the chat and a name", what, *a, m.Conversation)
		}
	}
}
