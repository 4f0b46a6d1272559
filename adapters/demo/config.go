package demo

import (
	_ "embed"
)

//go:embed config.toml
var configTOML string

// ConfigTOML is the demo brand's config.toml: Kettlebird, an invented shop for home
// coffee gear, with its voice, canned replies, SLA targets, rules, escalation reasons,
// agents and saved views. `triage demo` parses it with inbox.ParseConfig.
func ConfigTOML() string { return configTOML }
