package inbox

import (
	"context"
	"fmt"
)

// Moderated records what a person did to a message on its channel through triage: hide
// and unhide mark it hidden or shown again, delete marks it removed, exactly as the
// channel's own news of it (a webhook's Update) would, so the thread says so at once and
// a later webhook for the same act changes nothing.
func (s *Service) Moderated(ctx context.Context, channel, account, messageID, action string) error {
	u := Update{Channel: channel, Account: account, ID: messageID, At: s.Now()}
	switch action {
	case "hide", "unhide":
		hidden := action == "hide"
		u.Hidden = &hidden
	case "delete":
		u.Removed = true
	default:
		return fmt.Errorf("moderated: %q is not hide, unhide or delete", action)
	}
	_, err := s.ApplyUpdates(ctx, []Update{u})
	return err
}
