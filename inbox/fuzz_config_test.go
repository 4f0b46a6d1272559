package inbox

import (
	"strings"
	"testing"
)

// FuzzParseConfig checks that ParseConfig never panics, that its errors name the file,
// and that what it accepts builds the rules, business hours and SLA targets it is used for.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"",
		`agent = "ana"
agents = ["ana", "bo"]

[voice]

[[canned]]
name = "thanks"
body = "Hi {name}, thanks! — {agent}"
variants = { x = "Thanks {name}!" }

[sla]
default = "4h"
channels = { x = "1h" }
priorities = { urgent = "15m" }
targets = { "x.urgent" = "5m" }
business_hours = true

[business_hours]
timezone = "Europe/Madrid"
days = { mon = "09:00-17:00", tue = "09:00-12:30,13:30-18:00", sat = "" }
holidays = ["2026-12-25"]

[rules]
vip = ["@ana", "x:@bo"]
spam_words = ["crypto giveaway"]

[[rules.rule]]
name = "legal"
match = "lawyer|sue"
keywords = ["refund"]
channels = ["x"]
kinds = ["dm"]
tags = ["legal"]
priority = "urgent"

[escalation]
reasons = ["billing"]

[[view]]
name = "urgent"
query = "prio:urgent"
`,
		"[rules]\n[[rules.rule]]\nname = \"bad\"\nmatch = \"(\"\n",
		"[rules]\n[[rules.rule]]\nname = \"big\"\nmatch = \"[a-z]{1000}\"\n",
		"[business_hours]\ntimezone = \"../../etc/passwd\"\ndays = { mon = \"09:00-17:00\" }\n",
		"[business_hours]\ndays = { mon = \"25:00-26:00\" }\n",
		"[business_hours]\ndays = { mon = \"17:00-09:00\" }\n",
		"[sla]\ndefault = \"-1h\"\n",
		"[sla]\ntargets = { nodot = \"1h\" }\n",
		"unknown = 1\n",
		"[[canned]]\nname = \"x\"\nbody = \"{nmae}\"\n",
		"agent = \n",
		"[[view]]\nname = \"v\"\nquery = \"((\"\n",
		"a.b.c = 1\n[\"weird key\"]\n",
	} {
		f.Add(s)
	}
	const name = "fuzz-config.toml"
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseConfig(name, text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name) {
				t.Fatalf("ParseConfig error %q does not name the file", err)
			}
			return
		}
		if _, err := NewRules(c.Rules); err != nil {
			t.Fatalf("accepted config, but NewRules: %v", err)
		}
		if _, err := NewBusinessHours(c.BusinessHours); err != nil {
			t.Fatalf("accepted config, but NewBusinessHours: %v", err)
		}
		if _, err := c.SLA.targets(); err != nil {
			t.Fatalf("accepted config, but SLA targets: %v", err)
		}
		for _, cr := range c.Canned {
			if _, err := RenderTemplate(cr.Body, Vars{}); err != nil {
				t.Fatalf("accepted canned reply %q does not render: %v", cr.Name, err)
			}
		}
		if c.Agent == "" || len(c.Agents) == 0 || len(c.Escalation.Reasons) == 0 {
			t.Fatalf("accepted config without defaults: %+v", c)
		}
	})
}
