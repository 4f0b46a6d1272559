package inbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// replyFixture is one Instagram comment from Ana at 10:00 (SLA 1h: due 11:00) and the
// clock at 10:20, when maria answers it.
func replyFixture(t *testing.T, config string) (*Service, *testClock, int64) {
	t.Helper()
	s, clock := newTestInbox(t, config, at("2026-11-20T10:20:00Z"))
	mustIngest(t, s, inMsg("1", "post:1", "Where is my order?", "2026-11-20T10:00:00Z"))
	return s, clock, convOf(t, s, "post:1")
}

// inbound returns the conversation's first inbound message as stored.
func inbound(t *testing.T, s *Service, id int64) MessageRow {
	t.Helper()
	th, err := s.Thread(context.Background(), id, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range th.Messages {
		if m.Direction == string(In) {
			return m
		}
	}
	t.Fatal("no inbound message")
	return MessageRow{}
}

func info(t *testing.T, s *Service, id int64) ConversationInfo {
	t.Helper()
	th, err := s.Thread(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return th.Info
}

// sendDue plays the sync engine: it claims the due reply and lets the channel answer.
func sendDue(t *testing.T, s *Service, fail string) Outgoing {
	t.Helper()
	ctx := context.Background()
	due, err := s.DueReplies(ctx, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due replies = %+v, %v; want one", due, err)
	}
	if err := s.ClaimOutbox(ctx, due[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	if fail != "" {
		err = s.FailOutbox(ctx, due[0].OutboxID, fail)
	} else {
		err = s.ReplySent(ctx, due[0].OutboxID, "remote-1")
	}
	if err != nil {
		t.Fatal(err)
	}
	return due[0]
}

func TestFailedReplyStopsAnswering(t *testing.T) {
	s, clock, id := replyFixture(t, "")
	ctx := context.Background()
	sent, err := s.Reply(ctx, id, "It ships today!")
	if err != nil {
		t.Fatal(err)
	}
	// Queued: it answers from the moment maria sent it (FRT 20m), and waits out the undo window.
	if m := inbound(t, s, id); m.AnsweredAt != ms(at("2026-11-20T10:20:00Z")) {
		t.Fatalf("pending reply: answered at %d, want 10:20", m.AnsweredAt)
	}
	if want := at("2026-11-20T10:20:10Z"); !sent.SendAt.Equal(want) {
		t.Errorf("send at %s, want %s (10s undo window)", sent.SendAt, want)
	}
	if due, _ := s.DueReplies(ctx, 10); len(due) != 0 {
		t.Fatalf("a reply left inside its undo window: %+v", due)
	}
	clock.t = at("2026-11-20T10:20:10Z")
	sendDue(t, s, "400 the media was deleted")

	m := inbound(t, s, id)
	if m.AnsweredAt != 0 || m.DueAt != ms(at("2026-11-20T11:00:00Z")) {
		t.Errorf("after the channel refused the reply: answered at %d, due %d; want unanswered, due 11:00", m.AnsweredAt, m.DueAt)
	}
	c := info(t, s, id)
	if c.State != string(StateOpen) || c.Unanswered != 1 || c.DueAt != ms(at("2026-11-20T11:00:00Z")) {
		t.Errorf("conversation after the failure: state %s, %d unanswered, due %d; want open, 1, 11:00", c.State, c.Unanswered, c.DueAt)
	}
	n, err := s.FailedReplies(ctx)
	if err != nil || n != 1 {
		t.Errorf("failed replies = %d, %v; want 1", n, err)
	}
	if ids := matching(t, s, "is:failed"); len(ids) != 1 || ids[0] != id {
		t.Errorf("is:failed = %v, want [%d]", ids, id)
	}
	if rows, _ := s.Queue(ctx, QueuePage{View: BuiltinViews[0], Limit: 10}); len(rows) != 1 || rows[0].Failed != 1 {
		t.Errorf("the Inbox does not show the conversation with its failed reply: %+v", rows)
	}
	th, _ := s.Thread(ctx, id, 50)
	if last := th.Messages[len(th.Messages)-1]; last.OutboxStatus != OutboxFailed || last.OutboxError != "400 the media was deleted" {
		t.Errorf("the reply shows %q / %q, want failed with the channel's reason", last.OutboxStatus, last.OutboxError)
	}

	// Sent again at 11:30: it answers from then (FRT 1h30m, past the target), and can be
	// undone while it waits.
	clock.t = at("2026-11-20T11:30:00Z")
	if _, err := s.RetryReply(ctx, sent.MessageID); err != nil {
		t.Fatal(err)
	}
	if m := inbound(t, s, id); m.AnsweredAt != ms(at("2026-11-20T11:30:00Z")) {
		t.Errorf("retried reply: answered at %d, want 11:30", m.AnsweredAt)
	}
	if c := info(t, s, id); c.State != string(StateWaiting) || c.Unanswered != 0 {
		t.Errorf("after the retry: state %s, %d unanswered; want waiting, 0", c.State, c.Unanswered)
	}
	if n, _ := s.FailedReplies(ctx); n != 0 {
		t.Errorf("failed replies after the retry = %d", n)
	}
	u, err := s.UndoIn(ctx, id)
	if err != nil || u.Action != "retry" {
		t.Fatalf("undo retry = %+v, %v", u, err)
	}
	if m := inbound(t, s, id); m.AnsweredAt != 0 {
		t.Errorf("after undoing the retry the message is answered at %d", m.AnsweredAt)
	}
	th, _ = s.Thread(ctx, id, 50)
	if last := th.Messages[len(th.Messages)-1]; last.OutboxStatus != OutboxFailed || last.CreatedAt != ms(at("2026-11-20T10:20:00Z")) {
		t.Errorf("undone retry: reply %s at %d, want failed at 10:20 as before", last.OutboxStatus, last.CreatedAt)
	}
}

func TestTakeBackFailedReply(t *testing.T) {
	s, clock, id := replyFixture(t, "")
	ctx := context.Background()
	sent, err := s.Reply(ctx, id, "It ships today!")
	if err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(time.Minute)
	sendDue(t, s, "403 not allowed")
	if err := s.SaveDraft(ctx, id, "PS: tracking link"); err != nil {
		t.Fatal(err)
	}
	draft, err := s.TakeBack(ctx, sent.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if draft != "PS: tracking link\n\nIt ships today!" {
		t.Errorf("draft = %q: the words already there come first, then the reply", draft)
	}
	if n, _ := s.FailedReplies(ctx); n != 0 {
		t.Errorf("a reply taken back still counts as failed")
	}
	if m := inbound(t, s, id); m.AnsweredAt != 0 {
		t.Errorf("a reply taken back still answers (at %d)", m.AnsweredAt)
	}
	if _, err := s.RetryReply(ctx, sent.MessageID); err == nil {
		t.Errorf("a reply taken back was sent again")
	}
	u, err := s.UndoIn(ctx, id)
	if err != nil || u.Action != "takeback" {
		t.Fatalf("undo take back = %+v, %v", u, err)
	}
	if d, _ := s.Draft(ctx, id); d != "PS: tracking link" {
		t.Errorf("draft after undo = %q, want the draft as it was", d)
	}
	if n, _ := s.FailedReplies(ctx); n != 1 {
		t.Errorf("failed replies after undoing the take back = %d, want 1", n)
	}
}

func TestUndoSend(t *testing.T) {
	s, clock, id := replyFixture(t, "")
	ctx := context.Background()
	if err := s.Tag(ctx, "shipping", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(ctx, id, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	// Inside the window: the reply comes back to the draft and no longer answers.
	clock.t = clock.t.Add(7 * time.Second)
	u, err := s.UndoIn(ctx, id)
	if err != nil || u.Draft != "It ships today!" || len(u.Customers) != 1 || u.Customers[0] != "Ana Ruiz" {
		t.Fatalf("undo inside the window = %+v, %v", u, err)
	}
	if m := inbound(t, s, id); m.AnsweredAt != 0 {
		t.Errorf("an undone reply still answers")
	}
	if due, _ := s.DueReplies(ctx, 10); len(due) != 0 {
		t.Errorf("an undone reply is still due: %+v", due)
	}

	// Sent again, and this time it leaves: undo says so and takes back nothing else.
	if _, err := s.Reply(ctx, id, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(DefaultSendDelay)
	sendDue(t, s, "")
	_, err = s.UndoIn(ctx, id)
	if !errors.Is(err, ErrAlreadySent) || !strings.Contains(err.Error(), "the reply to Ana Ruiz has been sent and cannot be unsent; nothing was undone") {
		t.Fatalf("undo after it left = %v", err)
	}
	if c := info(t, s, id); len(c.Tags) != 1 || c.Tags[0] != "shipping" {
		t.Errorf("undo after a sent reply reached the action before it: tags %v", c.Tags)
	}
}

func TestUndoStaysInItsConversation(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:1", "hello", "2026-11-20T10:00:00Z"))
	b := inMsg("2", "post:2", "hi", "2026-11-20T10:05:00Z")
	b.Author = &Author{ID: "b", Handle: "@matt", Name: "Matt Baker"}
	mustIngest(t, s, b)
	a, other := convOf(t, s, "post:1"), convOf(t, s, "post:2")
	if err := s.Tag(ctx, "vip", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Done(ctx, other); err != nil {
		t.Fatal(err)
	}
	u, err := s.UndoIn(ctx, a)
	if err != nil || u.Action != "tag" || len(u.Conversations) != 1 || u.Conversations[0] != a {
		t.Fatalf("undo in conversation %d = %+v, %v; want its tag", a, u, err)
	}
	if c := info(t, s, other); c.State != string(StateDone) {
		t.Errorf("undo in one conversation reopened another (state %s)", c.State)
	}
	u, err = s.Undo(ctx)
	if err != nil || u.Action != "state" || len(u.Customers) != 1 || u.Customers[0] != "Matt Baker" {
		t.Errorf("undo anywhere = %+v, %v; want done on Matt Baker", u, err)
	}
}

func TestReplyRefusedOverTheLimit(t *testing.T) {
	for _, tt := range []struct {
		name, config, text, want string
	}{
		{"too long for x", "", strings.Repeat("a", 281), "281/280 characters on x: the channel would refuse it"},
		{"banned phrase blocked", "[voice]\nbanned = [\"unfortunately\"]\nenforce = \"block\"\n", "Unfortunately not.", `banned phrase "unfortunately" ([voice] enforce = "block")`},
		{"missing sign-off blocked", "[voice]\nsignoff = \"— Acme\"\nenforce = \"block\"\n", "On its way!", `missing sign-off "— Acme"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestInbox(t, tt.config, at("2026-11-20T12:00:00Z"))
			m := inMsg("1", "", "hi", "2026-11-20T10:00:00Z")
			m.Channel = "x"
			mustIngest(t, s, m)
			id := convOf(t, s, "msg:1")
			_, err := s.Reply(context.Background(), id, tt.text)
			var re *RefusedError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("reply = %v, want refused: %s", err, tt.want)
			}
			if th, _ := s.Thread(context.Background(), id, 10); len(th.Messages) != 1 {
				t.Errorf("a refused reply was stored")
			}
		})
	}
	// By default the voice only warns.
	s, _ := newTestInbox(t, "[voice]\nbanned = [\"unfortunately\"]\n", at("2026-11-20T12:00:00Z"))
	mustIngest(t, s, inMsg("1", "", "hi", "2026-11-20T10:00:00Z"))
	sent, err := s.Reply(context.Background(), convOf(t, s, "msg:1"), "Unfortunately not.")
	if err != nil || len(sent.Warnings) != 1 {
		t.Errorf("a warned reply = %+v, %v; want sent with one warning", sent, err)
	}
}

func TestReopenBringsBackWhatDoneClosed(t *testing.T) {
	for _, close := range []string{"done", "spam"} {
		t.Run(close, func(t *testing.T) {
			s, clock := newTestInbox(t, "", at("2026-11-20T10:30:00Z"))
			ctx := context.Background()
			mustIngest(t, s, inMsg("1", "post:1", "hello?", "2026-11-20T10:00:00Z"),
				inMsg("2", "post:1", "anyone?", "2026-11-20T10:10:00Z"))
			id := convOf(t, s, "post:1")
			act := s.Done
			if close == "spam" {
				act = s.Spam
			}
			if err := act(ctx, id); err != nil {
				t.Fatal(err)
			}
			if c := info(t, s, id); c.Unanswered != 0 {
				t.Fatalf("closed: %d unanswered", c.Unanswered)
			}
			clock.t = at("2026-11-20T12:00:00Z")
			if err := s.Reopen(ctx, id); err != nil {
				t.Fatal(err)
			}
			c := info(t, s, id)
			if c.State != string(StateOpen) || c.Unanswered != 2 || c.DueAt != ms(at("2026-11-20T11:00:00Z")) {
				t.Errorf("reopened: state %s, %d unanswered, due %d; want open, 2, due 11:00 (overdue)", c.State, c.Unanswered, c.DueAt)
			}
			if ids := matching(t, s, "is:overdue"); len(ids) != 1 {
				t.Errorf("the reopened conversation is not overdue: %v", ids)
			}
			if _, err := s.Undo(ctx); err != nil {
				t.Fatal(err)
			}
			if c := info(t, s, id); c.State != close || c.Unanswered != 0 {
				t.Errorf("undo of the reopen: state %s, %d unanswered; want %s, 0", c.State, c.Unanswered, close)
			}
			if _, err := s.Undo(ctx); err != nil {
				t.Fatal(err)
			}
			if c := info(t, s, id); c.Unanswered != 2 {
				t.Errorf("undo of the close: %d unanswered, want 2", c.Unanswered)
			}
		})
	}
}

func TestEscalateKeepsPriorityUnlessAsked(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	mustIngest(t, s, inMsg("1", "post:1", "hello", "2026-11-20T10:00:00Z"))
	id := convOf(t, s, "post:1")
	if err := s.Escalate(ctx, EscalateRequest{Reason: "billing"}, id); err != nil {
		t.Fatal(err)
	}
	if c := info(t, s, id); c.Priority != int(PriorityNormal) || c.State != string(StateEscalated) {
		t.Errorf("escalated without a priority: priority %d, state %s; want normal, escalated", c.Priority, c.State)
	}
	if err := s.Escalate(ctx, EscalateRequest{Reason: "", Priority: PriorityUrgent.To()}, id); err == nil {
		t.Errorf("an escalation without a reason was accepted")
	}
}

func TestReplyAndCloseIsOneUndo(t *testing.T) {
	s, _, id := replyFixture(t, "")
	ctx := context.Background()
	if _, err := s.ReplyAndClose(ctx, id, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	if c := info(t, s, id); c.State != string(StateDone) {
		t.Fatalf("state %s after reply and close", c.State)
	}
	u, err := s.UndoIn(ctx, id)
	if err != nil || u.Draft != "It ships today!" {
		t.Fatalf("undo = %+v, %v", u, err)
	}
	if c := info(t, s, id); c.State != string(StateNew) || c.Unanswered != 1 {
		t.Errorf("after one undo: state %s, %d unanswered; want new, 1", c.State, c.Unanswered)
	}
}

// matching lists the conversations of the All view that a query matches.
func matching(t *testing.T, s *Service, query string) []int64 {
	t.Helper()
	rows, err := s.Queue(context.Background(), QueuePage{View: View{Name: "All"}, Query: query, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}
