package team

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
)

// newbie's replies need a lead's approval. Bea Costa wrote at 09:10; newbie replies over
// SSH at 10:10: nothing is in the outbox and the stats count her message unanswered.
// maria, a lead, opens the Approval view at 10:30 and presses A: the reply leaves after
// the undo window (10 s, at 10:30:10), and Bea's first response time is 80 minutes (09:10
// to 10:30, the approval), not the 60 minutes to when newbie wrote it.
func TestApprovalReplyWaitsForALeadAndCountsFromApproval(t *testing.T) {
	clock := inboxtest.NewClock(time.Date(2026, 11, 20, 10, 10, 0, 0, time.UTC))
	cfg, err := inbox.ParseConfig("test.toml", "agents = [\"maria\", \"newbie\"]\n\n[team]\napproval = [\"newbie\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	maria, newbie := newKey(t), newKey(t)
	svc, programs := sharedInboxWith(t, cfg, clock.Now)
	srv := startServer(t, programs, keyLine(`agent="maria",role="lead"`, maria), keyLine(`agent="newbie"`, newbie))
	ctx := context.Background()
	id, err := svc.ConversationID(ctx, "facebook", "106", "post:106_200")
	if err != nil {
		t.Fatal(err)
	}

	sn := connect(t, srv.addr, 120, 30, newbie)
	sn.WaitFor(t, "Bea Costa")
	from := mark(sn)
	press(t, sn, "\r")
	waitFor(t, sn, from, regexp.MustCompile(`▸ Bea Costa`))
	from = mark(sn)
	press(t, sn, "r")
	waitFor(t, sn, from, regexp.MustCompile(`send`))
	from = mark(sn)
	press(t, sn, "It ships today!")
	press(t, sn, "\x13") // ctrl+s
	waitFor(t, sn, from, regexp.MustCompile(`awaiting\s*approval`))

	// Written, and waiting: not due to be sent even well after the undo window, and Bea
	// is still waiting in the stats.
	clock.Advance(time.Minute)
	if due, err := svc.DueReplies(ctx, 10); err != nil || len(due) != 0 {
		t.Fatalf("a reply awaiting approval is due to be sent: %+v, %v", due, err)
	}
	day := inbox.StatsRequest{Since: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	if st, err := svc.Stats(ctx, day); err != nil || st.Figures.Answered != 0 || st.Figures.Unanswered != 1 {
		t.Fatalf("awaiting approval, the stats count %d answered, %d unanswered (%v); want 0, 1", st.Figures.Answered, st.Figures.Unanswered, err)
	}

	// 10:30: maria approves it from the Approval view.
	clock.Advance(19 * time.Minute)
	sm := connect(t, srv.addr, 120, 30, maria)
	sm.WaitFor(t, "signed in as maria (lead)")
	from = mark(sm)
	press(t, sm, "v")
	waitFor(t, sm, from, regexp.MustCompile(`Approval`))
	press(t, sm, "Approval")
	from = mark(sm)
	press(t, sm, "\r")
	waitFor(t, sm, from, regexp.MustCompile(`Bea Costa`))
	from = mark(sm)
	press(t, sm, "\r")
	waitFor(t, sm, from, regexp.MustCompile(`A\s*approve`))
	from = mark(sm)
	press(t, sm, "A")
	waitFor(t, sm, from, regexp.MustCompile(`approved\s*newbie's\s*reply`))

	th, err := svc.Thread(ctx, id, 50)
	if err != nil {
		t.Fatal(err)
	}
	approvedAt := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC).UnixMilli()
	for _, m := range th.Messages {
		if m.Direction == string(inbox.In) && m.AnsweredAt != approvedAt {
			t.Fatalf("Bea's message is answered at %d, want at the approval, 10:30 (%d)", m.AnsweredAt, approvedAt)
		}
	}
	st, err := svc.Stats(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if f := st.Figures; f.Answered != 1 || f.FirstResponseSeconds == nil || f.FirstResponseSeconds.Median != 80*60 {
		t.Fatalf("after approval: %d answered, first response %+v; want 1, 4800 s (09:10 to 10:30)", f.Answered, f.FirstResponseSeconds)
	}
	// In the outbox: due when the undo window of the approval ends, at 10:30:10.
	if due, err := svc.DueReplies(ctx, 10); err != nil || len(due) != 0 {
		t.Fatalf("the approved reply is due inside its undo window: %+v, %v", due, err)
	}
	clock.Advance(10 * time.Second)
	if due, err := svc.DueReplies(ctx, 10); err != nil || len(due) != 1 || due[0].Text != "It ships today!" {
		t.Fatalf("at 10:30:10 the outbox holds %+v (%v); want newbie's reply", due, err)
	}
}
