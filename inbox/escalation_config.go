package inbox

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Escalation destinations: where [escalation] destination sends a case.
const (
	DestinationWebhook = "webhook" // a signed JSON POST to url
	DestinationEmail   = "email"   // a plain-text email to the support address over SMTP
	DestinationZendesk = "zendesk" // a ticket through the Zendesk API
)

// destinationKeys lists, per destination, the [escalation] keys it reads; a key in
// one group of alternatives (like secret_env | secret_cmd) is required when the group is
// marked so.
var destinationKeys = map[string]struct {
	allowed  []string
	required [][]string // each group: at least one of these
}{
	DestinationWebhook: {
		allowed:  []string{"url", "secret_env", "secret_cmd"},
		required: [][]string{{"url"}, {"secret_env", "secret_cmd"}},
	},
	DestinationEmail: {
		allowed:  []string{"to", "from", "smtp", "security", "username", "password_env", "password_cmd"},
		required: [][]string{{"to"}, {"from"}, {"smtp"}},
	},
	DestinationZendesk: {
		allowed:  []string{"subdomain", "url", "email", "token_env", "token_cmd"},
		required: [][]string{{"subdomain", "url"}, {"email"}, {"token_env", "token_cmd"}},
	},
}

// keys are the destination keys that are set, by name.
func (e EscalationConfig) keys() map[string]string {
	all := map[string]string{
		"url": e.URL, "secret_env": e.SecretEnv, "secret_cmd": e.SecretCmd, "to": e.To, "from": e.From,
		"smtp": e.SMTP, "security": e.Security, "username": e.Username, "password_env": e.PasswordEnv,
		"password_cmd": e.PasswordCmd, "subdomain": e.Subdomain, "email": e.Email, "token_env": e.TokenEnv,
		"token_cmd": e.TokenCmd,
	}
	for k, v := range all {
		if strings.TrimSpace(v) == "" {
			delete(all, k)
		}
	}
	return all
}

// Keys returns the destination's keys that are set, by their names in config.toml, for
// the code that builds the destination (secrets are read from *_env and *_cmd there).
func (e EscalationConfig) Keys() map[string]any {
	out := map[string]any{}
	for k, v := range e.keys() {
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// check validates the destination and that its keys, and only its keys, are set. The
// values themselves (a URL, an address) are checked where the destination is built.
func (e EscalationConfig) check() error {
	set := e.keys()
	names := slices.Sorted(maps.Keys(set))
	dest, ok := destinationKeys[e.Destination]
	if e.Destination == "" {
		if len(names) > 0 {
			return fmt.Errorf("escalation.%s: set destination (webhook, email or zendesk) to use it", names[0])
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("escalation.destination: %q: want webhook, email or zendesk", e.Destination)
	}
	for _, k := range names {
		if !slices.Contains(dest.allowed, k) {
			return fmt.Errorf("escalation.%s: not a key of destination %s (it takes %s)", k, e.Destination,
				strings.Join(dest.allowed, ", "))
		}
	}
	for _, group := range dest.required {
		if !slices.ContainsFunc(group, func(k string) bool { return set[k] != "" }) {
			return fmt.Errorf("escalation.%s: required for destination %s", strings.Join(group, " or escalation."), e.Destination)
		}
	}
	for _, pair := range [][2]string{{"secret_env", "secret_cmd"}, {"password_env", "password_cmd"},
		{"token_env", "token_cmd"}, {"subdomain", "url"}} {
		if set[pair[0]] != "" && set[pair[1]] != "" {
			return fmt.Errorf("escalation.%s, escalation.%s: set one, not both", pair[0], pair[1])
		}
	}
	return nil
}

// Escalating reports whether escalations are delivered to customer service.
func (e EscalationConfig) Escalating() bool { return e.Destination != "" }
