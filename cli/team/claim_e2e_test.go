package team

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// maria and dev open the same unassigned conversation, each opens the assign picker
// (their own name is chosen), and both press enter at the same moment: exactly one is
// the assignee, with one assign event, and the other's screen names the winner.
func TestRaceToClaimHasOneWinner(t *testing.T) {
	cfg, err := inbox.ParseConfig("test.toml", "agents = [\"maria\", \"dev\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	maria, dev := newKey(t), newKey(t)
	svc, programs := sharedInboxWith(t, cfg, time.Now)
	srv := startServer(t, programs, keyLine(`agent="maria"`, maria), keyLine(`agent="dev"`, dev))
	screens := map[string]*screen{
		"maria": connect(t, srv.addr, 120, 30, maria),
		"dev":   connect(t, srv.addr, 120, 30, dev),
	}
	for _, s := range screens {
		s.WaitFor(t, "Bea Costa")
	}
	for _, s := range screens { // open the conversation: its message under its author
		from := mark(s)
		press(t, s, "\r")
		waitFor(t, s, from, regexp.MustCompile(`▸ Bea Costa`))
	}
	for who, s := range screens { // the picker, on their own name
		from := mark(s)
		press(t, s, "a")
		waitFor(t, s, from, regexp.MustCompile(`assign to `+who))
	}

	go1 := make(chan struct{})
	var wg sync.WaitGroup
	for _, s := range screens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-go1
			s.Stdin.Write([]byte("\r"))
		}()
	}
	from := map[string]int{"maria": mark(screens["maria"]), "dev": mark(screens["dev"])}
	close(go1)
	wg.Wait()

	ctx := context.Background()
	id, err := svc.ConversationID(ctx, "facebook", "106", "post:106_200")
	if err != nil {
		t.Fatal(err)
	}
	var winner string
	for deadline := time.Now().Add(10 * time.Second); winner == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		th, err := svc.Thread(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		winner = th.Info.Assignee
	}
	loser := map[string]string{"maria": "dev", "dev": "maria"}[winner]
	if loser == "" {
		t.Fatalf("the assignee is %q, want maria or dev", winner)
	}
	waitFor(t, screens[loser], from[loser], regexp.MustCompile(winner+` took it first`))
	waitFor(t, screens[winner], from[winner], regexp.MustCompile(`assigned to `+winner))
	t.Logf("%s won; %s's screen says %q", winner, loser, winner+" took it first")

	events, err := svc.Audit(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var assigns []string
	for _, e := range events {
		if e.Action == "assign" {
			assigns = append(assigns, e.Actor)
		}
	}
	if len(assigns) != 1 || assigns[0] != winner {
		t.Fatalf("assign events by %v, want one, by %s", assigns, winner)
	}
	if th, _ := svc.Thread(ctx, id, 1); th.Info.Assignee != winner {
		t.Fatalf("the assignee became %q after %s won", th.Info.Assignee, winner)
	}
}
