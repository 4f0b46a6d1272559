package ui

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/triage-inbox/triage/inbox"
)

// SessionOptions are what one agent's screen needs besides the shared inbox, when triage
// serves many agents at once (`triage team`, one program per SSH session).
type SessionOptions struct {
	// Agent is who this screen acts as, in Role: every action's audit event names them,
	// and inbox checks every action against the role. "" keeps the agent and role the
	// inbox already acts as.
	Agent string
	// Role is the agent's role; "" is the least, agent (the shared inbox's own role is
	// admin, the local user's, which a team member must not inherit by omission).
	Role inbox.Role
	// Theme is "light" or "dark" to fix the colours, or "" / "auto" to start dark and
	// follow the terminal if it answers the background-colour query. Over SSH that
	// answer may never come, and nothing waits for it.
	Theme        string
	Keys         map[string]any // [keys] of config.toml
	Moderation   Moderation
	AccountNames map[AccountKey]string
	Log          *slog.Logger // nil: discarded
	// Hub is what the sessions of the process share (inbox.Hub, see RunHub): the screen
	// joins it for live changes and presence, and leaves it when ctx ends. nil: none.
	Hub *inbox.Hub
}

// NewSession builds the root model of one agent's screen over the shared inbox, for the
// caller to run in a program of its own (Run builds and runs a local one). Each session
// gets its own key map and style sheet: they carry state (enabled keys, colours).
func NewSession(ctx context.Context, svc *inbox.Service, opts SessionOptions) (*Model, error) {
	keys := DefaultKeyMap()
	if err := keys.Remap(opts.Keys); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var fixed bool
	dark := true
	switch opts.Theme {
	case "", "auto":
	case "light", "dark":
		fixed, dark = true, opts.Theme == "dark"
	default:
		return nil, fmt.Errorf("theme %q: want auto, light or dark", opts.Theme)
	}
	logger := opts.Log
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Agent != "" {
		role := opts.Role
		if role == "" {
			role = inbox.RoleAgent
		}
		svc = svc.AsAgent(opts.Agent, role) // a copy: the shared service keeps its own
	}
	c := &Common{Ctx: ctx, Inbox: svc, Styles: NewStyles(dark), FixedTheme: fixed, Mod: opts.Moderation,
		AccountNames: opts.AccountNames, Keys: keys, Now: svc.Now, Log: logger, Tick: tickEvery, Width: 80, Height: 24}
	c.Session = joinHub(ctx, opts.Hub, svc.Agent())
	m := New(c)
	// The footer says who the screen acts as until the first other news replaces it, so
	// an agent on a borrowed terminal sees at once whose name their actions carry.
	who := svc.Agent() + " (" + string(svc.Role()) + ")"
	m.setStatus("signed in as "+Safe(who), nil)
	return m, nil
}
