package inbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// The Overdue view holds every conversation with a message past its SLA due time, in
// whatever state it stands but done and spam, so it lists what the stats screen counts
// as late (escalated conversations included).
func TestOverdueViewHoldsEveryOverdueConversation(t *testing.T) {
	now := at("2026-11-20T15:00:00Z")
	s, _ := newTestInbox(t, "[escalation]\nreasons = [\"refund\"]\n", now)
	ctx := context.Background()
	// Four conversations with a message from two days ago (past any SLA target), one
	// with a message from a minute ago (due later).
	mustIngest(t, s,
		inMsg("m1", "open", "where is my order?", "2026-11-18T15:00:00Z"),
		inMsg("m2", "escalated", "I was charged twice", "2026-11-18T15:00:00Z"),
		inMsg("m3", "snoozed", "any news?", "2026-11-18T15:00:00Z"),
		inMsg("m4", "done", "never mind", "2026-11-18T15:00:00Z"),
		inMsg("m5", "fresh", "hello", "2026-11-20T14:59:00Z"),
	)
	ids := map[string]int64{}
	rows, err := s.Queue(ctx, QueuePage{View: View{Name: "All"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		th, err := s.Thread(ctx, r.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		ids[th.Messages[0].Text] = r.ID
	}
	if err := s.Escalate(ctx, EscalateRequest{Reason: "refund"}, ids["I was charged twice"]); err != nil {
		t.Fatal(err)
	}
	if err := s.Snooze(ctx, now.Add(time.Hour), ids["any news?"]); err != nil {
		t.Fatal(err)
	}
	if err := s.Done(ctx, ids["never mind"]); err != nil {
		t.Fatal(err)
	}

	var overdue View
	for _, v := range s.Views() {
		if v.Name == "Overdue" {
			overdue = v
		}
	}
	rows, err = s.Queue(ctx, QueuePage{View: overdue, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range rows {
		got = append(got, r.ID)
	}
	want := []int64{ids["where is my order?"], ids["I was charged twice"], ids["any news?"]}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Overdue view holds %v, want %v (open, escalated, snoozed; not done, not the fresh one)", got, want)
	}
	if n, err := s.Count(ctx, overdue, "", false); err != nil || n != len(want) {
		t.Errorf("Overdue count = %d, %v; want %d", n, err, len(want))
	}
	// Every conversation the stats screen lists as overdue is in the view.
	waiting, err := s.OldestUnanswered(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range waiting {
		if w.Overdue(now) && !slices.Contains(got, w.ConversationID) {
			t.Errorf("stats list conversation %d as overdue; the Overdue view lacks it", w.ConversationID)
		}
	}
}

// chan: names a channel the inbox knows, or says which one was meant.
func TestSearchKnowsTheChannels(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T15:00:00Z"))
	mustIngest(t, s, Message{Channel: "trustpilot", Account: "acme", ID: "r1", Conversation: "r1", Kind: KindReview,
		Author: &Author{ID: "u1", Name: "Ana"}, Text: "Lovely kettle", CreatedAt: at("2026-11-20T14:00:00Z")})
	channels, err := s.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"chan:instagram", "chan:twitter", "chan:EMAIL", "chan:trustpilot", "refund chan:x"} {
		if _, err := ParseQueryIn(ok, false, channels); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for src, hint := range map[string]string{"chan:instagarm": "did you mean instagram?", "chan:emial": "did you mean email?",
		"chan:trustpilt": "did you mean trustpilot?"} {
		_, err := ParseQueryIn(src, true, channels)
		var qe *QueryError
		if !errors.As(err, &qe) || !strings.Contains(qe.Hint, hint) || qe.Pos != 5 {
			t.Errorf("%s: error %v, want one at the value saying %q", src, err, hint)
		}
	}
	if _, err := ParseQuery("chan:instagarm"); err != nil {
		t.Errorf("without the list of channels any name goes: %v", err)
	}
}

func TestTopicDropsReplyPrefixes(t *testing.T) {
	for in, want := range map[string]string{
		"Refund for order 1042": "Refund for order 1042", "Re: Refund": "Refund", "RE: Fwd: Refund": "Refund",
		"  re:Refund ": "Refund", "Order: 1042": "Order: 1042", "": "", "Re:": "",
	} {
		if got := Topic(in); got != want {
			t.Errorf("Topic(%q) = %q, want %q", in, got, want)
		}
	}
}
