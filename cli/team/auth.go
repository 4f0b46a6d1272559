package team

import (
	"errors"
	"fmt"
	"log/slog"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/triage-inbox/triage/inbox"
)

// What the authentication of a key records in the connection's permissions. The SSH
// library keeps the permissions returned for each key it checks and, once a signature
// proves one, gives the connection that key's permissions and no other's.
const (
	extFingerprint = "triage-fingerprint"
	extAgent       = "triage-agent"
	extRole        = "triage-role"
	extTheme       = "triage-theme"
)

// authorize is the public-key handler. It is called for every key a client offers, also
// keys the client never proves it holds (a query, or a signature that fails after), so it
// only says whether the key may try and records who the key is in that key's own
// permissions; nothing here is taken as the session's identity (see identify).
//
// It reads the team file on every call, so an edit applies to the next connection
// without a restart; the file is a few lines, read a few times per connection.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	team, err := LoadTeam(s.keysPath)
	if err != nil {
		// A broken file lets nobody in until it is fixed, rather than whoever parsed.
		s.log.Error("refused a key: the team file cannot be read", "err", err)
		return false
	}
	m, ok := team.Lookup(key)
	if !ok {
		s.log.Info("refused a key not in the team file", "fingerprint", gossh.FingerprintSHA256(key), "remote", ctx.RemoteAddr().String())
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[extFingerprint] = m.Fingerprint
	perms.Extensions[extAgent] = m.Agent
	perms.Extensions[extRole] = string(m.Role)
	perms.Extensions[extTheme] = m.Theme
	return true
}

// errNoIdentity is a session whose key and recorded identity disagree; it should never
// happen, and if it does the session is refused rather than guessed at.
var errNoIdentity = errors.New("this session's key is not the one its identity was recorded for")

// identify says who the session is, from the key that authenticated it (which the SSH
// library takes from the verified key's permissions) checked against the fingerprint
// recorded with the identity when that same key was authorized.
func identify(sess ssh.Session) (Member, error) {
	key := sess.PublicKey()
	if key == nil {
		return Member{}, errors.New("no public key authenticated this session")
	}
	ext := sess.Permissions().Extensions
	if ext[extFingerprint] == "" || ext[extFingerprint] != gossh.FingerprintSHA256(key) || ext[extAgent] == "" {
		return Member{}, errNoIdentity
	}
	return Member{Agent: ext[extAgent], Role: inbox.Role(ext[extRole]), Theme: ext[extTheme], Fingerprint: ext[extFingerprint]}, nil
}

// slogPrinter lets the recover middleware log a panic through the server's logger.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.l.Error("session panicked", "panic", fmt.Sprintf(format, v...))
}
