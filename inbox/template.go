package inbox

import (
	"fmt"
	"slices"
	"strings"
)

// Vars are the values a canned reply can use.
type Vars struct{ Name, Handle, Channel, Agent, Brand, Ticket string }

// templateVarNames are the variables a template may use, in documentation order.
var templateVarNames = []string{"name", "handle", "channel", "agent", "brand", "ticket"}

func (v Vars) lookup(name string) string {
	switch name {
	case "name":
		// "Hi {name}" must never render "Hi ,": fall back to the handle, then to "there".
		for _, s := range []string{v.Name, v.Handle} {
			if s = strings.TrimSpace(s); s != "" {
				return s
			}
		}
		return "there"
	case "handle":
		return v.Handle
	case "channel":
		return v.Channel
	case "agent":
		return v.Agent
	case "brand":
		return v.Brand
	case "ticket":
		return v.Ticket
	}
	return ""
}

// templatePart is literal text, or a variable when name is set.
type templatePart struct {
	literal, name string
}

// parseTemplate splits body into literal text and variables. "{{" and "}}" are
// literal braces; anything else in braces must be a known variable, so a typo
// is caught when the config is loaded rather than sent to a customer. Positions
// in errors are rune offsets from 0.
func parseTemplate(body string) ([]templatePart, error) {
	rs := []rune(body)
	var parts []templatePart
	var lit strings.Builder
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '{' && i+1 < len(rs) && rs[i+1] == '{', r == '}' && i+1 < len(rs) && rs[i+1] == '}':
			lit.WriteRune(r)
			i++
		case r == '{':
			j := i + 1
			for j < len(rs) && rs[j] != '}' && rs[j] != '{' && rs[j] != '\n' {
				j++
			}
			if j == len(rs) || rs[j] != '}' {
				return nil, fmt.Errorf("unclosed brace %q at %d", string(rs[i:j]), i)
			}
			name := string(rs[i+1 : j])
			if !slices.Contains(templateVarNames, name) {
				return nil, fmt.Errorf("unknown variable {%s} at %d", name, i)
			}
			if lit.Len() > 0 {
				parts = append(parts, templatePart{literal: lit.String()})
				lit.Reset()
			}
			parts = append(parts, templatePart{name: name})
			i = j
		case r == '}':
			return nil, fmt.Errorf(`unmatched brace "}" at %d (write "}}" for a literal brace)`, i)
		default:
			lit.WriteRune(r)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, templatePart{literal: lit.String()})
	}
	return parts, nil
}

// RenderTemplate fills {name} {handle} {channel} {agent} {brand} {ticket} in
// body. "{{" and "}}" are literal braces. An unknown variable or an unclosed
// brace is an error naming it and its rune position: `unknown variable {nmae}
// at 7`. An empty value renders as empty, except {name}, which falls back to the
// handle and then to "there", so "Hi {name}" never renders "Hi ,".
func RenderTemplate(body string, v Vars) (string, error) {
	text, _, err := RenderTemplateMissing(body, v)
	return text, err
}

// RenderTemplateMissing is RenderTemplate that also lists the variables the template
// uses that have no value here ({ticket} on a conversation never escalated), each once:
// a reply with a hole in it must be read by a person before it is sent.
func RenderTemplateMissing(body string, v Vars) (string, []string, error) {
	parts, err := parseTemplate(body)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	var missing []string
	for _, p := range parts {
		if p.name == "" {
			b.WriteString(p.literal)
			continue
		}
		val := v.lookup(p.name)
		if strings.TrimSpace(val) == "" && !slices.Contains(missing, p.name) {
			missing = append(missing, p.name)
		}
		b.WriteString(val)
	}
	return b.String(), missing, nil
}

// TemplateVariables lists the variables body uses, each once in order of first
// use, for checking templates at config load.
func TemplateVariables(body string) ([]string, error) {
	parts, err := parseTemplate(body)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range parts {
		if p.name != "" && !slices.Contains(names, p.name) {
			names = append(names, p.name)
		}
	}
	return names, nil
}

// CannedConfig is one [[canned]] reply.
type CannedConfig struct {
	Name     string            `toml:"name"`
	Body     string            `toml:"body"`
	Variants map[string]string `toml:"variants"` // channel -> body (short for x, long for email)
}

// PickVariant returns the body for the channel: the variant if there is a
// non-empty one (channel names compared case-insensitively), else body.
func PickVariant(body string, variants map[string]string, channel string) string {
	if s, ok := variants[channel]; ok && strings.TrimSpace(s) != "" {
		return s
	}
	for ch, s := range variants {
		if strings.EqualFold(ch, channel) && strings.TrimSpace(s) != "" {
			return s
		}
	}
	return body
}
