package demo_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
)

var (
	xPostID = regexp.MustCompile(`^[0-9]{18,19}$`)
	xDMConv = regexp.MustCompile(`^dm:([0-9]+)-([0-9]+)$`)
)

// The demo's X conversations are what adapters/x brings in: a post and the replies under
// it are "x:<the first post's id>", every post a mention linked by its author's username;
// a DM thread is "dm:<lower user id>-<higher user id>", the brand's id one of them.
func TestXConventions(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		convs := map[string][]inbox.Message{}
		for _, m := range demo.Messages(seed, now) {
			if m.Channel == "x" {
				convs[m.Conversation] = append(convs[m.Conversation], m)
			}
		}
		posts, dms, underBrand := 0, 0, 0
		for key, msgs := range convs {
			what := fmt.Sprintf("seed %d: %s", seed, key)
			first := msgs[0]
			if p := xDMConv.FindStringSubmatch(key); p != nil {
				dms++
				if p[1] != "1354738291044622337" && p[2] != "1354738291044622337" || p[1] > p[2] && len(p[1]) == len(p[2]) ||
					p[1] != first.Author.ID && p[2] != first.Author.ID {
					t.Errorf("%s: a DM with %s", what, first.Author.ID)
				}
				for _, m := range msgs {
					if m.Kind != inbox.KindDM || m.URL != "" && m.URL != "https://x.com/messages/"+strings.TrimPrefix(key, "dm:") {
						t.Errorf("%s: %s is a %s at %s", what, m.ID, m.Kind, m.URL)
					}
				}
				continue
			}
			posts++
			root, ok := strings.CutPrefix(key, "x:")
			switch {
			case !ok || !xPostID.MatchString(root):
				t.Errorf("%s: not an X conversation", what)
			case first.InReplyTo == root && first.ID != root:
				underBrand++ // a reply under the brand's post, the root
			case first.ID != root || first.InReplyTo != "":
				t.Errorf("%s starts with %s in reply to %q", what, first.ID, first.InReplyTo)
			}
			for _, m := range msgs {
				if m.Account != "@kettlebird" || m.Kind != inbox.KindMention {
					t.Errorf("%s: %s is a %s on %s", what, m.ID, m.Kind, m.Account)
				}
				if m.Direction == inbox.In && m.URL != "https://x.com/"+strings.TrimPrefix(m.Author.Handle, "@")+"/status/"+m.ID {
					t.Errorf("%s: %s links to %s", what, m.ID, m.URL)
				}
			}
			// X lists a post among the account's mentions because it names the account.
			if !strings.HasPrefix(first.Text, "@kettlebird ") {
				t.Errorf("%s: %q does not name @kettlebird", what, first.Text)
			}
		}
		t.Logf("seed %d: %d X conversations (%d under the brand's posts), %d DM threads", seed, posts, underBrand, dms)
		if posts == 0 || underBrand == 0 || dms == 0 {
			t.Errorf("seed %d: want posts, replies under the brand's posts and DMs on X", seed)
		}
	}
}
