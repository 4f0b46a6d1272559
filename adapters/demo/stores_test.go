package demo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

var (
	playReviewID  = regexp.MustCompile(`^gp:AOqpTO[A-Za-z0-9_-]{60,}$`)
	appleReviewID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	territoryEnd  = regexp.MustCompile(`\n\n\(App Store [A-Z]{3}\)$`)
	hash12        = regexp.MustCompile(`^[0-9a-f]{12}$`)
)

// shortHash is the stores' adapters' hash of a text (runs of whitespace as one space).
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(s), " ")))
	return hex.EncodeToString(sum[:6])
}

// The demo's Google Play and App Store reviews are what adapters/googleplay and
// adapters/appstore bring in: one conversation per review, keyed by the review id; a
// review's message id is the review id and its version (Play: the time it was last
// changed; Apple: a hash of rating, title and body); a reply's is the review's (Play) or
// the response's (Apple) id and a hash of its text; every review carries its stars; Play
// gives the app version and the reviewer's language, Apple neither but the storefront.
// Some reviews are answered in the store's console, a few edited after an answer.
func TestStoreReviewConventions(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		convs := map[string][]inbox.Message{}
		for _, m := range demo.Messages(seed, now) {
			if isStore(m.Channel) {
				convs[m.Channel+" "+m.Conversation] = append(convs[m.Channel+" "+m.Conversation], m)
			}
		}
		var edits, upgrades, native, fromTriage, waiting, langs int
		for key, msgs := range convs {
			what := fmt.Sprintf("seed %d: %s", seed, key)
			first := msgs[0]
			play := first.Channel == "googleplay"
			review, _ := strings.CutPrefix(first.Conversation, map[bool]string{true: "gp:", false: "as:"}[play])
			switch {
			case first.Direction != inbox.In:
				t.Errorf("%s starts with a reply", what)
			case play && (first.Account != "com.kettlebird.brew" || !playReviewID.MatchString(review)):
				t.Errorf("%s: account %q, review id %q", what, first.Account, review)
			case !play && (first.Account != "6446312087" || !appleReviewID.MatchString(review)):
				t.Errorf("%s: account %q, review id %q", what, first.Account, review)
			}
			var lastStars int
			for i, m := range msgs {
				if m.Kind != inbox.KindReview || m.Account != first.Account {
					t.Errorf("%s: %s is a %s on %s", what, m.ID, m.Kind, m.Account)
				}
				if m.Direction == inbox.Out {
					checkStoreReply(t, what, review, msgs[:i], m)
					if m.Agent == meta.NativeAgent {
						native++
					} else {
						fromTriage++
					}
					continue
				}
				checkStoreReview(t, what, review, m)
				if m.Language != "" && !strings.HasPrefix(m.Language, "en") {
					langs++
				}
				if i > 0 {
					edits++
					if m.Rating > lastStars {
						upgrades++
					}
					// An edit after an answer: the answer came before it.
					if msgs[i-1].Direction != inbox.Out {
						t.Errorf("%s: the edit %s follows no answer", what, m.ID)
					}
				}
				lastStars = m.Rating
			}
			if msgs[len(msgs)-1].Direction == inbox.In && len(msgs) > 1 {
				waiting++ // an edit that reopened its review and waits
			}
		}
		t.Logf("seed %d: %d reviews, %d edits (%d up), %d replies from triage, %d from the consoles, %d edits waiting, %d not in English",
			seed, len(convs), edits, upgrades, fromTriage, native, waiting, langs)
		if len(convs) < 8 || edits == 0 || native == 0 || fromTriage == 0 {
			t.Errorf("seed %d: want reviews answered from triage and from the consoles, and an edit", seed)
		}
	}
}

// checkStoreReview checks an inbound review against its store's conventions.
func checkStoreReview(t *testing.T, what, review string, m inbox.Message) {
	t.Helper()
	id, version, _ := strings.Cut(m.ID, "@")
	switch {
	case id != review || m.Author == nil || m.Author.ID != review || m.Author.Name == "" || m.Author.Handle != "":
		t.Errorf("%s: review %s by %+v", what, m.ID, m.Author)
	case m.Rating < 1 || m.Rating > 5:
		t.Errorf("%s: %s has %d stars", what, m.ID, m.Rating)
	case m.InReplyTo != "":
		t.Errorf("%s: review %s answers %s", what, m.ID, m.InReplyTo)
	case m.Channel == "googleplay":
		want := "https://play.google.com/store/apps/details?id=com.kettlebird.brew&reviewId=" + url.QueryEscape(review)
		if version != strconv.FormatInt(m.CreatedAt.Unix(), 10) || m.URL != want ||
			!slices.Contains([]string{"3.1.0", "3.1.1"}, m.AppVersion) || !regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`).MatchString(m.Language) {
			t.Errorf("%s: Play review %s, url %s, version %q, language %q", what, m.ID, m.URL, m.AppVersion, m.Language)
		}
	default:
		title, rest, _ := strings.Cut(m.Text, "\n\n")
		body := territoryEnd.ReplaceAllString(rest, "")
		if version != shortHash(strconv.Itoa(m.Rating)+"\x00"+title+"\x00"+body) || !territoryEnd.MatchString(m.Text) ||
			m.AppVersion != "" || m.Language != "" || m.URL != "" {
			t.Errorf("%s: App Store review %s: %q, version %q, language %q, url %q", what, m.ID, m.Text, m.AppVersion, m.Language, m.URL)
		}
	}
}

// checkStoreReply checks a developer reply: from triage it names the review it answers,
// from the console nothing; its id hashes its text.
func checkStoreReply(t *testing.T, what, review string, before []inbox.Message, m inbox.Message) {
	t.Helper()
	var id, hash string
	if m.Channel == "googleplay" {
		id, hash, _ = strings.Cut(m.ID, "/reply/")
	} else {
		id, hash, _ = strings.Cut(m.ID, "@")
	}
	if m.Channel == "googleplay" && id != review || m.Channel == "appstore" && !appleReviewID.MatchString(id) ||
		!hash12.MatchString(hash) || hash != shortHash(m.Text) {
		t.Errorf("%s: reply id %s for %q", what, m.ID, m.Text)
	}
	if n := len([]rune(m.Text)); m.Channel == "googleplay" && n > 350 {
		t.Errorf("%s: reply %s is %d characters, more than Play takes", what, m.ID, n)
	}
	last := before[len(before)-1]
	switch {
	case m.Agent == meta.NativeAgent && (m.InReplyTo != "" || strings.Contains(m.Text, " ^")):
		t.Errorf("%s: a reply from the console answers %q, text %q", what, m.InReplyTo, m.Text)
	case m.Agent != meta.NativeAgent && (m.InReplyTo != last.ID || last.Direction != inbox.In):
		t.Errorf("%s: reply %s answers %q, want the review %s", what, m.ID, m.InReplyTo, last.ID)
	}
}

var (
	ytTopID   = regexp.MustCompile(`^Ug[w-z][A-Za-z0-9_-]{16}4AaABAg$`)
	ytChannel = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)
	tgDMID    = regexp.MustCompile(`^([0-9]{9,10}):([0-9]+)$`)
	tgGroupID = regexp.MustCompile(`^-1001873645290:([0-9]+):([0-9]{9,10})$`)
)

// YouTube comments are threads under the brand's videos, as adapters/youtube keys them;
// Telegram has private chats with the bot, and a group where a reply joins the
// conversation of the message it answers.
func TestYouTubeAndTelegramConventions(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		yt := map[string][]inbox.Message{}
		tg := map[string][]inbox.Message{}
		root := map[string]string{} // Telegram group message -> the message its chain starts at
		for _, m := range demo.Messages(seed, now) {
			what := fmt.Sprintf("seed %d: %s %s %s", seed, m.Channel, m.Kind, m.ID)
			switch m.Channel {
			case "youtube":
				if m.Account != "@kettlebird" || m.Kind != inbox.KindComment {
					t.Errorf("%s: account %q", what, m.Account)
				}
				yt[m.Conversation] = append(yt[m.Conversation], m)
				if m.Direction == inbox.In && (!ytChannel.MatchString(m.Author.ID) || m.Author.Name != m.Author.Handle ||
					!strings.HasPrefix(m.Author.Handle, "@") || !strings.HasPrefix(m.URL, "https://www.youtube.com/watch?v=") ||
					!strings.HasSuffix(m.URL, "&lc="+m.ID)) {
					t.Errorf("%s: author %+v, url %s", what, *m.Author, m.URL)
				}
			case "telegram":
				if m.Account != "@kettlebird_bot" {
					t.Errorf("%s: account %q", what, m.Account)
				}
				key := m.Conversation
				if key == "" {
					if !tgGroupID.MatchString(m.ID) || m.Kind == inbox.KindDM {
						t.Errorf("%s: no conversation key outside the group", what)
					}
					key = root[m.InReplyTo]
					if m.InReplyTo == "" {
						key = "msg:" + m.ID
					} else if key == "" {
						t.Errorf("%s answers %s, which is not in the group", what, m.InReplyTo)
					}
					root[m.ID] = key
				}
				tg[key] = append(tg[key], m)
			}
		}
		for key, msgs := range yt {
			top := msgs[0]
			if key != "yt:"+top.ID || !ytTopID.MatchString(top.ID) || top.InReplyTo != "" {
				t.Errorf("seed %d: thread %s starts with %s (in reply to %q)", seed, key, top.ID, top.InReplyTo)
			}
			for _, m := range msgs[1:] {
				if !strings.HasPrefix(m.ID, top.ID+".") || m.InReplyTo != top.ID {
					t.Errorf("seed %d: %s: reply %s answers %q, want the top comment", seed, key, m.ID, m.InReplyTo)
				}
			}
		}
		dms, group := 0, 0
		for key, msgs := range tg {
			if chat, ok := strings.CutPrefix(key, "dm:"); ok {
				dms++
				for i, m := range msgs {
					p := tgDMID.FindStringSubmatch(m.ID)
					// Message ids count on in the chat from the /start.
					if p == nil || p[1] != chat || p[2] != strconv.Itoa(i+2) || m.Kind != inbox.KindDM || m.URL != "" ||
						m.Direction == inbox.In && m.Author.ID != chat {
						t.Errorf("seed %d: %s: message %d is %s by %+v", seed, key, i, m.ID, m.Author)
					}
				}
				continue
			}
			group++
			// A message that names the bot is a mention, any other a comment (the bot, an
			// admin so that it can moderate, sees them all).
			if first := msgs[0]; (first.Kind == inbox.KindMention) != strings.HasPrefix(first.Text, "@kettlebird_bot ") {
				t.Errorf("seed %d: %s opens with %s %q", seed, key, first.Kind, first.Text)
			}
			for _, m := range msgs {
				p := tgGroupID.FindStringSubmatch(m.ID)
				switch {
				case m.Direction == inbox.Out && p[2] != "7412993105":
					t.Errorf("seed %d: %s: the bot's reply %s is by another", seed, key, m.ID)
				case m.Direction == inbox.In && (p[2] != m.Author.ID || m.URL != "https://t.me/kettlebirdclub/"+p[1]):
					t.Errorf("seed %d: %s: %s by %s, url %s", seed, key, m.ID, m.Author.ID, m.URL)
				}
			}
		}
		t.Logf("seed %d: %d YouTube threads, %d Telegram chats, %d group conversations", seed, len(yt), dms, group)
		if len(yt) < 5 || dms == 0 {
			t.Errorf("seed %d: want YouTube threads and Telegram chats", seed)
		}
	}
}
