package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// approvalFixture is Ana's Instagram comment at 10:00 (SLA 1h: due 11:00), an inbox whose
// [team] table is config, and three people on it: newbie (an agent), lead and dev.
func approvalFixture(t *testing.T, config string) (s *Service, clock *testClock, conv int64) {
	t.Helper()
	s, clock = newTestInbox(t, config, at("2026-11-20T10:10:00Z"))
	mustIngest(t, s, inMsg("1", "post:1", "Where is my order?", "2026-11-20T10:00:00Z"))
	return s, clock, convOf(t, s, "post:1")
}

// replyOf is the conversation's reply of ours, as stored.
func replyOf(t *testing.T, s *Service, conv int64) MessageRow {
	t.Helper()
	th, err := s.Thread(context.Background(), conv, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range th.Messages {
		if m.Direction == string(Out) {
			return m
		}
	}
	t.Fatal("no reply")
	return MessageRow{}
}

// frtOf is the first-response figures of the day of the fixture, at the clock's time.
func frtOf(t *testing.T, s *Service) Figures {
	t.Helper()
	st, err := s.Stats(context.Background(), StatsRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-21T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	return st.Figures
}

func TestApprovalTimesAreCountedFromApproval(t *testing.T) {
	cases := []struct {
		name     string
		config   string
		author   string
		role     Role
		awaiting bool
	}{
		{"named in approval", "[team]\napproval = [\"newbie\"]\n", "newbie", RoleAgent, true},
		{"by approval_roles", "[team]\napproval_roles = [\"agent\"]\n", "newbie", RoleAgent, true},
		{"a lead under approval_roles = agent", "[team]\napproval_roles = [\"agent\"]\n", "lead2", RoleLead, false},
		{"nobody needs approval", "", "newbie", RoleAgent, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, clock, conv := approvalFixture(t, c.config)
			ctx := context.Background()
			author := s.AsAgent(c.author, c.role)
			sent, err := author.Reply(ctx, conv, "It ships today!")
			if err != nil {
				t.Fatal(err)
			}
			if sent.AwaitingApproval != c.awaiting {
				t.Fatalf("awaiting approval = %v, want %v", sent.AwaitingApproval, c.awaiting)
			}
			if !c.awaiting {
				// Today's rule: a reply answers from the moment it is sent, 10:10 (FRT 10m).
				if m := inbound(t, s, conv); m.AnsweredAt != ms(at("2026-11-20T10:10:00Z")) {
					t.Fatalf("answered at %d, want 10:10", m.AnsweredAt)
				}
				return
			}
			// Awaiting: not an answer, not in the outbox, the due time still 11:00.
			clock.t = at("2026-11-20T10:30:00Z")
			if m := inbound(t, s, conv); m.AnsweredAt != 0 {
				t.Fatalf("awaiting approval, the message is answered at %d", m.AnsweredAt)
			}
			if i := info(t, s, conv); i.Unanswered != 1 || i.DueAt != ms(at("2026-11-20T11:00:00Z")) || i.State != string(StateWaiting) {
				t.Fatalf("awaiting approval: %d unanswered, due %d, %s; want 1, 11:00, waiting", i.Unanswered, i.DueAt, i.State)
			}
			if due, _ := s.DueReplies(ctx, 10); len(due) != 0 {
				t.Fatalf("a reply awaiting approval is due to be sent: %+v", due)
			}
			if f := frtOf(t, s); f.Answered != 0 || f.Unanswered != 1 {
				t.Fatalf("stats count %d answered, %d unanswered; want 0, 1", f.Answered, f.Unanswered)
			}
			// A message of 10:05 that arrives late is not answered by the waiting reply either.
			mustIngest(t, s, inMsg("late", "post:1", "Hello??", "2026-11-20T10:05:00Z"))
			if i := info(t, s, conv); i.Unanswered != 2 {
				t.Fatalf("a late message counts as answered by a reply awaiting approval: %d unanswered", i.Unanswered)
			}
			// A lead approves at 10:40: it answers both from 10:40 (FRT 40m and 35m: median
			// 37m 30s = 2250s, both within the 1h SLA) and leaves after the undo window, at 10:40:10.
			clock.t = at("2026-11-20T10:40:00Z")
			lead := s.AsAgent("lead", RoleLead)
			ok, err := lead.Approve(ctx, replyOf(t, s, conv).ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := at("2026-11-20T10:40:10Z"); !ok.SendAt.Equal(want) {
				t.Errorf("approved reply leaves at %s, want %s", ok.SendAt, want)
			}
			if m := inbound(t, s, conv); m.AnsweredAt != ms(at("2026-11-20T10:40:00Z")) {
				t.Fatalf("approved at 10:40: answered at %d", m.AnsweredAt)
			}
			f := frtOf(t, s)
			if f.Answered != 2 || f.FirstResponseSeconds == nil || f.FirstResponseSeconds.Median != 2250 || f.FirstResponseSeconds.Max != 2400 ||
				f.WithinSLAPct == nil || *f.WithinSLAPct != 100 {
				t.Fatalf("after approval: %+v; want 2 answered, FRT median 2250s max 2400s, 100%% in SLA", f)
			}
			clock.t = at("2026-11-20T10:40:10Z")
			if due, _ := s.DueReplies(ctx, 10); len(due) != 1 || due[0].Text != "It ships today!" {
				t.Fatalf("approved reply not due at 10:40:10: %+v", due)
			}
			assertAudit(t, s, conv, []string{"newbie reply", "newbie await_approval", "lead approve"})
		})
	}
}

// assertAudit checks the conversation's reply-related audit events, as "actor action".
func assertAudit(t *testing.T, s *Service, conv int64, want []string) {
	t.Helper()
	ev, err := s.Audit(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ev {
		if e.Action != "state" {
			got = append(got, e.Actor+" "+e.Action)
		}
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("audit = %v, want %v", got, want)
	}
}

func TestSentBackReplyNeverAnswered(t *testing.T) {
	s, clock, conv := approvalFixture(t, "[team]\napproval = [\"newbie\"]\n")
	ctx := context.Background()
	newbie, lead := s.AsAgent("newbie", RoleAgent), s.AsAgent("lead", RoleLead)
	if _, err := newbie.Reply(ctx, conv, "Chill, it ships."); err != nil {
		t.Fatal(err)
	}
	clock.t = at("2026-11-20T10:40:00Z")
	msg := replyOf(t, s, conv).ID
	if err := lead.SendBack(ctx, msg, ""); err == nil {
		t.Fatal("sent back without a note")
	}
	if err := lead.SendBack(ctx, msg, "Too casual; say when it ships"); err != nil {
		t.Fatal(err)
	}
	r := replyOf(t, s, conv)
	if r.OutboxStatus != OutboxReturned || r.OutboxError != "Too casual; say when it ships" || r.Text != "Chill, it ships." {
		t.Fatalf("sent back: %s %q %q", r.OutboxStatus, r.OutboxError, r.Text)
	}
	// Never answered: the message waits, due at 11:00 as before, back in the Inbox.
	if m := inbound(t, s, conv); m.AnsweredAt != 0 {
		t.Fatalf("sent back, the message is answered at %d", m.AnsweredAt)
	}
	if i := info(t, s, conv); i.Unanswered != 1 || i.DueAt != ms(at("2026-11-20T11:00:00Z")) || i.State != string(StateOpen) {
		t.Fatalf("sent back: %d unanswered, due %d, %s; want 1, 11:00, open", i.Unanswered, i.DueAt, i.State)
	}
	if n, err := s.Count(ctx, BuiltinViews[0], "", false); err != nil || n != 1 {
		t.Fatalf("Inbox holds %d, %v; want the conversation back", n, err)
	}
	// At 11:30 it is past its target: a miss, not an answer.
	clock.t = at("2026-11-20T11:30:00Z")
	if f := frtOf(t, s); f.Answered != 0 || f.WithinSLAPct == nil || *f.WithinSLAPct != 0 {
		t.Fatalf("stats after send back: %+v; want nothing answered, 0%% in SLA", f)
	}
	assertAudit(t, s, conv, []string{"newbie reply", "newbie await_approval", "lead send_back"})
	ev, _ := s.Audit(ctx, conv)
	if last := ev[len(ev)-1]; last.Action != "state" || last.Actor != "lead" || last.To != string(StateOpen) {
		t.Fatalf("last event %+v: want the lead's move back to open", last)
	}

	// Nothing the author wrote is lost: E takes it back to the draft; or R asks again.
	draft, err := newbie.TakeBack(ctx, msg)
	if err != nil || draft != "Chill, it ships." {
		t.Fatalf("take back: %q, %v", draft, err)
	}
	if _, err := newbie.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	sent, err := newbie.RetryReply(ctx, msg)
	if err != nil || !sent.AwaitingApproval {
		t.Fatalf("sent again: %+v, %v; want awaiting approval again", sent, err)
	}
	if r := replyOf(t, s, conv); r.OutboxStatus != OutboxAwaitingApproval {
		t.Fatalf("sent again: %s, want awaiting approval", r.OutboxStatus)
	}
}

func TestOnlyLeadsApprove(t *testing.T) {
	s, _, conv := approvalFixture(t, "[team]\napproval = [\"newbie\", \"lead\"]\n")
	ctx := context.Background()
	if _, err := s.AsAgent("newbie", RoleAgent).Reply(ctx, conv, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	msg := replyOf(t, s, conv).ID
	dev := s.AsAgent("dev", RoleAgent)
	if _, err := dev.Approve(ctx, msg); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("an agent approved: %v", err)
	}
	if err := dev.SendBack(ctx, msg, "no"); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("an agent sent back: %v", err)
	}
	if r := replyOf(t, s, conv); r.OutboxStatus != OutboxAwaitingApproval {
		t.Fatalf("after refusals the reply is %s", r.OutboxStatus)
	}
	// A lead never approves their own reply.
	lead := s.AsAgent("lead", RoleLead)
	conv2 := conv
	if _, err := lead.Reply(ctx, conv2, "Second try"); err != nil {
		t.Fatal(err)
	}
	th, _ := s.Thread(ctx, conv, 50)
	own := th.Messages[len(th.Messages)-1]
	if own.Agent != "lead" || own.OutboxStatus != OutboxAwaitingApproval {
		t.Fatalf("lead's reply: %s %s", own.Agent, own.OutboxStatus)
	}
	if _, err := lead.Approve(ctx, own.ID); !errors.Is(err, ErrOwnReply) {
		t.Fatalf("a lead approved their own reply: %v", err)
	}
	// An admin approves; the default role of a local triage is admin.
	if s.Role() != RoleAdmin || !s.CanApprove() {
		t.Fatalf("default role %s", s.Role())
	}
	if _, err := s.Approve(ctx, msg); err != nil {
		t.Fatal(err)
	}
}

func TestUndoApproval(t *testing.T) {
	s, clock, conv := approvalFixture(t, "[team]\napproval = [\"newbie\"]\n")
	ctx := context.Background()
	if _, err := s.AsAgent("newbie", RoleAgent).Reply(ctx, conv, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	clock.t = at("2026-11-20T10:40:00Z")
	lead := s.AsAgent("lead", RoleLead)
	msg := replyOf(t, s, conv).ID
	if _, err := lead.Approve(ctx, msg); err != nil {
		t.Fatal(err)
	}
	clock.t = at("2026-11-20T10:40:05Z")
	if _, err := lead.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	r := replyOf(t, s, conv)
	if r.OutboxStatus != OutboxAwaitingApproval || r.CreatedAt != ms(at("2026-11-20T10:10:00Z")) {
		t.Fatalf("undone approval: %s written %d; want awaiting approval, written 10:10", r.OutboxStatus, r.CreatedAt)
	}
	if m := inbound(t, s, conv); m.AnsweredAt != 0 {
		t.Fatalf("undone approval still answers at %d", m.AnsweredAt)
	}
	// Sent back and undone: awaiting approval again, and the conversation waiting again.
	if err := lead.SendBack(ctx, msg, "check the date"); err != nil {
		t.Fatal(err)
	}
	if _, err := lead.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if r := replyOf(t, s, conv); r.OutboxStatus != OutboxAwaitingApproval {
		t.Fatalf("undone send back: %s", r.OutboxStatus)
	}
	if i := info(t, s, conv); i.State != string(StateWaiting) {
		t.Fatalf("undone send back: conversation %s, want waiting", i.State)
	}
}

func TestReplyAndCloseAwaitingApprovalKeepsTheCustomerWaiting(t *testing.T) {
	s, _, conv := approvalFixture(t, "[team]\napproval = [\"newbie\"]\n")
	ctx := context.Background()
	sent, err := s.AsAgent("newbie", RoleAgent).ReplyAndClose(ctx, conv, "It ships today!")
	if err != nil || !sent.AwaitingApproval {
		t.Fatalf("reply and close: %+v, %v", sent, err)
	}
	if i := info(t, s, conv); i.State != string(StateWaiting) || i.Unanswered != 1 {
		t.Fatalf("conversation %s with %d unanswered; want waiting with 1", i.State, i.Unanswered)
	}
	if m := inbound(t, s, conv); m.ClosedAt != 0 {
		t.Fatal("the customer's message was closed before anything answered it")
	}
}

func TestAwaitingApprovalQueryAndView(t *testing.T) {
	s, _, conv := approvalFixture(t, "[team]\napproval = [\"newbie\"]\n")
	ctx := context.Background()
	mustIngest(t, s, inMsg("2", "post:2", "Hello?", "2026-11-20T10:05:00Z"))
	if _, err := s.AsAgent("newbie", RoleAgent).Reply(ctx, conv, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	all := View{Name: "All"}
	for q, want := range map[string]int{"is:awaiting-approval": 1, "-is:awaiting-approval": 1, "is:awaiting-approval dir:out": 1} {
		if n, err := s.Count(ctx, all, q, false); err != nil || n != want {
			t.Errorf("%s: %d, %v; want %d", q, n, err, want)
		}
	}
	if q, err := ParseQuery("is:awaiting-approval"); err != nil || q.Cond.String() != "is:awaiting-approval" {
		t.Errorf("parse: %v, %v", q, err)
	}
	// Leads and admins have the Approval view, after the built-ins; agents do not.
	views := s.AsAgent("lead", RoleLead).Views()
	if v := views[len(BuiltinViews)]; v.Name != "Approval" {
		t.Fatalf("lead's views: %+v", views)
	}
	if n, err := s.Count(ctx, views[len(BuiltinViews)], "", false); err != nil || n != 1 {
		t.Fatalf("Approval view: %d, %v", n, err)
	}
	if len(s.AsAgent("newbie", RoleAgent).Views()) != len(BuiltinViews) {
		t.Fatal("an agent sees the Approval view")
	}
	plain, _, _ := approvalFixture(t, "")
	if len(plain.Views()) != len(BuiltinViews) {
		t.Fatal("the Approval view shows where nobody's replies need approval")
	}
}

func TestOnlyAdminsChangeCannedReplies(t *testing.T) {
	s, _, _ := approvalFixture(t, "")
	ctx := context.Background()
	c := CannedReply{Name: "thanks", Body: "Thanks {name}!"}
	for _, r := range []Role{RoleAgent, RoleLead} {
		if err := s.AsAgent("x", r).SaveCanned(ctx, c); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%s changed a canned reply: %v", r, err)
		}
	}
	if list, _ := s.CannedReplies(ctx); len(list) != 0 {
		t.Fatalf("refused, yet stored: %+v", list)
	}
	if err := s.AsAgent("boss", RoleAdmin).SaveCanned(ctx, c); err != nil {
		t.Fatal(err)
	}
}

func TestTeamConfigChecksRoles(t *testing.T) {
	if _, err := ParseConfig("t.toml", "[team]\napproval_roles = [\"agnet\"]\n"); err == nil || !strings.Contains(err.Error(), "team.approval_roles") {
		t.Fatalf("a misspelt role: %v", err)
	}
	if _, err := ParseRole("Lead"); err != nil {
		t.Fatal(err)
	}
}

// An export carries a reply awaiting approval as it stood, and an import brings it back
// awaiting approval: still no answer, never sent, for a lead of the new inbox to approve.
func TestImportKeepsAReplyAwaitingApproval(t *testing.T) {
	s, _, conv := approvalFixture(t, "[team]\napproval = [\"newbie\"]\n")
	ctx := context.Background()
	if _, err := s.AsAgent("newbie", RoleAgent).Reply(ctx, conv, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	err := s.Export(ctx, ExportRequest{Since: at("2026-11-20T00:00:00Z"), Until: at("2026-11-21T00:00:00Z")}, func(r ExportRecord) error {
		b, err := json.Marshal(r)
		lines = append(lines, b)
		return err
	})
	if err != nil || len(lines) != 2 || !strings.Contains(string(lines[1]), `"status":"awaiting_approval"`) {
		t.Fatalf("export: %v\n%s", err, lines)
	}
	fresh, _ := newTestInbox(t, "[team]\napproval = [\"newbie\"]\n", at("2026-11-20T10:30:00Z"))
	for _, l := range lines {
		m, err := DecodeMessage(l)
		if err != nil {
			t.Fatal(err)
		}
		mustIngest(t, fresh, m)
	}
	id := convOf(t, fresh, "post:1")
	if r := replyOf(t, fresh, id); r.OutboxStatus != OutboxAwaitingApproval {
		t.Fatalf("imported reply is %s", r.OutboxStatus)
	}
	if m := inbound(t, fresh, id); m.AnsweredAt != 0 {
		t.Fatalf("imported reply awaiting approval answers at %d", m.AnsweredAt)
	}
	if _, err := fresh.AsAgent("lead", RoleLead).Approve(ctx, replyOf(t, fresh, id).ID); err != nil {
		t.Fatal(err)
	}
	if m := inbound(t, fresh, id); m.AnsweredAt != ms(at("2026-11-20T10:30:00Z")) {
		t.Fatalf("approved after import: answered at %d, want 10:30", m.AnsweredAt)
	}
}

// Its author takes a reply awaiting approval back with u, as one still in its undo
// window: the text returns to the draft and nothing is left for a lead.
func TestAuthorUndoesAReplyAwaitingApproval(t *testing.T) {
	s, _, conv := approvalFixture(t, "[team]\napproval = [\"newbie\"]\n")
	ctx := context.Background()
	newbie := s.AsAgent("newbie", RoleAgent)
	if _, err := newbie.Reply(ctx, conv, "It ships today!"); err != nil {
		t.Fatal(err)
	}
	u, err := newbie.Undo(ctx)
	if err != nil || u.Action != "reply" || u.Draft != "It ships today!" {
		t.Fatalf("undo: %+v, %v", u, err)
	}
	if n, _ := s.AwaitingApproval(ctx); n != 0 {
		t.Fatalf("%d replies still await approval", n)
	}
	if i := info(t, s, conv); i.State != string(StateNew) {
		t.Fatalf("conversation %s after undo, want new again", i.State)
	}
}
