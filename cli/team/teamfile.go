package team

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unicode"

	gossh "golang.org/x/crypto/ssh"

	"github.com/triage-inbox/triage/inbox"
)

// Team is a parsed team file: who each key belongs to.
type Team struct {
	members map[string]Member // by the key's wire form
}

// Lookup says whom key belongs to.
func (t *Team) Lookup(key gossh.PublicKey) (Member, bool) {
	m, ok := t.members[string(key.Marshal())]
	return m, ok
}

// Len is how many keys the file lets in.
func (t *Team) Len() int { return len(t.members) }

// LineError is a team file line that cannot be read, naming the file and line.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// LoadTeam reads the team file at path. Anyone who can write it can let themselves in,
// so, as OpenSSH's StrictModes does, a file other users may write is refused.
func LoadTeam(path string) (*Team, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("team file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("team file %s is writable by other users (mode %#o), who could let themselves in: chmod 600 %s", path, uint32(perm), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("team file: %w", err)
	}
	return ParseTeam(path, data)
}

// ParseTeam reads a team file's lines: OpenSSH authorized_keys lines whose options say
// who the key is, as in
//
//	agent="maria",role="lead" ssh-ed25519 AAAA… maria@laptop
//
// agent= is required: the key's comment is free text that ssh-keygen fills with
// user@host, which two people may share and anyone may edit, so it never names an agent.
// role= is agent (the default), lead or admin; theme= (light or dark) fixes the agent's
// colours. Any other option is refused rather than ignored: from= or command= would
// promise a restriction that triage does not enforce. Every bad line is reported, each
// with file:line.
func ParseTeam(file string, data []byte) (*Team, error) {
	t := &Team{members: map[string]Member{}}
	var errs []error
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		m, key, err := parseLine(line)
		if err != nil {
			errs = append(errs, &LineError{File: file, Line: n, Err: err})
			continue
		}
		m.Line = n
		if prev, dup := t.members[string(key.Marshal())]; dup {
			errs = append(errs, &LineError{File: file, Line: n, Err: fmt.Errorf("this key is already on line %d (agent %q): one key is one person", prev.Line, prev.Agent)})
			continue
		}
		t.members[string(key.Marshal())] = m
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

func parseLine(line []byte) (Member, gossh.PublicKey, error) {
	key, _, options, _, err := gossh.ParseAuthorizedKey(line)
	if err != nil {
		return Member{}, nil, fmt.Errorf("not a key line (want: agent=\"NAME\",role=\"agent\" ssh-ed25519 AAAA… comment): %w", err)
	}
	m := Member{Role: inbox.RoleAgent, Fingerprint: gossh.FingerprintSHA256(key)}
	seen := map[string]bool{}
	for _, opt := range options {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		if seen[name] {
			return Member{}, nil, fmt.Errorf("option %s given twice", optionName(name, true))
		}
		seen[name] = true
		value = unquote(value)
		switch {
		case name == "agent" && hasValue:
			if err := checkAgent(value); err != nil {
				return Member{}, nil, err
			}
			m.Agent = value
		case name == "role" && hasValue:
			r, err := inbox.ParseRole(value)
			if err != nil {
				return Member{}, nil, err
			}
			m.Role = r
		case name == "theme" && hasValue:
			if value != "light" && value != "dark" {
				return Member{}, nil, fmt.Errorf("theme %q: want light or dark", value)
			}
			m.Theme = value
		default:
			return Member{}, nil, fmt.Errorf("option %s is not one triage reads (agent=, role=, theme=): it would not be enforced", optionName(name, hasValue))
		}
	}
	if m.Agent == "" {
		return Member{}, nil, errors.New(`no agent= option: every key must say whose it is, e.g. agent="maria" ssh-ed25519 AAAA…`)
	}
	return m, key, nil
}

// optionName is how an error names an option: by its name, not its value, which may be
// long or hold what a terminal should not print.
func optionName(name string, hasValue bool) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return '?'
	}, name)
	if hasValue {
		return name + "="
	}
	return name
}

// unquote takes an option's value out of its double quotes; inside them, OpenSSH lets
// \" stand for a quote.
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
	}
	return v
}

// checkAgent keeps agent names to what a search can name (assignee:maria) and a screen
// can show: letters, digits and . _ - @ +.
func checkAgent(name string) error {
	if name == "" {
		return errors.New("agent= is empty")
	}
	if len(name) > 64 {
		return fmt.Errorf("agent %.20q…: longer than 64 bytes", name)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@+", r) {
			return fmt.Errorf("agent %q: use letters, digits and . _ - @ + (searches name agents, as in assignee:maria)", name)
		}
	}
	return nil
}
