package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// A store review shows its stars at the head of its queue row, the query rating<=2 keeps
// the low ones, and the conversation shows the stars, the app version and the language.
func TestReviewsShowTheirStars(t *testing.T) {
	c := emptyCommon(t, "")
	review := func(id, name, text string, stars int, ago time.Duration) inbox.Message {
		return inbox.Message{Channel: "googleplay", Account: "com.acme.app", ID: id, Conversation: "review:" + id,
			Kind: inbox.KindReview, Author: &inbox.Author{ID: "u-" + id, Name: name}, Text: text,
			CreatedAt: testNow.Add(-ago), Rating: stars, AppVersion: "3.1.0", Language: "pt-BR"}
	}
	if _, err := c.Inbox.IngestMessages(context.Background(),
		review("r1", "Ana Ruiz", "Crashes when I open a photo", 1, time.Hour),
		review("r2", "Bo Chen", "Love the new widgets", 5, 2*time.Hour),
		inbox.Message{Channel: "mastodon", Account: "@acme", ID: "m1", Kind: inbox.KindMention,
			Author: &inbox.Author{ID: "u3", Handle: "@cy"}, Text: "Is the beta open?", CreatedAt: testNow.Add(-3 * time.Hour)},
	); err != nil {
		t.Fatal(err)
	}
	a := newApp(t, c, 120, 35)
	a.want("1★ Crashes when I open a photo", "5★ Love the new widgets")
	if line := lineOf(a.m.View().Content, "Is the beta open?"); strings.Contains(line, "★") {
		t.Errorf("a mention shows stars: %q", line)
	}

	a.keys("/").typ("rating<=2").keys("enter")
	a.want("1★ Crashes when I open a photo")
	if s := a.screen(); strings.Contains(s, "Love the new widgets") || strings.Contains(s, "Is the beta open?") {
		t.Errorf("rating<=2 shows more than the 1-star review:\n%s", s)
	}
	a.keys("enter")
	a.want("Ana Ruiz", "★☆☆☆☆ · app 3.1.0 · pt-BR", "Crashes when I open a photo")
}
