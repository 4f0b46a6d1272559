package team

import (
	"context"
	"time"

	"charm.land/ssh"
)

// scopeSessions gives each session a context of its own, ended when the session's
// handler returns, that is when its program quits. The SSH library's session context is
// the connection's: one connection may carry several sessions (OpenSSH's ControlMaster
// multiplexes them) and outlive them, and what a session started (its inbox calls, its
// presence in conversations) must end with the session, not with the connection.
func scopeSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		next(scopedSession{Session: sess, ctx: scopedContext{Context: sess.Context(), ctx: ctx}})
	}
}

// scopedSession is a session whose Context is its own.
type scopedSession struct {
	ssh.Session
	ctx scopedContext
}

func (s scopedSession) Context() ssh.Context { return s.ctx }

// scopedContext is the connection's ssh.Context (user, keys, permissions) with the
// cancellation of the session's own context.
type scopedContext struct {
	ssh.Context
	ctx context.Context
}

func (c scopedContext) Done() <-chan struct{}       { return c.ctx.Done() }
func (c scopedContext) Err() error                  { return c.ctx.Err() }
func (c scopedContext) Deadline() (time.Time, bool) { return c.ctx.Deadline() }
func (c scopedContext) Value(key any) any           { return c.ctx.Value(key) }
