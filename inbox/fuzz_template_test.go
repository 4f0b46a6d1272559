package inbox

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// unknownVar is a "{word}" left in rendered text.
var unknownVar = regexp.MustCompile(`\{[^{}\n]*\}`)

// FuzzRenderTemplate checks that a body TemplateVariables accepts renders with any
// Vars, that only known variables are listed, and that nothing "{word}"-like that the
// body did not write as literal braces survives rendering.
func FuzzRenderTemplate(f *testing.F) {
	for _, s := range []string{
		"Hi {name}, thanks for writing to {brand} on {channel}. — {agent} (ticket {ticket}, {handle})",
		"{{literal}} and {name}}} and {{{name}",
		"{nmae}", "{name", "}", "{}", "{{", "}}", "{\n}", "{na{me}", "héllo {name} ✓",
		"\xff{name}\xfe", "{{name}}", "{name}{name}{name}",
	} {
		f.Add(s, "Ana", "@ana", "x", "Bo", "Acme", "T-1")
	}
	f.Add("Hi {name}", "", "", "", "", "", "")
	f.Add("Hi {name}", "{ticket}", "{name}", "{x}", "}", "{", "\xff")
	f.Fuzz(func(t *testing.T, body, name, handle, channel, agent, brand, ticket string) {
		vars, verr := TemplateVariables(body)
		v := Vars{Name: name, Handle: handle, Channel: channel, Agent: agent, Brand: brand, Ticket: ticket}
		_, rerr := RenderTemplate(body, v)
		if (verr == nil) != (rerr == nil) {
			t.Fatalf("TemplateVariables(%q) err = %v but RenderTemplate err = %v", body, verr, rerr)
		}
		if verr != nil {
			return
		}
		for _, n := range vars {
			if !slices.Contains(templateVarNames, n) {
				t.Fatalf("TemplateVariables(%q) lists unknown variable %q", body, n)
			}
		}
		// Rendered with values free of braces, braces in the output can only come from
		// "{{" and "}}" in the body: render a body without those and none may remain.
		plain := Vars{Name: "N", Handle: "H", Channel: "C", Agent: "A", Brand: "B", Ticket: "T"}
		if !strings.Contains(body, "{{") && !strings.Contains(body, "}}") {
			got, err := RenderTemplate(body, plain)
			if err != nil {
				t.Fatalf("RenderTemplate(%q, plain): %v", body, err)
			}
			if m := unknownVar.FindString(got); m != "" || strings.ContainsAny(got, "{}") {
				t.Fatalf("RenderTemplate(%q) = %q: braces left in the output (%q)", body, got, m)
			}
		}
	})
}
