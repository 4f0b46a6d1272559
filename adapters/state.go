package adapters

import (
	"fmt"
	"os"
	"path/filepath"
)

// StateDir is triage's state folder, $XDG_STATE_HOME/triage (else
// ~/.local/state/triage): the log, and what triage learns and must keep outside the
// database (a rotated refresh token, an account's handle as the channel named it). It
// is not created here; whoever writes in it makes it 0700.
func StateDir() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no state folder: set XDG_STATE_HOME: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "triage"), nil
}
