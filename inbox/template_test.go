package inbox

import (
	"slices"
	"testing"
)

func TestRenderTemplate(t *testing.T) {
	all := Vars{Name: "Ana", Handle: "@ana", Channel: "x", Agent: "Sam", Brand: "Acme", Ticket: "T-42"}
	tests := []struct {
		body    string
		vars    Vars
		want    string
		wantErr string
	}{
		{"Hi {name}, {agent} from {brand} here. Ticket {ticket} ({channel}, {handle})", all,
			"Hi Ana, Sam from Acme here. Ticket T-42 (x, @ana)", ""},
		{"no variables", all, "no variables", ""},
		{"", all, "", ""},
		{"{name}{name}", all, "AnaAna", ""},
		{"Hi {name}", Vars{Handle: "@ana"}, "Hi @ana", ""}, // name falls back to the handle
		{"Hi {name},", Vars{Name: "  "}, "Hi there,", ""},  // then to "there"
		{"Ticket: {ticket}.", Vars{}, "Ticket: .", ""},     // other empties render empty
		{"{{name}} is {name}", all, "{name} is Ana", ""},   // doubled braces are literal
		{"{{{brand}}}", all, "{Acme}", ""},
		{"a }} b {{", all, "a } b {", ""},
		{"Olá {name} 👋", all, "Olá Ana 👋", ""},
		{"Hello, {nmae}", all, "", "unknown variable {nmae} at 7"},
		{"é👋 {Name}", all, "", "unknown variable {Name} at 3"}, // rune offsets, case-sensitive names
		{"{}", all, "", "unknown variable {} at 0"},
		{"Hi {name", all, "", `unclosed brace "{name" at 3`},
		{"Hi {name\n}", all, "", `unclosed brace "{name" at 3`},
		{"Hi {na{me}", all, "", `unclosed brace "{na" at 3`},
		{"Hi }", all, "", `unmatched brace "}" at 3 (write "}}" for a literal brace)`},
	}
	for _, tt := range tests {
		got, err := RenderTemplate(tt.body, tt.vars)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("RenderTemplate(%q) error = %v, want %s", tt.body, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("RenderTemplate(%q) = %q, %v; want %q", tt.body, got, err, tt.want)
		}
	}
}

func TestTemplateVariables(t *testing.T) {
	tests := []struct {
		body    string
		want    []string
		wantErr bool
	}{
		{"Hi {name}, {agent} here, {name}! {{ticket}}", []string{"name", "agent"}, false},
		{"plain", nil, false},
		{"{brand}{ticket}{handle}{channel}", []string{"brand", "ticket", "handle", "channel"}, false},
		{"{nmae}", nil, true},
		{"{name", nil, true},
	}
	for _, tt := range tests {
		got, err := TemplateVariables(tt.body)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("TemplateVariables(%q) = %q, %v; want %q (error %v)", tt.body, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPickVariant(t *testing.T) {
	variants := map[string]string{"x": "short", "Email": "long", "bluesky": "  "}
	tests := []struct{ channel, want string }{
		{"x", "short"},
		{"email", "long"},   // channel names compare case-insensitively
		{"bluesky", "body"}, // an empty variant is no variant
		{"mastodon", "body"},
		{"", "body"},
	}
	for _, tt := range tests {
		if got := PickVariant("body", variants, tt.channel); got != tt.want {
			t.Errorf("PickVariant(%q) = %q, want %q", tt.channel, got, tt.want)
		}
	}
	if got := PickVariant("body", nil, "x"); got != "body" {
		t.Errorf("nil variants: %q", got)
	}
}
