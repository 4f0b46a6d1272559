package team

import (
	"errors"
	"os"
	"path/filepath"
)

// DefaultAuthorizedKeys is where the team file lives unless --authorized-keys says:
// $XDG_CONFIG_HOME/triage/team_keys, beside config.toml, since people edit it.
func DefaultAuthorizedKeys() (string, error) {
	dir, err := xdgDir("XDG_CONFIG_HOME", ".config")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "triage", "team_keys"), nil
}

// DefaultHostKey is where the server's host key is kept unless --host-key says:
// $XDG_DATA_HOME/triage/team_host_ed25519, beside the database, never the working folder
// (a key left in a checkout ends up committed).
func DefaultHostKey() (string, error) {
	dir, err := xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share"))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "triage", "team_host_ed25519"), nil
}

// xdgDir is the folder the variable names or, when it is unset or relative (which the
// XDG spec says to ignore), the fallback under the home folder.
func xdgDir(env, fallback string) (string, error) {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("no home folder to keep triage's files in: set $" + env)
	}
	return filepath.Join(home, fallback), nil
}
