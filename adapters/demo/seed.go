package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// Summary says what Seed put in the inbox.
type Summary struct {
	Seed          int64
	Messages      int // messages generated
	Stored        int // of those, newly stored (0 when the database already held them)
	Conversations int // conversations they form
	Touched       int // conversations the team's history changed
	Tagged        int // conversations tagged by hand (rules tag more on ingest)
	Escalated     int
	Resolved      int // escalations customer care has closed
	Assigned      int
	Done          int
	Snoozed       int
	Spam          int  // spam conversations, whether the spam words or an agent caught them
	Notes         int  // internal notes, besides the notes escalations carry
	Refused       bool // one reply the channel refused, to show what triage does with it
}

// Seed fills an inbox with the demo: it stores Messages(seed, now) in one batch, then
// replays two weeks of the team's work at the times it happened (tags, escalations with
// notes, assignments, closing, snoozing, spam), each by the agent who did it, and marks
// the database as the demo's. svc should run with the demo config (ConfigTOML) over a
// fresh database: the messages are stored idempotently, but the history would be
// recorded twice.
func Seed(ctx context.Context, svc *inbox.Service, seed int64, now time.Time) (Summary, error) {
	w := generate(seed, now)
	msgs := w.messages()
	sum := Summary{Seed: seed, Messages: len(msgs), Conversations: len(w.convs)}
	counts, err := svc.IngestMessages(ctx, msgs...)
	if err != nil {
		return sum, fmt.Errorf("store demo messages: %w", err)
	}
	sum.Stored = counts.New

	steps := planHistory(w, seed, &sum)
	touched := map[*conv]bool{}
	for _, st := range steps {
		id, err := svc.ConversationID(ctx, st.conv.channel, st.conv.account, st.conv.key)
		if err != nil {
			return sum, fmt.Errorf("demo history: %w", err)
		}
		who := svc
		if st.agent != "" {
			who = svc.As(st.agent)
		}
		at := st.at
		if err := st.do(ctx, who.Clocked(func() time.Time { return at }), id); err != nil {
			return sum, fmt.Errorf("demo history: %s (conversation %d): %w", st, id, err)
		}
		touched[st.conv] = true
	}
	sum.Touched = len(touched)
	if sum.Refused, err = seedRefusedReply(ctx, svc, now); err != nil {
		return sum, fmt.Errorf("demo history: %w", err)
	}
	if err := svc.MarkDemo(ctx, seed); err != nil {
		return sum, fmt.Errorf("mark demo database: %w", err)
	}
	return sum, nil
}
