package team

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// probe is a model that shows what its session was given and the last message sent to
// it, and panics on x, to watch the server's side of a session without the inbox's UI.
type probe struct {
	sess *Session
	news string
}

type newsMsg string

func (p *probe) Init() tea.Cmd { return nil }

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case newsMsg:
		p.news = string(msg)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "x":
			panic("a bug in " + p.sess.Agent + "'s session")
		case "q":
			return p, tea.Quit
		}
	}
	return p, nil
}

func (p *probe) View() tea.View {
	return tea.NewView(fmt.Sprintf("agent=%s role=%s theme=%q news=%s.", p.sess.Agent, p.sess.Role, p.sess.Theme, p.news))
}

// probes builds probe programs and hands each session to the test as it starts; for the
// agent "crash" building the program panics.
func probes(sessions chan<- *Session) func(*Session) (tea.Model, []tea.ProgramOption, error) {
	return func(sess *Session) (tea.Model, []tea.ProgramOption, error) {
		if sess.Agent == "crash" {
			panic("a bug in building crash's screen")
		}
		sessions <- sess
		return &probe{sess: sess}, nil, nil
	}
}

// The program gets its session's agent, role and the theme the team file fixes, and
// Session.Send reaches that session's screen (as live updates will).
func TestSessionCarriesIdentityAndSendReachesIt(t *testing.T) {
	maria, bob := newKey(t), newKey(t)
	sessions := make(chan *Session, 2)
	srv := startServer(t, probes(sessions), keyLine(`agent="maria",role="lead",theme="light"`, maria), keyLine(`agent="bob"`, bob))
	sm := connect(t, srv.addr, 80, 24, maria)
	sm.WaitFor(t, `agent=maria role=lead theme="light" news=.`)
	sessM := <-sessions
	sb := connect(t, srv.addr, 80, 24, bob)
	sb.WaitFor(t, `agent=bob role=agent theme="" news=.`)
	<-sessions

	sessM.Send(newsMsg("dev-replied"))
	sm.WaitFor(t, "dev-replied") // the renderer redraws only what changed: the word, not the line
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(sb.Text(), "dev-replied") {
		t.Fatal("a message sent to maria's session reached bob's")
	}
}

// A panic in one session's program, or in building it, ends that session only: the other
// session goes on, and the server takes new connections.
func TestPanicEndsOnlyItsSession(t *testing.T) {
	maria, bob, crash := newKey(t), newKey(t), newKey(t)
	sessions := make(chan *Session, 3)
	srv := startServer(t, probes(sessions), keyLine(`agent="maria"`, maria), keyLine(`agent="bob"`, bob), keyLine(`agent="crash"`, crash))
	sm := connect(t, srv.addr, 80, 24, maria)
	sm.WaitFor(t, "agent=maria")
	sessM := <-sessions
	sb := connect(t, srv.addr, 80, 24, bob)
	sb.WaitFor(t, "agent=bob")
	<-sessions

	if _, err := sb.Stdin.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sb.Sess.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the session whose program panicked did not end")
	}

	sc := connect(t, srv.addr, 80, 24, crash)
	go func() { done <- sc.Sess.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the session whose program could not be built did not end")
	}
	if !strings.Contains(srv.log.String(), "a bug in building crash's screen") {
		t.Fatalf("the panic is not in the server's log:\n%s", srv.log.String())
	}

	sessM.Send(newsMsg("still-here"))
	sm.WaitFor(t, "still-here")
	again := connect(t, srv.addr, 80, 24, bob)
	again.WaitFor(t, "agent=bob")
}

// Quitting ends the session's context even while the client keeps its connection open
// (as OpenSSH's ControlMaster does), so what the session started ends with it.
func TestQuitEndsSessionContextOnOpenConnection(t *testing.T) {
	maria := newKey(t)
	sessions := make(chan *Session, 1)
	srv := startServer(t, probes(sessions), keyLine(`agent="maria"`, maria))
	sm := connect(t, srv.addr, 80, 24, maria) // the client stays connected until the test ends
	sm.WaitFor(t, "agent=maria")
	sess := <-sessions
	if _, err := sm.Stdin.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, sm)
	select {
	case <-sess.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the session's context outlived the session")
	}
}
