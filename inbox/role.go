package inbox

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Role is what a person may do in a shared inbox. Every agent replies, tags, assigns and
// closes; a lead also approves the replies that need approval; an admin also changes
// what the team shares in the database (canned replies). Roles are checked here, in the
// service, so no screen and no command can skip them.
type Role string

// The roles, least power first. The team file names them (role="lead"); a person with
// none named is an agent there, and the single user of a local triage is an admin.
const (
	RoleAgent Role = "agent"
	RoleLead  Role = "lead"
	RoleAdmin Role = "admin"
)

// Roles lists the roles, least power first.
var Roles = []Role{RoleAgent, RoleLead, RoleAdmin}

// ParseRole reads a role as the team file and config write it.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		return "", fmt.Errorf("unknown role %q (want agent, lead or admin)", s)
	}
	return r, nil
}

// WithRole sets the role of the person working; without it they are an admin, so a
// triage used by one person keeps every power.
func WithRole(r Role) Option { return func(s *Service) { s.role = r } }

// Role is the role of the person at the keyboard.
func (s *Service) Role() Role { return s.role }

// AsAgent returns the same inbox acting as another person in their role: what a team
// server gives each SSH session, so the audit log and every permission follow the key
// that connected.
func (s *Service) AsAgent(agent string, role Role) *Service {
	c := *s
	c.agent, c.role = agent, role
	return &c
}

// ErrNotAllowed means the person's role does not allow what they asked; errors wrapping
// it are *NotAllowedError and say who, as what, and who may.
var ErrNotAllowed = errors.New("not allowed")

// NotAllowedError is an action refused for the person's role.
type NotAllowedError struct {
	Agent  string
	Role   Role
	Action string // what was refused, as a phrase: "approve replies"
	Who    string // who may: "leads and admins"
}

func (e *NotAllowedError) Error() string {
	return fmt.Sprintf("%s (%s) may not %s: only %s may", cmpOr(e.Agent, "you"), e.Role, e.Action, e.Who)
}

// Is makes errors.Is(err, ErrNotAllowed) true.
func (e *NotAllowedError) Is(target error) bool { return target == ErrNotAllowed }

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// CanApprove says whether the person may approve or send back replies awaiting approval.
func (s *Service) CanApprove() bool { return s.role == RoleLead || s.role == RoleAdmin }

// CanEditShared says whether the person may change what the team shares in the database:
// canned replies. (Views and the brand voice live in config, which the host's owner edits.)
func (s *Service) CanEditShared() bool { return s.role == RoleAdmin }

// mayApprove is nil when the person may approve, else the refusal.
func (s *Service) mayApprove(action string) error {
	if s.CanApprove() {
		return nil
	}
	return &NotAllowedError{Agent: s.agent, Role: s.role, Action: action, Who: "leads and admins"}
}

// mayEditShared is nil when the person may change canned replies, else the refusal.
func (s *Service) mayEditShared(action string) error {
	if s.CanEditShared() {
		return nil
	}
	return &NotAllowedError{Agent: s.agent, Role: s.role, Action: action, Who: "admins"}
}
