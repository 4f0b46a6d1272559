package inbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

func textPtr(s string) *string { return &s }

func applyUpdates(t *testing.T, s *Service, us ...Update) UpdateCounts {
	t.Helper()
	c, err := s.ApplyUpdates(context.Background(), us)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEditKeepsTheOriginalAndSearchFollows(t *testing.T) {
	s, _, id := replyFixture(t, "")
	edit := Update{Channel: "instagram", Account: "@acme", ID: "1", At: at("2026-11-20T10:05:00Z"), Text: textPtr("Where is my parcel?")}
	if c := applyUpdates(t, s, edit); c != (UpdateCounts{Applied: 1}) {
		t.Errorf("edit = %+v, want applied", c)
	}
	m := inbound(t, s, id)
	if m.Text != "Where is my parcel?" || m.Original != "Where is my order?" || m.EditedAt != ms(at("2026-11-20T10:05:00Z")) {
		t.Errorf("after the edit: text %q, original %q, edited at %d; want the new text, the first kept, 10:05", m.Text, m.Original, m.EditedAt)
	}
	// It still waits from 10:00, due 11:00: the customer asked at 10:00.
	if c := info(t, s, id); m.CreatedAt != ms(at("2026-11-20T10:00:00Z")) || m.DueAt != ms(at("2026-11-20T11:00:00Z")) || c.Unanswered != 1 {
		t.Errorf("after the edit: created %d, due %d, %d unanswered; want 10:00, 11:00, 1", m.CreatedAt, m.DueAt, c.Unanswered)
	}
	if ids := matching(t, s, "parcel"); len(ids) != 1 || ids[0] != id {
		t.Errorf("search parcel = %v, want [%d]", ids, id)
	}
	if ids := matching(t, s, "order"); len(ids) != 0 {
		t.Errorf("search order = %v, want nothing: the index follows the new text", ids)
	}
	// Delivered again: nothing changes.
	if c := applyUpdates(t, s, edit); c != (UpdateCounts{Unchanged: 1}) {
		t.Errorf("repeated edit = %+v, want unchanged", c)
	}
	// A second edit keeps the first text as the original; an older edit delivered late
	// does not undo the newer one.
	applyUpdates(t, s, Update{Channel: "instagram", Account: "@acme", ID: "1", At: at("2026-11-20T10:07:00Z"), Text: textPtr("Where is my box?")})
	applyUpdates(t, s, Update{Channel: "instagram", Account: "@acme", ID: "1", At: at("2026-11-20T10:06:00Z"), Text: textPtr("Where is my bag?")})
	if m := inbound(t, s, id); m.Text != "Where is my box?" || m.Original != "Where is my order?" {
		t.Errorf("after two edits and a late one: %q (original %q), want the 10:07 text and the first", m.Text, m.Original)
	}
}

func TestEditBeforeItsMessageIsKept(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T10:20:00Z"))
	edit := Update{Channel: "instagram", Account: "@acme", ID: "1", At: at("2026-11-20T10:05:00Z"), Text: textPtr("Where is my parcel?")}
	for range 2 {
		if c := applyUpdates(t, s, edit); c != (UpdateCounts{Kept: 1}) {
			t.Errorf("edit of a message not stored = %+v, want kept", c)
		}
	}
	hide := true
	applyUpdates(t, s, Update{Channel: "instagram", Account: "@acme", ID: "1", At: at("2026-11-20T10:06:00Z"), Hidden: &hide})
	mustIngest(t, s, inMsg("1", "post:1", "Where is my order?", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "post:1")
	m := inbound(t, s, id)
	if m.Text != "Where is my parcel?" || m.Original != "Where is my order?" || m.EditedAt != ms(at("2026-11-20T10:05:00Z")) || !m.Hidden {
		t.Errorf("message after its early edit and hide: text %q, original %q, edited %d, hidden %v", m.Text, m.Original, m.EditedAt, m.Hidden)
	}
	if ids := matching(t, s, "parcel"); len(ids) != 1 {
		t.Errorf("search parcel = %v, want the conversation", ids)
	}
	if ids := matching(t, s, "order"); len(ids) != 0 {
		t.Errorf("search order = %v, want nothing", ids)
	}
	// Taken: applying again now changes nothing.
	if c := applyUpdates(t, s, edit); c != (UpdateCounts{Unchanged: 1}) {
		t.Errorf("the early edit again = %+v, want unchanged", c)
	}
}

func TestRemoveAndHide(t *testing.T) {
	s, _, id := replyFixture(t, "")
	hide, show := true, false
	u := func(at time.Time) Update { return Update{Channel: "instagram", Account: "@acme", ID: "1", At: at} }
	removed := u(at("2026-11-20T10:08:00Z"))
	removed.Removed = true
	if c := applyUpdates(t, s, removed, removed); c != (UpdateCounts{Applied: 1, Unchanged: 1}) {
		t.Errorf("removal twice = %+v, want applied once", c)
	}
	hid, shown := u(at("2026-11-20T10:10:00Z")), u(at("2026-11-20T10:09:00Z"))
	hid.Hidden, shown.Hidden = &hide, &show
	// The unhide happened first but arrives last: the message stays hidden.
	if c := applyUpdates(t, s, hid, shown); c != (UpdateCounts{Applied: 1, Unchanged: 1}) {
		t.Errorf("hide and an older unhide = %+v, want the hide applied", c)
	}
	m := inbound(t, s, id)
	if m.RemovedAt != ms(at("2026-11-20T10:08:00Z")) || !m.Hidden || m.Text != "Where is my order?" {
		t.Errorf("message: removed %d, hidden %v, text %q; want removed 10:08, hidden, its text kept", m.RemovedAt, m.Hidden, m.Text)
	}
	// The queue does not quote a removed message.
	if rows, err := s.Queue(context.Background(), QueuePage{View: View{Name: "All"}, Limit: 10}); err != nil || len(rows) != 1 || rows[0].LastText != "(removed)" {
		t.Errorf("queue rows = %+v, %v; want one saying (removed)", rows, err)
	}
	// A removed question still waited from 10:00 and is still due at 11:00.
	if c := info(t, s, id); c.Unanswered != 1 || m.DueAt != ms(at("2026-11-20T11:00:00Z")) {
		t.Errorf("after removal: %d unanswered, due %d; want 1, 11:00", c.Unanswered, m.DueAt)
	}
	later := u(at("2026-11-20T10:11:00Z"))
	later.Hidden = &show
	applyUpdates(t, s, later)
	if m := inbound(t, s, id); m.Hidden {
		t.Error("a newer unhide left the message hidden")
	}
}

// A reply the channel accepted and later failed to deliver (WhatsApp's failed status)
// stops answering, as a refused one does: Ana's 10:00 question answered at 10:20 (first
// response 20m) is unanswered again, due 11:00, and the conversation opens again.
func TestFailedStatusStopsTheReplyAnswering(t *testing.T) {
	s, clock, id := replyFixture(t, "")
	ctx := context.Background()
	if _, err := s.Reply(ctx, id, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	clock.t = at("2026-11-20T10:20:10Z")
	sendDue(t, s, "") // sent, as remote-1
	if m := inbound(t, s, id); m.AnsweredAt != ms(at("2026-11-20T10:20:00Z")) {
		t.Fatalf("sent reply: answered at %d, want 10:20", m.AnsweredAt)
	}
	if c := info(t, s, id); c.State != string(StateWaiting) {
		t.Fatalf("state %s after the reply, want waiting", c.State)
	}
	clock.t = at("2026-11-20T10:21:00Z")
	failed := Update{Channel: "instagram", Account: "@acme", ID: "remote-1", At: at("2026-11-20T10:20:30Z"),
		Failed: "WhatsApp could not deliver it: Message undeliverable (error 131026)"}
	if c := applyUpdates(t, s, failed); c != (UpdateCounts{Applied: 1}) {
		t.Errorf("failed status = %+v, want applied", c)
	}
	m := inbound(t, s, id)
	if m.AnsweredAt != 0 || m.DueAt != ms(at("2026-11-20T11:00:00Z")) {
		t.Errorf("after the failed status: answered at %d, due %d; want unanswered, due 11:00", m.AnsweredAt, m.DueAt)
	}
	if c := info(t, s, id); c.State != string(StateOpen) || c.Unanswered != 1 {
		t.Errorf("conversation: %s, %d unanswered; want open, 1", c.State, c.Unanswered)
	}
	th, _ := s.Thread(ctx, id, 50)
	if last := th.Messages[len(th.Messages)-1]; last.OutboxStatus != OutboxFailed || !strings.Contains(last.OutboxError, "131026") {
		t.Errorf("the reply shows %q / %q, want failed with WhatsApp's reason", last.OutboxStatus, last.OutboxError)
	}
	if n, _ := s.FailedReplies(ctx); n != 1 {
		t.Errorf("failed replies = %d, want 1", n)
	}
	if c := applyUpdates(t, s, failed); c != (UpdateCounts{Unchanged: 1}) {
		t.Errorf("the failed status again = %+v, want unchanged", c)
	}
}

// A status that comes before the sender recorded the reply's channel id waits, and is
// applied by the next updates.
func TestFailedStatusBeforeTheReplyIDIsRecorded(t *testing.T) {
	s, clock, id := replyFixture(t, "")
	ctx := context.Background()
	if _, err := s.Reply(ctx, id, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	clock.t = at("2026-11-20T10:20:10Z")
	due, _ := s.DueReplies(ctx, 10)
	if len(due) != 1 || s.ClaimOutbox(ctx, due[0].OutboxID) != nil {
		t.Fatalf("due = %+v", due)
	}
	failed := Update{Channel: "instagram", Account: "@acme", ID: "remote-1", Failed: "WhatsApp could not deliver it: Message undeliverable (error 131026)"}
	if c := applyUpdates(t, s, failed); c != (UpdateCounts{Kept: 1}) {
		t.Fatalf("status before the id = %+v, want kept", c)
	}
	if err := s.ReplySent(ctx, due[0].OutboxID, "remote-1"); err != nil {
		t.Fatal(err)
	}
	// Applied as the id is recorded, without waiting for another delivery.
	if m := inbound(t, s, id); m.AnsweredAt != 0 {
		t.Errorf("the kept failed status was not applied: answered at %d", m.AnsweredAt)
	}
}

func TestUpdateValidation(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T10:20:00Z"))
	for _, u := range []Update{
		{Channel: "instagram", Account: "@acme", ID: "1"},
		{Channel: "", ID: "1", Removed: true},
		{Channel: "instagram", ID: "", Removed: true},
		{Channel: "instagram", ID: "1", Text: textPtr("  ")},
	} {
		if _, err := s.ApplyUpdates(context.Background(), []Update{u}); err == nil {
			t.Errorf("ApplyUpdates(%+v) = nil error", u)
		}
	}
}
