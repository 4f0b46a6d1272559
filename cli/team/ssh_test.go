package team

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// A key that is not in the team file gets no session at all.
func TestStrangerIsRefused(t *testing.T) {
	maria := newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria"`, maria))
	c, err := dial(srv.addr, newKey(t))
	if err == nil {
		c.Close()
		t.Fatal("a key not in the team file was let in")
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("want an authentication failure, got %v", err)
	}
}

// A client that offers the lead's public key without holding its private key is asked to
// sign, fails, and is refused: knowing a public key is not being its owner.
func TestOfferedButUnprovenKeyIsRefused(t *testing.T) {
	lead := newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria",role="lead"`, lead))
	c, err := dial(srv.addr, liar{claimed: lead.PublicKey(), real: newKey(t)})
	if err == nil {
		c.Close()
		t.Fatal("a client that only knew the lead's public key was let in")
	}
}

// A client offers the lead's public key, cannot sign for it, and then authenticates with
// its own, bob's, on the same connection: the server's key handler accepted the lead's key
// when it was offered, but the session is bob's. A server that took the identity from the
// first key its handler accepted would make bob the lead.
func TestOfferedButUnprovenKeyIsNotTakenAsItsOwner(t *testing.T) {
	lead, bob := newKey(t), newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria",role="lead"`, lead), keyLine(`agent="bob"`, bob))
	s := connect(t, srv.addr, 100, 30, offerOnly{claimed: lead.PublicKey()}, bob)
	s.WaitFor(t, "signed in as bob (agent)")
	if strings.Contains(s.Text(), "maria") {
		t.Fatalf("bob's session names maria, whose key bob only offered:\n%s", s.Text())
	}
}

// A known key gets the inbox, acting as the agent the team file names.
func TestKnownKeySeesInboxAsItsAgent(t *testing.T) {
	maria := newKey(t)
	srv := startServer(t, inboxPrograms(t), "# the team\n", keyLine(`agent="maria",role="lead"`, maria))
	s := connect(t, srv.addr, 100, 30, maria)
	s.WaitFor(t, "Bea Costa") // the waiting message's author, in the queue
	s.WaitFor(t, "signed in as maria (lead)")
}

// Two agents at once, each in their own program as themselves; one quitting ends only
// their own session, cleanly.
func TestTwoSessionsAtOnce(t *testing.T) {
	maria, bob := newKey(t), newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria",role="lead"`, maria), keyLine(`agent="bob"`, bob))
	sm := connect(t, srv.addr, 100, 30, maria)
	sb := connect(t, srv.addr, 90, 30, bob)
	sm.WaitFor(t, "signed in as maria (lead)")
	sb.WaitFor(t, "signed in as bob (agent)")
	if strings.Contains(sb.Text(), "maria") || strings.Contains(sm.Text(), "bob") {
		t.Fatal("one session shows the other's agent")
	}

	if _, err := sm.Stdin.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, sm)
	// bob's program still runs: it answers a key (? opens help).
	if _, err := sb.Stdin.Write([]byte("?")); err != nil {
		t.Fatal(err)
	}
	sb.WaitFor(t, "Keys")
}

// waitEnded waits for the session to end with exit status 0.
func waitEnded(t *testing.T, s *screen) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Sess.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the session ended with %v, want a clean exit", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("quitting did not end the session")
	}
}

// A window change from the client reaches the program: shrunk below the minimum, the
// screen says so with the new size; grown again, the inbox is back.
func TestResizeReachesTheProgram(t *testing.T) {
	maria := newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria"`, maria))
	s := connect(t, srv.addr, 100, 30, maria)
	s.WaitFor(t, "signed in as maria")
	if err := s.Sess.WindowChange(20, 40); err != nil { // height, width
		t.Fatal(err)
	}
	s.WaitFor(t, "40×20")
}

// A client that sends a 0×0 window (scripted clients do) gets 80×24, not a screen too
// small to draw.
func TestZeroWindowGetsDefaultSize(t *testing.T) {
	maria := newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria"`, maria))
	s := connect(t, srv.addr, 0, 0, maria)
	s.WaitFor(t, "signed in as maria")
	if strings.Contains(s.Text(), "make the window larger") {
		t.Fatalf("a 0×0 window was drawn as too small:\n%s", s.Text())
	}
	if err := s.Sess.WindowChange(0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stdin.Write([]byte("?")); err != nil {
		t.Fatal(err)
	}
	s.WaitFor(t, "Keys")
	if strings.Contains(s.Text(), "make the window larger") {
		t.Fatalf("a window change to 0×0 was drawn as too small:\n%s", s.Text())
	}
}

// Adding a key to the team file lets it in on its next connection, with no restart;
// removing one keeps it out.
func TestTeamFileEditAppliesWithoutRestart(t *testing.T) {
	maria, bob := newKey(t), newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria"`, maria))
	if c, err := dial(srv.addr, bob); err == nil {
		c.Close()
		t.Fatal("bob was let in before the team file named him")
	}
	writeTeam(t, srv.teamPath, keyLine(`agent="maria"`, maria), keyLine(`agent="bob"`, bob))
	s := connect(t, srv.addr, 100, 30, bob)
	s.WaitFor(t, "signed in as bob")

	writeTeam(t, srv.teamPath, keyLine(`agent="bob"`, bob))
	if c, err := dial(srv.addr, maria); err == nil {
		c.Close()
		t.Fatal("maria was still let in after her key left the team file")
	}
}

// While the team file has a mistake, nobody is let in, rather than whoever parsed.
func TestBrokenTeamFileLetsNobodyIn(t *testing.T) {
	maria := newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria"`, maria))
	writeTeam(t, srv.teamPath, keyLine(`agent="maria"`, maria), "agent=\"bob\",role=\"boss\" ssh-ed25519 AAAA\n")
	if c, err := dial(srv.addr, maria); err == nil {
		c.Close()
		t.Fatal("a key was let in while the team file could not be read")
	}
}

// An ssh command (ssh host ls) is refused with a word, not run and not ignored.
func TestCommandsAreRefused(t *testing.T) {
	sess := bareSession(t)
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("ls")
	if err == nil || !strings.Contains(string(out), "not commands") {
		t.Fatalf("ssh host ls: err %v, output %q; want refused", err, out)
	}
}

// A session without a terminal (ssh -T) is told it needs one instead of getting a
// program that cannot draw.
func TestSessionWithoutTerminalIsRefused(t *testing.T) {
	out, err := bareSession(t).CombinedOutput("")
	if err == nil || !strings.Contains(string(out), "Requires an active PTY") {
		t.Fatalf("ssh -T: err %v, output %q; want refused", err, out)
	}
}

// A connection that never authenticates is closed after the login grace time, so idle
// sockets cannot pile up.
func TestUnauthenticatedConnectionIsClosed(t *testing.T) {
	maria := newKey(t)
	dir := t.TempDir()
	writeTeam(t, dir+"/team_keys", keyLine(`agent="maria"`, maria))
	s, err := Listen(Options{Listen: "127.0.0.1:0", AuthorizedKeys: dir + "/team_keys", HostKey: dir + "/host_key",
		NewProgram: inboxPrograms(t), Log: testLog(t), LoginGrace: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	// The server's version line comes first; after it, silence until the server hangs up.
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("the server did not close a connection that never authenticated: %v", err)
	}
}

// What an agent does in their session is theirs in the audit log: bob, who offered the
// lead's key before his own, marks the conversation done, and the event names bob.
func TestActionIsTheAuthenticatedAgents(t *testing.T) {
	lead, bob := newKey(t), newKey(t)
	svc, programs := sharedInbox(t)
	srv := startServer(t, programs, keyLine(`agent="maria",role="lead"`, lead), keyLine(`agent="bob"`, bob))
	s := connect(t, srv.addr, 100, 30, offerOnly{claimed: lead.PublicKey()}, bob)
	s.WaitFor(t, "Bea Costa")
	if _, err := s.Stdin.Write([]byte("d")); err != nil { // done, on the first row
		t.Fatal(err)
	}
	ctx := context.Background()
	id, err := svc.ConversationID(ctx, "facebook", "106", "post:106_200")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, err := svc.Audit(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Batch != 0 { // a person's action, not the system's
				if e.Actor != "bob" {
					t.Fatalf("the action in bob's session is recorded as %q's: %+v", e.Actor, e)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no action recorded; audit %+v; screen:\n%s", events, s.Text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// One agent's presence reaches another's screen through the server within a second or
// two: bob opens the conversation, and maria's queue shows him in it.
func TestPresenceReachesOtherSession(t *testing.T) {
	maria, bob := newKey(t), newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria",role="lead"`, maria), keyLine(`agent="bob"`, bob))
	sm := connect(t, srv.addr, 120, 30, maria)
	sb := connect(t, srv.addr, 120, 30, bob)
	sm.WaitFor(t, "Bea Costa")
	sb.WaitFor(t, "Bea Costa")
	if strings.Contains(sm.Text(), "bob") {
		t.Fatalf("maria's screen names bob before he did anything:\n%s", sm.Text())
	}
	if _, err := sb.Stdin.Write([]byte("\r")); err != nil { // enter: open the conversation
		t.Fatal(err)
	}
	start := time.Now()
	sm.WaitFor(t, "bob")
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("bob's presence took %v to reach maria's screen", d)
	}
}

// bareSession is a session of a team member, maria, with nothing asked of it yet: no
// pty, no shell.
func bareSession(t *testing.T) *gossh.Session {
	t.Helper()
	maria := newKey(t)
	srv := startServer(t, inboxPrograms(t), keyLine(`agent="maria"`, maria))
	c, err := dial(srv.addr, maria)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}
