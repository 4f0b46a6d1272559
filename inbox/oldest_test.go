package inbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestOldestUnanswered checks the order (by each conversation's oldest waiting message),
// one row per conversation, and that answered messages and spam, done and snoozed
// conversations are left out. Times are set by hand; the SLA is the default 1h.
func TestOldestUnanswered(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	by := func(m Message, name, handle string) Message {
		m.Author = &Author{ID: "id-" + handle, Handle: handle, Name: name}
		return m
	}
	mustIngest(t, s,
		// two waiting messages: listed once, by the older (08:00)
		by(inMsg("a1", "post:A", "First question\nabout my  grinder", "2026-11-20T08:00:00Z"), "Ana Ruiz", "@ana"),
		by(inMsg("a2", "post:A", "Hello?", "2026-11-20T09:00:00Z"), "Ana Ruiz", "@ana"),
		// answered at 07:30, then waiting again since 10:00
		by(inMsg("b1", "post:B", "Old question", "2026-11-20T07:00:00Z"), "Bo Chen", "@bo"),
		outMsg("b2", "post:B", "maria", "2026-11-20T07:30:00Z"),
		by(inMsg("b3", "post:B", "One more thing", "2026-11-20T10:00:00Z"), "Bo Chen", "@bo"),
		// waiting since 09:30
		by(inMsg("c1", "post:C", "Is the kettle back in stock?", "2026-11-20T09:30:00Z"), "Cleo", "@cleo"),
		// older than all of the above, but snoozed, done or spam
		by(inMsg("d1", "post:D", "snoozed", "2026-11-20T06:00:00Z"), "Dee", "@dee"),
		by(inMsg("e1", "post:E", "done", "2026-11-20T05:00:00Z"), "Eve", "@eve"),
		by(inMsg("f1", "post:F", "spam", "2026-11-20T05:30:00Z"), "Fay", "@fay"),
		// answered: not waiting at all
		by(inMsg("g1", "post:G", "answered", "2026-11-20T04:00:00Z"), "Gus", "@gus"),
		outMsg("g2", "post:G", "maria", "2026-11-20T04:10:00Z"),
	)
	if err := s.Snooze(ctx, at("2026-11-21T09:00:00Z"), convOf(t, s, "post:D")); err != nil {
		t.Fatal(err)
	}
	if err := s.Done(ctx, convOf(t, s, "post:E")); err != nil {
		t.Fatal(err)
	}
	if err := s.Spam(ctx, convOf(t, s, "post:F")); err != nil {
		t.Fatal(err)
	}

	got, err := s.OldestUnanswered(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		conv, author, handle, excerpt, arrived string
	}{
		{"post:A", "Ana Ruiz", "@ana", "First question about my grinder", "2026-11-20T08:00:00Z"},
		{"post:C", "Cleo", "@cleo", "Is the kettle back in stock?", "2026-11-20T09:30:00Z"},
		{"post:B", "Bo Chen", "@bo", "One more thing", "2026-11-20T10:00:00Z"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ConversationID != convOf(t, s, w.conv) || g.AuthorName != w.author || g.AuthorHandle != w.handle ||
			g.Excerpt != w.excerpt || !g.Arrived.Equal(at(w.arrived)) {
			t.Errorf("row %d: %+v, want %+v", i, g, w)
		}
		if due := at(w.arrived).Add(time.Hour); !g.Due.Equal(due) {
			t.Errorf("row %d: due %s, want %s (1h SLA)", i, g.Due, due)
		}
		if g.Channel != "instagram" || g.Kind != KindComment || g.Account != "@acme" {
			t.Errorf("row %d: channel %s kind %s account %s", i, g.Channel, g.Kind, g.Account)
		}
	}
	if now := at("2026-11-20T12:00:00Z"); !got[0].Overdue(now) || got[0].Age(now) != 4*time.Hour {
		t.Errorf("row 0 at noon: overdue %v, age %s; want overdue, 4h", got[0].Overdue(now), got[0].Age(now))
	}

	two, err := s.OldestUnanswered(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(two) != 2 || two[0].ConversationID != got[0].ConversationID || two[1].ConversationID != got[1].ConversationID {
		t.Errorf("limit 2: %+v", two)
	}
	if none, err := s.OldestUnanswered(ctx, 0); err != nil || len(none) != 0 {
		t.Errorf("limit 0: %v, %v", none, err)
	}
}

// TestOldestUnansweredPlan proves the query reads the small partial index of waiting
// messages, grouped in index order, and looks conversations up by key: it never scans
// the messages table.
func TestOldestUnansweredPlan(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	plan, err := s.db.OldestUnansweredPlan(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "USING INDEX msg_unanswered") && !strings.Contains(plan, "USING COVERING INDEX msg_unanswered") {
		t.Errorf("plan does not read msg_unanswered:\n%s", plan)
	}
	if strings.Contains(plan, "TEMP B-TREE FOR GROUP BY") {
		t.Errorf("plan sorts to group (the index order should do):\n%s", plan)
	}
	for _, line := range strings.Split(plan, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "SCAN m") || strings.HasPrefix(strings.TrimSpace(line), "SCAN c") {
			if !strings.Contains(line, "INDEX msg_unanswered") {
				t.Errorf("plan scans a whole table: %q\n%s", line, plan)
			}
		}
	}
	t.Logf("plan:\n%s", plan)
}
