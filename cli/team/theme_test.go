package team

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// sgr finds the colour and attribute sequences in a screen's output.
var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// colours is the set of distinct SGR sequences the session has printed.
func colours(s *screen) []string {
	found := sgr.FindAllString(s.Raw(), -1)
	slices.Sort(found)
	return slices.Compact(found)
}

// The team file's theme= reaches the agent's screen: maria's fixed light theme is drawn
// in other colours than bob's default, dark, which in turn is drawn as soon as the
// session starts, though the client never answers the background-colour query.
func TestTeamFileThemeIsHonoured(t *testing.T) {
	maria, bob, dev := newKey(t), newKey(t), newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria",theme="light"`, maria), keyLine(`agent="bob"`, bob),
		keyLine(`agent="dev",theme="dark"`, dev))
	sm := connect(t, srv.addr, 100, 30, maria)
	sb := connect(t, srv.addr, 100, 30, bob)
	sd := connect(t, srv.addr, 100, 30, dev)
	for _, s := range []*screen{sm, sb, sd} {
		s.WaitFor(t, "signed in as")
		s.WaitFor(t, "Bea Costa")
	}
	time.Sleep(200 * time.Millisecond) // the rest of the first frame
	light, dark, fixedDark := colours(sm), colours(sb), colours(sd)
	if slices.Equal(light, dark) {
		t.Fatalf("the light theme is drawn in the dark theme's colours: %q", light)
	}
	if !slices.Equal(dark, fixedDark) {
		t.Fatalf("the default theme is not dark:\ndefault %q\ndark    %q", dark, fixedDark)
	}
}

// Ending Serve ends the open sessions with it, rather than leaving agents on a screen
// that no longer answers.
func TestServeEndClosesSessions(t *testing.T) {
	maria := newKey(t)
	dir := t.TempDir()
	team := dir + "/team_keys"
	writeTeam(t, team, keyLine(`agent="maria"`, maria))
	s, err := Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: team, HostKey: dir + "/host_key", NewProgram: inboxPrograms(t), Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	sm := connect(t, s.Addr().String(), 100, 30, maria)
	sm.WaitFor(t, "signed in as maria")
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	ended := make(chan error, 1)
	go func() { ended <- sm.Sess.Wait() }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the open session outlived the server")
	}
	if strings.Contains(sm.Text(), "panic") {
		t.Fatalf("the session ended in a panic:\n%s", sm.Text())
	}
}
