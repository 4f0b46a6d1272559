// Package team serves triage's terminal UI to a team over SSH: one Bubble Tea program per
// session, each acting as the agent that the key which authenticated the session maps to
// in the team file (OpenSSH authorized_keys lines with agent= and role= options).
//
// It knows SSH, the team file and the host key; what each agent sees is the caller's:
// Options.NewProgram builds the model for a Session from the shared inbox.
package team

import "github.com/triage-inbox/triage/inbox"

// Member is one line of the team file: a key and whom it belongs to.
type Member struct {
	Agent string
	// Role is agent (the default), lead or admin: inbox's roles, which inbox enforces;
	// here they are only read from the team file and handed to the caller.
	Role inbox.Role
	// Theme is "light" or "dark" when the line fixes the agent's colours (theme=), else "".
	Theme string
	// Fingerprint is the key's SHA256 fingerprint, as ssh-keygen -l prints it.
	Fingerprint string
	// Line is where the key is in the team file, for logs and errors.
	Line int
}
