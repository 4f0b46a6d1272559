package inbox

import (
	"context"
	"testing"
)

// hasDraft is what the queue's ✎ says of a conversation for the service's agent.
func hasDraft(t *testing.T, s *Service, conv int64) bool {
	t.Helper()
	rows, err := s.Queue(context.Background(), QueuePage{View: View{Name: "All"}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ID == conv {
			return r.HasDraft
		}
	}
	t.Fatalf("conversation %d not in the queue", conv)
	return false
}

// Under `triage team` two agents may write in one conversation at once: each keeps their
// own draft, neither opens nor overwrites the other's, and the queue's ✎ marks only your
// own. Sending your reply clears your draft, not a colleague's.
func TestDraftsAreEachAgents(t *testing.T) {
	ctx := context.Background()
	maria, _ := newTestInbox(t, "[outbox]\nsend_delay = \"0s\"\n", at("2026-11-20T12:00:00Z"))
	mustIngest(t, maria, inMsg("c1", "media:1", "where is my order?", "2026-11-20T11:00:00Z"))
	conv := convOf(t, maria, "media:1")
	dev, sam := maria.As("dev"), maria.As("sam")

	if err := maria.SaveDraft(ctx, conv, "Hi Ana, it left on"); err != nil {
		t.Fatal(err)
	}
	if err := dev.SaveDraft(ctx, conv, "Sorry for the wait"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    *Service
		want string
	}{{maria, "Hi Ana, it left on"}, {dev, "Sorry for the wait"}, {sam, ""}} {
		if got, err := c.s.Draft(ctx, conv); err != nil || got != c.want {
			t.Errorf("%s's draft = %q, %v; want %q", c.s.Agent(), got, err, c.want)
		}
		if got := hasDraft(t, c.s, conv); got != (c.want != "") {
			t.Errorf("%s's queue marks a draft: %v", c.s.Agent(), got)
		}
	}
	if _, err := dev.Reply(ctx, conv, "Sorry for the wait, Ana: it ships today."); err != nil {
		t.Fatal(err)
	}
	if got, _ := dev.Draft(ctx, conv); got != "" {
		t.Errorf("dev's draft after sending = %q", got)
	}
	if got, _ := maria.Draft(ctx, conv); got != "Hi Ana, it left on" {
		t.Errorf("maria's draft after dev sent = %q; it must stay", got)
	}
}
