package cli

import (
	"fmt"
	"os"
	"runtime"
)

// Files triage writes are private: the database (and SQLite's -wal and -shm beside it)
// and the log are created 0600 in folders created 0700 (see store.Open and openLog).
// Folders that already exist keep the mode their owner gave them; what is in them is
// 0600 regardless. config.toml is the user's own file, which triage only reads, so it is
// never changed: a config others can read or write draws a warning instead.

// configModeWarning is the warning for a config file that other users can read or
// write, or "" when it is private, missing or on a system without Unix modes.
func configModeWarning(path string) string {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	perm := fi.Mode().Perm()
	switch {
	case perm&0o044 != 0:
		return fmt.Sprintf("triage: warning: %s is readable by other users (mode %#o); it may hold account names and commands — chmod 600 %s",
			path, uint32(perm), path)
	case perm&0o022 != 0:
		return fmt.Sprintf("triage: warning: %s is writable by other users (mode %#o); it may hold commands that triage runs — chmod 600 %s",
			path, uint32(perm), path)
	}
	return ""
}

// warnConfigMode prints configModeWarning for path to the command's stderr, once per
// command (serve, for one, reads the config twice). The UI prints it before it starts.
func (e *cliEnv) warnConfigMode(path string) {
	if e.configWarned {
		return
	}
	if msg := configModeWarning(path); msg != "" {
		e.configWarned = true
		fmt.Fprintln(e.stderr, msg)
	}
}
