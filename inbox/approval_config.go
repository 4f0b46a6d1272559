package inbox

import (
	"fmt"
	"slices"
)

// TeamConfig is the [team] table: whose replies wait for a lead's approval. Approval
// names agents (["newbie"]), ApprovalRoles names roles (["agent"]); a reply by anyone
// either names is written awaiting approval instead of going to the outbox.
type TeamConfig struct {
	Approval      []string `toml:"approval"`
	ApprovalRoles []string `toml:"approval_roles"`
}

// check refuses a role that does not exist, so a typo never silently lets replies out.
func (t TeamConfig) check() error {
	for _, r := range t.ApprovalRoles {
		if _, err := ParseRole(r); err != nil {
			return fmt.Errorf("team.approval_roles: %w", err)
		}
	}
	for _, a := range t.Approval {
		if a == "" {
			return fmt.Errorf("team.approval: an empty agent name")
		}
	}
	return nil
}

// ApprovalOn says whether anyone's replies need approval: without it the approval view
// and keys are noise.
func (t TeamConfig) ApprovalOn() bool { return len(t.Approval) > 0 || len(t.ApprovalRoles) > 0 }

// NeedsApproval says whether the person's replies wait for a lead's approval.
func (s *Service) NeedsApproval() bool {
	t := s.cfg.Team
	if slices.Contains(t.Approval, s.agent) {
		return true
	}
	for _, r := range t.ApprovalRoles {
		if p, _ := ParseRole(r); p == s.role {
			return true
		}
	}
	return false
}
