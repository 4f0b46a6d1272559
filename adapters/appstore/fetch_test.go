package appstore

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
			t.Fatalf("Fetch = %v", err)
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

// A review becomes an inbound message with its rating, its title and body, and the
// territory; no app version or language (Apple gives none).
func TestFetchReview(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("sunny_ana", "Crashes", "Every time I open the camera.", 1)
	msgs, _, _ := fetchPass(t, a, "")
	if len(msgs) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	m := msgs[0]
	if m.Channel != "appstore" || m.Account != appID || m.Conversation != "as:"+id || m.Kind != inbox.KindReview ||
		m.Direction != inbox.In || m.Rating != 1 || m.AppVersion != "" || m.Language != "" ||
		m.Text != "Crashes\n\nEvery time I open the camera.\n\n(App Store USA)" || m.Author == nil || m.Author.Name != "sunny_ana" ||
		!strings.HasPrefix(m.ID, id+"@") || !m.CreatedAt.Equal(f.clock()) {
		t.Errorf("message %+v", m)
	}
	q := f.callsTo("GET", "/customerReviews")[0].Query
	if q.Get("sort") != "-createdDate" || q.Get("include") != "response" || q.Get("limit") != "200" {
		t.Errorf("query %v", q)
	}
}

// A pass follows links.next (More between pages) to the end; the next pass waits for
// the interval.
func TestFetchPagesAndSpacing(t *testing.T) {
	f := newFake(t)
	f.pageSize = 2
	a := newAdapter(t, f, nil)
	for i := range 5 {
		f.review("u", fmt.Sprintf("t%d", i), "b", 4)
	}
	msgs, cur, calls := fetchPass(t, a, "")
	if len(msgs) != 5 || calls != 3 {
		t.Fatalf("%d messages in %d calls", len(msgs), calls)
	}
	if q := f.callsTo("GET", "/customerReviews")[2].Query; q.Get("cursor") != "4" {
		t.Errorf("third page query %v", q)
	}
	f.wait(time.Minute)
	if b, err := a.Fetch(context.Background(), cur); err != nil || len(b.Messages) != 0 || len(f.callsTo("GET", "/customerReviews")) != 3 {
		t.Errorf("Fetch within the interval = %+v, %v", b, err)
	}
	f.wait(10 * time.Minute)
	if _, _, calls := fetchPass(t, a, cur); calls != 3 {
		t.Errorf("next pass %d calls", calls)
	}
}

// A pass stops at the first review older than lookback, and at max_pages.
func TestFetchLookbackAndMaxPages(t *testing.T) {
	f := newFake(t)
	f.pageSize = 1
	f.review("old", "old", "b", 3)
	f.wait(20 * 24 * time.Hour)
	for i := range 3 {
		f.review("u", fmt.Sprintf("new %d", i), "b", 4)
	}
	a := newAdapter(t, f, nil)
	if msgs, _, calls := fetchPass(t, a, ""); len(msgs) != 3 || calls != 4 {
		t.Errorf("%d messages in %d calls; want 3 in 4 (the last page the old review's)", len(msgs), calls)
	}
	b := newAdapter(t, f, map[string]any{"max_pages": int64(2)})
	if msgs, _, calls := fetchPass(t, b, ""); len(msgs) != 2 || calls != 2 {
		t.Errorf("max_pages: %d messages in %d calls", len(msgs), calls)
	}
}

// links.next to another host is refused: the token must not go there.
func TestFetchForeignNextRefused(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	if _, err := a.relative("https://evil.example/v1/apps/1/customerReviews?cursor=2"); err == nil {
		t.Error("a link to another host was followed")
	}
	if p, err := a.relative(f.srv.URL + "/v1/apps/1/customerReviews?cursor=2"); err != nil || p != "/v1/apps/1/customerReviews?cursor=2" {
		t.Errorf("relative = %q, %v", p, err)
	}
}

// An unchanged review fetched again is the same message; an edit (rating, title or
// body) is a new one in the same conversation.
func TestFetchEditIsNewMessage(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"interval": "1s"})
	id := f.review("ana", "Meh", "Slow.", 2)
	first, cur, _ := fetchPass(t, a, "")
	f.wait(time.Minute)
	again, cur, _ := fetchPass(t, a, cur)
	if len(first) != 1 || len(again) != 1 || first[0].ID != again[0].ID {
		t.Fatalf("refetch %+v then %+v", first, again)
	}
	f.edit(id, "Fast now!", 5, false)
	f.wait(time.Minute)
	edited, _, _ := fetchPass(t, a, cur)
	if len(edited) != 1 || edited[0].ID == first[0].ID || edited[0].Conversation != first[0].Conversation || edited[0].Rating != 5 {
		t.Errorf("after the edit %+v", edited)
	}
}

// A review answered, then edited, where Apple keeps the first date: the new version is
// dated when seen, after the answer, so that it reopens the conversation.
func TestFetchEditAfterAnswerDatedNow(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"interval": "1s"})
	id := f.review("ana", "Meh", "Slow.", 2)
	f.connectResponse(id, "We sped it up in 3.1.")
	_, cur, _ := fetchPass(t, a, "")
	f.wait(time.Hour)
	f.edit(id, "Still slow.", 1, false)
	f.wait(time.Minute)
	msgs, _, _ := fetchPass(t, a, cur)
	var in inbox.Message
	for _, m := range msgs {
		if m.Direction == inbox.In {
			in = m
		}
	}
	if !in.CreatedAt.Equal(f.clock()) {
		t.Errorf("edited review dated %s, want now %s", in.CreatedAt, f.clock())
	}
}

// A response made in App Store Connect is an outbound message from the native app, with
// the id the same response sent from triage gets.
func TestFetchConnectResponse(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	id := f.review("ben", "Dark mode?", "Please.", 3)
	f.connectResponse(id, "Coming in 3.2!")
	msgs, _, _ := fetchPass(t, a, "")
	if len(msgs) != 2 {
		t.Fatalf("messages %+v", msgs)
	}
	out := msgs[1]
	if out.Direction != inbox.Out || out.Agent != NativeAgent || out.Text != "Coming in 3.2!" || out.Conversation != "as:"+id ||
		out.ID != responseID("resp-"+id, "Coming in 3.2!") {
		t.Errorf("response message %+v", out)
	}
}

func TestFetchBadCursor(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "nope")
	var ae *adapters.Error
	if !asPermanent(err, &ae) {
		t.Errorf("Fetch = %v", err)
	}
}
