package team

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/triage-inbox/triage/inbox"
)

// Session is one agent's SSH session, as NewProgram sees it.
type Session struct {
	Agent  string
	Role   inbox.Role
	Theme  string // "light" or "dark" when the team file fixes it, else ""
	Remote net.Addr

	ctx  context.Context
	mu   sync.Mutex
	prog *tea.Program
}

// Context ends when the session does: for the inbox calls of the session's model and
// for anything the caller starts for it (a subscription to live updates).
func (s *Session) Context() context.Context { return s.ctx }

// Send delivers msg to the session's program, as live updates from other sessions do.
// It is safe from any goroutine; before the program exists or after it ends, msg is
// dropped.
func (s *Session) Send(msg tea.Msg) {
	s.mu.Lock()
	p := s.prog
	s.mu.Unlock()
	if p != nil {
		p.Send(msg)
	}
}

// defaultWidth and defaultHeight stand in for a size the client did not send (0×0, as
// some clients and scripted sessions do): a program sized 0×0 could draw nothing.
const defaultWidth, defaultHeight = 80, 24

// program builds the Bubble Tea program of one session, run by wish's bubbletea
// middleware, which also forwards the session's window changes to it. The program reads
// and writes the session itself (the pty wish emulates): allocating a second, real pty
// would take the window changes away from the program.
func (s *Server) program(sess ssh.Session) *tea.Program {
	who, err := identify(sess)
	if err != nil {
		s.log.Error("refused a session", "err", err, "remote", sess.RemoteAddr().String())
		wish.Fatalln(sess, "triage: "+err.Error())
		return nil
	}
	ts := &Session{Agent: who.Agent, Role: who.Role, Theme: who.Theme, Remote: sess.RemoteAddr(), ctx: sess.Context()}
	model, opts, err := s.opts.NewProgram(ts)
	if err != nil {
		s.log.Error("could not open the inbox for a session", "agent", who.Agent, "err", err)
		wish.Fatalln(sess, "triage: "+err.Error())
		return nil
	}
	pty, _, _ := sess.Pty()
	w, h := pty.Window.Width, pty.Window.Height
	if w <= 0 || h <= 0 {
		w, h = defaultWidth, defaultHeight
	}
	opts = append(opts, bubbletea.MakeOptions(sess)...)
	opts = append(opts, tea.WithWindowSize(w, h), tea.WithFilter(sessionFilter))
	p := tea.NewProgram(model, opts...)
	ts.mu.Lock()
	ts.prog = p
	ts.mu.Unlock()
	return p
}

// sessionFilter does what wish's own filter does (a remote ctrl+z must not suspend the
// server's program, so it resumes at once) and gives a window change of 0×0 the default
// size, as at the start.
func sessionFilter(_ tea.Model, msg tea.Msg) tea.Msg {
	switch m := msg.(type) {
	case tea.SuspendMsg:
		return tea.ResumeMsg{}
	case tea.WindowSizeMsg:
		if m.Width <= 0 || m.Height <= 0 {
			return tea.WindowSizeMsg{Width: defaultWidth, Height: defaultHeight}
		}
	}
	return msg
}

// refuseCommands ends a session that asks to run a command (ssh host ls): the server
// serves the inbox and nothing else, and saying so beats silently ignoring the command.
func refuseCommands(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if cmd := sess.Command(); len(cmd) > 0 {
			wish.Fatalln(sess, "triage serves the inbox, not commands: connect without one (ssh -p PORT host)")
			return
		}
		next(sess)
	}
}

// logSessions logs each session's start and end with its agent, from the verified key.
func (s *Server) logSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		agent := sess.Permissions().Extensions[extAgent]
		pty, _, _ := sess.Pty()
		s.log.Info("session started", "agent", agent, "remote", sess.RemoteAddr().String(),
			"term", pty.Term, "size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height))
		next(sess)
		s.log.Info("session ended", "agent", agent, "after", time.Since(start).Round(time.Second).String())
	}
}

func fingerprint(signer gossh.Signer) string { return gossh.FingerprintSHA256(signer.PublicKey()) }
