package inbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is config.toml: who is working, the brand's voice and canned replies, SLA
// targets, business hours, ingest rules, escalation reasons and saved views.
type Config struct {
	Agent         string              `toml:"agent"`  // the person at the keyboard; default $USER
	Agents        []string            `toml:"agents"` // people a conversation can be assigned to
	Voice         VoiceConfig         `toml:"voice"`
	Canned        []CannedConfig      `toml:"canned"`
	SLA           SLAConfig           `toml:"sla"`
	BusinessHours BusinessHoursConfig `toml:"business_hours"`
	Rules         RulesConfig         `toml:"rules"`
	Sentiment     SentimentConfig     `toml:"sentiment"`
	Escalation    EscalationConfig    `toml:"escalation"`
	Views         []ViewConfig        `toml:"view"`
	Outbox        OutboxConfig        `toml:"outbox"`
	Team          TeamConfig          `toml:"team"` // whose replies need approval (approval_config.go)

	// Later parts of triage read their own tables; decoding keeps them so that a
	// config written for them is not an error here.
	Account []map[string]any `toml:"account"`
	Serve   map[string]any   `toml:"serve"`
	Keys    map[string]any   `toml:"keys"`
	UI      map[string]any   `toml:"ui"`
}

// SLAConfig holds first-response targets. A target for "channel.priority" wins; otherwise
// the tighter of the channel's and the priority's; otherwise Default (1h when unset).
type SLAConfig struct {
	Default          string            `toml:"default"`
	Channels         map[string]string `toml:"channels"`
	Priorities       map[string]string `toml:"priorities"`
	Targets          map[string]string `toml:"targets"`
	UseBusinessHours bool              `toml:"business_hours"` // measure SLA in business time
}

// EscalationConfig lists the reasons a case can be handed to customer service for, and
// where escalations are delivered: Destination names it ("" keeps them in triage only),
// and the keys after it configure it (see escalation_config.go for which key serves
// which destination). Secrets are named by *_env or *_cmd, never written here.
type EscalationConfig struct {
	Reasons     []string `toml:"reasons"`
	Destination string   `toml:"destination"` // "", "webhook", "email" or "zendesk"

	URL         string `toml:"url"`          // webhook: where to POST; zendesk: the API's base URL
	SecretEnv   string `toml:"secret_env"`   // webhook: the signing secret
	SecretCmd   string `toml:"secret_cmd"`   // or a command that prints it
	To          string `toml:"to"`           // email: the support address
	From        string `toml:"from"`         // email: the sender
	SMTP        string `toml:"smtp"`         // email: host:port
	Security    string `toml:"security"`     // email: tls (default), starttls or none
	Username    string `toml:"username"`     // email: default from
	PasswordEnv string `toml:"password_env"` // email: SMTP password (none: no login)
	PasswordCmd string `toml:"password_cmd"` // or a command that prints it
	Subdomain   string `toml:"subdomain"`    // zendesk: acme for https://acme.zendesk.com
	Email       string `toml:"email"`        // zendesk: the agent the API token belongs to
	TokenEnv    string `toml:"token_env"`    // zendesk: the API token
	TokenCmd    string `toml:"token_cmd"`    // or a command that prints it
}

// OutboxConfig is the [outbox] section: how replies leave.
type OutboxConfig struct {
	// SendDelay is how long a reply waits in the outbox before it leaves, so that u can
	// still take it back: "10s" when unset, "0s" sends at once.
	SendDelay string `toml:"send_delay"`
}

// DefaultSendDelay is the undo window of a reply when config names none.
const DefaultSendDelay = 10 * time.Second

// sendDelay is the parsed send_delay.
func (o OutboxConfig) sendDelay() (time.Duration, error) {
	if strings.TrimSpace(o.SendDelay) == "" {
		return DefaultSendDelay, nil
	}
	d, err := ParseSpan(o.SendDelay)
	if err != nil {
		return 0, fmt.Errorf("outbox.send_delay: %w", err)
	}
	if d < 0 || d > time.Hour {
		return 0, fmt.Errorf("outbox.send_delay: %q: want between 0s and 1h", o.SendDelay)
	}
	return d, nil
}

// ViewConfig is a saved view: a named query.
type ViewConfig struct {
	Name  string `toml:"name"`
	Query string `toml:"query"`
}

// DefaultReasons are the escalation reasons when config names none.
var DefaultReasons = []string{"billing", "bug", "refund", "legal", "safety", "other"}

// DefaultConfigPath is $XDG_CONFIG_HOME/triage/config.toml (or ~/.config/…).
func DefaultConfigPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "triage", "config.toml")
}

// LoadConfig reads a config file. A missing file gives the defaults; a bad one is an
// error that names the file and line.
func LoadConfig(path string, checks ...func(*Config) error) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ParseConfig(path, "", checks...)
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return ParseConfig(path, string(data), checks...)
}

// ParseConfig decodes and checks config text; name is used in error messages. Each of
// checks then looks at the tables that other parts of triage read (the UI's [keys], for
// one); an error of theirs that is a *KeyError is pointed at by line like the others.
func ParseConfig(name, text string, checks ...func(*Config) error) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s:%d: %s", name, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, k := range md.Undecoded() {
		if keyCommandField(k) {
			continue
		}
		return nil, fmt.Errorf("%s:%d: unknown key %q", name, lineOfKey(text, k), k.String())
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c.applyDefaults()
	for _, check := range checks {
		if err := check(&c); err != nil {
			var ke *KeyError
			if errors.As(err, &ke) {
				return nil, fmt.Errorf("%s:%d: %w", name, ke.line(text), err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return &c, nil
}

// KeyError is a problem with one key of a config, which ParseConfig points at by line.
type KeyError struct {
	Key []string // the key's path, as in keys.done, or keys.command for a list of tables
	Nth int      // in a list of tables ([[keys.command]]), which table, from 1; else 0
	Err error
}

// line is the line of text that e is about.
func (e *KeyError) line(text string) int {
	if e.Nth > 0 {
		header := regexp.MustCompile(`^\s*\[\[\s*` + regexp.QuoteMeta(toml.Key(e.Key).String()) + `\s*\]\]`)
		n := 0
		for i, line := range strings.Split(text, "\n") {
			if header.MatchString(line) {
				if n++; n == e.Nth {
					return i + 1
				}
			}
		}
	}
	return lineOfKey(text, e.Key)
}

// Error is "keys.done: what is wrong", or Err's text alone when it names the key already.
func (e *KeyError) Error() string {
	key, msg := toml.Key(e.Key).String(), e.Err.Error()
	if strings.HasPrefix(msg, key) {
		return msg
	}
	return key + ": " + msg
}

func (e *KeyError) Unwrap() error { return e.Err }

// keyCommandField is a field of a [[keys.command]] table. [keys] is kept whole for the UI
// (Keys is a map), and the decoder does not count what lies in a list of tables kept that
// way as read; the UI checks these fields itself (see ui.CheckConfig).
func keyCommandField(k toml.Key) bool {
	if len(k) != 3 || k[0] != "keys" || k[1] != "command" {
		return false
	}
	switch k[2] {
	case "key", "run", "description":
		return true
	}
	return false
}

// lineOfKey finds the line that sets a key, so an unknown key can be pointed at: the first
// line that names it after its table's header ([keys] for keys.done), else the first line
// that names it at all.
func lineOfKey(text string, key toml.Key) int {
	last := key[len(key)-1]
	re := regexp.MustCompile(`^\s*(\[+\s*)?("?)` + regexp.QuoteMeta(last) + `("?)\s*(=|\]|\.)`)
	re2 := regexp.MustCompile(`[.\[]\s*"?` + regexp.QuoteMeta(last) + `"?\s*[\]=.]`)
	lines := strings.Split(text, "\n")
	if len(key) > 1 {
		header := regexp.MustCompile(`^\s*\[\s*` + regexp.QuoteMeta(key[:len(key)-1].String()) + `\s*\]`)
		for i, line := range lines {
			if !header.MatchString(line) {
				continue
			}
			for j := i + 1; j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), "["); j++ {
				if re.MatchString(lines[j]) {
					return j + 1
				}
			}
		}
	}
	for i, line := range lines {
		if re.MatchString(line) || re2.MatchString(line) {
			return i + 1
		}
	}
	return 1
}

func (c *Config) applyDefaults() {
	if c.Agent == "" {
		c.Agent = os.Getenv("USER")
	}
	if c.Agent == "" {
		c.Agent = "me"
	}
	if len(c.Escalation.Reasons) == 0 {
		c.Escalation.Reasons = DefaultReasons
	}
	if len(c.Agents) == 0 {
		c.Agents = []string{c.Agent}
	}
}

// check validates everything that can be wrong in a config, naming the key.
func (c *Config) check() error {
	if _, err := c.SLA.targets(); err != nil {
		return err
	}
	if _, err := NewBusinessHours(c.BusinessHours); err != nil {
		return err
	}
	if _, err := NewRules(c.Rules); err != nil {
		return err
	}
	if err := c.Escalation.check(); err != nil {
		return err
	}
	if _, err := c.Outbox.sendDelay(); err != nil {
		return err
	}
	if err := c.Team.check(); err != nil {
		return err
	}
	if e := c.Voice.Enforce; e != "" && e != EnforceWarn && e != EnforceBlock {
		return fmt.Errorf("voice.enforce: %q: want %q or %q", e, EnforceWarn, EnforceBlock)
	}
	seen := map[string]bool{}
	for i, cr := range c.Canned {
		where := fmt.Sprintf("canned[%d]", i)
		if cr.Name == "" {
			return fmt.Errorf("%s: name is required", where)
		}
		if seen[cr.Name] {
			return fmt.Errorf("%s: duplicate canned reply name %q", where, cr.Name)
		}
		seen[cr.Name] = true
		if _, err := TemplateVariables(cr.Body); err != nil {
			return fmt.Errorf("%s (%q): body: %w", where, cr.Name, err)
		}
		for ch, body := range cr.Variants {
			if _, err := TemplateVariables(body); err != nil {
				return fmt.Errorf("%s (%q): variants.%s: %w", where, cr.Name, ch, err)
			}
		}
	}
	for i, v := range c.Views {
		if v.Name == "" {
			return fmt.Errorf("view[%d]: name is required", i)
		}
		if _, err := ParseQuery(v.Query); err != nil {
			return fmt.Errorf("view[%d] (%q): query: %w", i, v.Name, err)
		}
	}
	return nil
}

// slaTargets is the parsed form of SLAConfig.
type slaTargets struct {
	def        time.Duration
	channels   map[string]time.Duration
	priorities map[Priority]time.Duration
	exact      map[string]time.Duration // "channel.priority"
}

func (s SLAConfig) targets() (*slaTargets, error) {
	t := &slaTargets{def: time.Hour, channels: map[string]time.Duration{}, priorities: map[Priority]time.Duration{}, exact: map[string]time.Duration{}}
	if s.Default != "" {
		d, err := parsePositiveSpan("sla.default", s.Default)
		if err != nil {
			return nil, err
		}
		t.def = d
	}
	for ch, v := range s.Channels {
		d, err := parsePositiveSpan("sla.channels."+ch, v)
		if err != nil {
			return nil, err
		}
		t.channels[strings.ToLower(ch)] = d
	}
	for p, v := range s.Priorities {
		pr, err := ParsePriority(p)
		if err != nil {
			return nil, fmt.Errorf("sla.priorities.%s: %w", p, err)
		}
		d, err := parsePositiveSpan("sla.priorities."+p, v)
		if err != nil {
			return nil, err
		}
		t.priorities[pr] = d
	}
	for k, v := range s.Targets {
		ch, p, ok := strings.Cut(k, ".")
		if !ok {
			return nil, fmt.Errorf("sla.targets.%q: want \"channel.priority\", e.g. \"x.urgent\"", k)
		}
		pr, err := ParsePriority(p)
		if err != nil {
			return nil, fmt.Errorf("sla.targets.%q: %w", k, err)
		}
		d, err := parsePositiveSpan("sla.targets."+k, v)
		if err != nil {
			return nil, err
		}
		t.exact[strings.ToLower(ch)+"."+pr.String()] = d
	}
	return t, nil
}

func parsePositiveSpan(key, v string) (time.Duration, error) {
	d, err := ParseSpan(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s: %q: a target must be longer than zero", key, v)
	}
	return d, nil
}

// target is the first-response target for a message of that channel and priority.
func (t *slaTargets) target(channel string, p Priority) time.Duration {
	if d, ok := t.exact[channel+"."+p.String()]; ok {
		return d
	}
	dc, okc := t.channels[channel]
	dp, okp := t.priorities[p]
	switch {
	case okc && okp:
		return min(dc, dp)
	case okc:
		return dc
	case okp:
		return dp
	}
	return t.def
}

// fingerprint identifies the SLA settings, so due times are recomputed when they change.
func (c *Config) slaFingerprint() string {
	return fmt.Sprintf("%v|%v", c.SLA, c.BusinessHours)
}

// SLATarget is the first-response target for a message of that channel and priority under
// this config (1h for a config whose SLA section does not parse, which ParseConfig refuses).
func (c *Config) SLATarget(channel string, p Priority) time.Duration {
	t, err := c.SLA.targets()
	if err != nil {
		return time.Hour
	}
	return t.target(channel, p)
}
