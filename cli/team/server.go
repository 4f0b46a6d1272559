package team

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/recover"
)

// Options configure the server.
type Options struct {
	// Listen is the address to serve on, as in "127.0.0.1:2222" or ":2222".
	Listen string
	// AuthorizedKeys is the team file; "" is DefaultAuthorizedKeys().
	AuthorizedKeys string
	// HostKey is the server's private key, created on first start; "" is DefaultHostKey().
	HostKey string
	// NewProgram builds the model of one session's program, as its agent, and any
	// program options of the caller's own. The server adds input, output, colour profile,
	// window size and a message filter (so a caller's tea.WithFilter would be replaced).
	// An error ends that session with the error on the agent's screen.
	NewProgram func(sess *Session) (tea.Model, []tea.ProgramOption, error)
	// Log receives connections, refusals and panics; nil discards them. It must not be
	// the terminal of a UI.
	Log *slog.Logger
	// LoginGrace is how long a connection may take to authenticate before it is closed
	// (sshd's LoginGraceTime); 0 is DefaultLoginGrace. Without it, connections that never
	// finish the handshake would each hold a socket for ever.
	LoginGrace time.Duration
}

// DefaultLoginGrace is the time a client has to authenticate, as a person typing a key's
// passphrase needs.
const DefaultLoginGrace = time.Minute

// Server is an SSH server of the inbox UI, listening.
type Server struct {
	srv      *ssh.Server
	ln       net.Listener
	keysPath string
	log      *slog.Logger
	opts     Options
}

// Serve serves the UI over SSH on opts.Listen until ctx ends.
func Serve(ctx context.Context, opts Options) error {
	s, err := Listen(opts)
	if err != nil {
		return err
	}
	return s.Serve(ctx)
}

// Listen checks the team file, loads or creates the host key and opens the listening
// socket, so that every mistake in the setup is reported before anyone connects.
func Listen(opts Options) (*Server, error) {
	if opts.NewProgram == nil {
		return nil, errors.New("team: Options.NewProgram is required")
	}
	s := &Server{opts: opts, log: opts.Log, keysPath: opts.AuthorizedKeys}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if s.keysPath == "" {
		if s.keysPath, err = DefaultAuthorizedKeys(); err != nil {
			return nil, err
		}
	}
	team, err := LoadTeam(s.keysPath)
	if err != nil {
		return nil, err
	}
	if team.Len() == 0 {
		s.log.Warn("the team file lets nobody in yet", "file", s.keysPath)
	}
	hostKeyPath := opts.HostKey
	if hostKeyPath == "" {
		if hostKeyPath, err = DefaultHostKey(); err != nil {
			return nil, err
		}
	}
	signer, err := loadHostKey(hostKeyPath)
	if err != nil {
		return nil, err
	}
	s.srv, err = wish.NewServer(
		// The host key goes first: without one, wish writes a new id_ed25519 into the
		// working folder.
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithMiddleware(
			// The last listed runs first: recover around everything, then the log line,
			// the terminal check, the command check, the session's own context, and last
			// the program.
			recover.MiddlewareWithLogger(slogPrinter{s.log},
				bubbletea.MiddlewareWithProgramHandler(s.program),
				scopeSessions,
				refuseCommands,
				activeterm.Middleware(),
				s.logSessions,
			),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("team: SSH server: %w", err)
	}
	s.srv.HandshakeTimeout = cmp.Or(opts.LoginGrace, DefaultLoginGrace)
	if s.ln, err = net.Listen("tcp", opts.Listen); err != nil {
		return nil, fmt.Errorf("team: listen: %w", err)
	}
	s.log.Info("serving the team over SSH", "addr", s.ln.Addr().String(), "team_file", s.keysPath, "host_key", hostKeyPath,
		"host_key_fingerprint", fingerprint(signer))
	return s, nil
}

// Addr is the address the server listens on (with the port chosen, for ":0").
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve accepts connections until ctx ends, then closes every session: each program
// quits as its session's context ends.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case <-ctx.Done():
		s.log.Info("stopping: closing every session")
		s.srv.Close()
		<-errc
		return nil
	case err := <-errc:
		if errors.Is(err, ssh.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("team: serve: %w", err)
	}
}
