package googleplay

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// fetchPass calls Fetch until a pass ends (More false) and returns what it brought.
func fetchPass(t *testing.T, a *Adapter, cur string) ([]inbox.Message, string, int) {
	t.Helper()
	var all []inbox.Message
	calls := 0
	for {
		b, err := a.Fetch(context.Background(), cur)
		if err != nil {
			t.Fatalf("Fetch(%q) = %v", cur, err)
		}
		calls++
		all, cur = append(all, b.Messages...), b.Cursor
		if !b.More {
			return all, cur, calls
		}
		if calls > 50 {
			t.Fatal("Fetch never ends its pass")
		}
	}
}

// A review becomes an inbound message with its rating, app version and language, in the
// conversation of the review; the text Play prefixes with a tab (no title) is trimmed.
func TestFetchReview(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("Ana Lima", "Crashes when I open the camera.", 1)
	msgs, _, _ := fetchPass(t, a, "")
	if len(msgs) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	m := msgs[0]
	want := inbox.Message{Channel: "googleplay", Account: pkgName, Conversation: "gp:" + id, Kind: inbox.KindReview,
		Direction: inbox.In, Text: "Crashes when I open the camera.", Rating: 1, AppVersion: "2.4.1", Language: "en"}
	if m.Channel != want.Channel || m.Account != want.Account || m.Conversation != want.Conversation || m.Kind != want.Kind ||
		m.Direction != want.Direction || m.Text != want.Text || m.Rating != want.Rating || m.AppVersion != want.AppVersion ||
		m.Language != want.Language || m.Author == nil || m.Author.Name != "Ana Lima" || !strings.HasPrefix(m.ID, id+"@") {
		t.Errorf("message %+v\nwant like %+v", m, want)
	}
	if !m.CreatedAt.Equal(f.clock()) {
		t.Errorf("created %s, want the review's time %s", m.CreatedAt, f.clock())
	}
	if q := f.callsTo("GET", "/reviews")[0].Query; q["maxResults"][0] != "100" || q["token"] != nil {
		t.Errorf("first list query %v", q)
	}
}

// A review with a title comes as "title<TAB>body": the title goes on a line of its own.
func TestFetchReviewWithTitle(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.review("Ana Lima", "Timer broke\tSince 3.1 the brew timer resets when the screen locks.", 2)
	msgs, _, _ := fetchPass(t, a, "")
	if len(msgs) != 1 || msgs[0].Text != "Timer broke\n\nSince 3.1 the brew timer resets when the screen locks." {
		t.Errorf("messages %+v", msgs)
	}
}

// A pass pages through tokenPagination to the end (More between pages), reading every
// review once, and the next pass waits for the interval.
func TestFetchPagesAndSpacing(t *testing.T) {
	f := newFake(t)
	f.pageSize = 2
	a := newAdapter(t, f, nil)
	for i := range 5 {
		f.review(fmt.Sprintf("u%d", i), fmt.Sprintf("review %d", i), 5)
	}
	msgs, cur, calls := fetchPass(t, a, "")
	if len(msgs) != 5 || calls != 3 || cur != "" {
		t.Fatalf("%d messages in %d calls, cursor %q; want 5 in 3, and the pass over", len(msgs), calls, cur)
	}
	lists := f.callsTo("GET", "/reviews")
	if lists[1].Query["token"][0] != "tok-2" || lists[2].Query["token"][0] != "tok-4" {
		t.Errorf("page tokens %v, %v", lists[1].Query, lists[2].Query)
	}
	// Sooner than the interval: nothing asked.
	f.wait(time.Minute)
	if b, err := a.Fetch(context.Background(), cur); err != nil || len(b.Messages) != 0 || len(f.callsTo("GET", "/reviews")) != 3 {
		t.Errorf("Fetch within the interval = %+v, %v; %d lists", b, err, len(f.callsTo("GET", "/reviews")))
	}
	f.wait(10 * time.Minute)
	if _, _, calls := fetchPass(t, a, cur); calls != 3 || len(f.callsTo("GET", "/reviews")) != 6 {
		t.Errorf("the next pass made %d calls", calls)
	}
}

// max_pages bounds a pass.
func TestFetchMaxPages(t *testing.T) {
	f := newFake(t)
	f.pageSize = 1
	a := newAdapter(t, f, map[string]any{"max_pages": int64(2)})
	for i := range 4 {
		f.review("u", fmt.Sprintf("r%d", i), 4)
	}
	if msgs, _, calls := fetchPass(t, a, ""); len(msgs) != 2 || calls != 2 {
		t.Errorf("%d messages in %d calls, want 2 in 2", len(msgs), calls)
	}
}

// An unchanged review fetched again is the same message; an edited one is a new message
// (new id, new time, new rating) in the same conversation.
func TestFetchEditIsNewMessage(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"interval": "1s"})
	id := f.review("Ana", "Meh.", 2)
	first, cur, _ := fetchPass(t, a, "")
	f.wait(time.Minute)
	again, cur, _ := fetchPass(t, a, cur)
	if len(first) != 1 || len(again) != 1 || first[0].ID != again[0].ID {
		t.Fatalf("refetch %+v then %+v: want the same id", first, again)
	}
	f.wait(time.Hour)
	f.edit(id, "Fixed in the update, thanks!", 5)
	f.wait(time.Minute)
	edited, _, _ := fetchPass(t, a, cur)
	if len(edited) != 1 {
		t.Fatalf("after the edit %+v", edited)
	}
	e := edited[0]
	if e.ID == first[0].ID || e.Conversation != first[0].Conversation || e.Rating != 5 || e.Text != "Fixed in the update, thanks!" ||
		!e.CreatedAt.After(first[0].CreatedAt) {
		t.Errorf("edited %+v\nfirst %+v", e, first[0])
	}
}

// A reply made in the Play Console is an outbound message from the native app, after the
// review, with the id a reply with that text sent from triage gets.
func TestFetchConsoleReply(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("Ben", "Where is dark mode?", 3)
	f.consoleReply(id, "Coming in 2.5!")
	msgs, _, _ := fetchPass(t, a, "")
	if len(msgs) != 2 {
		t.Fatalf("messages %+v", msgs)
	}
	in, out := msgs[0], msgs[1]
	if in.Direction != inbox.In || out.Direction != inbox.Out || out.Agent != NativeAgent || out.Text != "Coming in 2.5!" ||
		out.Conversation != in.Conversation || out.ID != replyID(id, "Coming in 2.5!") || !out.CreatedAt.After(in.CreatedAt) {
		t.Errorf("messages %+v", msgs)
	}
}

// translation_language asks Play for translations; the author's own words follow.
func TestFetchTranslation(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"translation_language": "en"})
	f.review("Jo", "Sehr gut", 5)
	fetchPass(t, a, "")
	if q := f.callsTo("GET", "/reviews")[0].Query; q["translationLanguage"][0] != "en" {
		t.Errorf("query %v", q)
	}
}

// A cursor that is not the adapter's is a permanent error.
func TestFetchBadCursor(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "not json")
	var ae *adapters.Error
	if err == nil || !strings.Contains(err.Error(), "cursor") || !asPermanent(err, &ae) {
		t.Errorf("Fetch = %v", err)
	}
}
