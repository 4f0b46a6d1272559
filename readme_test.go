package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/escalate"
)

// readmeBlock is one fenced code block of README.md.
type readmeBlock struct {
	lang string
	line int // the line of its opening fence
	text string
}

// readmeBlocks reads every fenced block of README.md in the given language.
func readmeBlocks(t *testing.T, lang string) []readmeBlock {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeBlock
	var cur *readmeBlock
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &readmeBlock{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: i + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			if cur.lang == lang {
				out = append(out, *cur)
			}
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("README.md:%d: a code block is never closed", cur.line)
	}
	return out
}

var secretEnv = regexp.MustCompile(`(?m)^\s*\w+_env\s*=\s*"([A-Z_0-9]+)"`)

// Every ```toml block of the README loads as a config.toml of its own, through the path
// `triage --config FILE` takes before the screen opens: the config loader (with the UI's
// check of [keys] and [ui]), then the [[account]]s and the [escalation] destination. A
// README example that does not load is a broken promise, so each is a whole file.
func TestReadmeConfigExamplesLoad(t *testing.T) {
	blocks := readmeBlocks(t, "toml")
	if len(blocks) < 3 {
		t.Fatalf("README.md has %d toml blocks; the test is not reading it right", len(blocks))
	}
	for _, b := range blocks {
		t.Run(fmt.Sprintf("README.md:%d", b.line), func(t *testing.T) {
			for _, m := range secretEnv.FindAllStringSubmatch(b.text, -1) {
				t.Setenv(m[1], "readme-test-secret")
			}
			path := filepath.Join(t.TempDir(), "config.toml")
			if err := os.WriteFile(path, []byte(b.text), 0o600); err != nil {
				t.Fatal(err)
			}
			e := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, configPath: path}
			cfg, err := e.loadConfig()
			if err != nil {
				t.Fatalf("the README's config example at line %d does not load:\n%v\n%s", b.line, err, b.text)
			}
			ctx := context.Background()
			if _, err := configuredAccounts(ctx, cfg); err != nil {
				t.Fatalf("the README's config example at line %d: accounts: %v", b.line, err)
			}
			if _, err := escalate.New(ctx, cfg.Escalation); err != nil {
				t.Fatalf("the README's config example at line %d: escalation: %v", b.line, err)
			}
		})
	}
}

// A key given to an action that another action still has is a config error naming both,
// at the file and line of the remapping, whatever command reads the config; rebinding the
// other action too (a swap) is fine.
func TestRemappedKeyClash(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		config string
		want   string // "" for a config that loads
	}{
		{"agent = \"maria\"\n\n[keys]\nreply = \"R\"\ndone = \"e\"\n",
			`:5: keys.done: "e" is already the key of escalate; rebind escalate too, or choose another key`},
		{"[keys]\ndone = \"x\"\nsnooze = \"x\"\n", `:2: keys.done: "x" is already the key of snooze`},
		{"[keys]\nreply = [\"r\", \"1\"]\n", `:2: keys.reply: "1" is already the key of view 1`},
		{"[keys]\ndone = \"x\"\n\n[[keys.command]]\nkey = \"d\"\nrun = \"true\"\ndescription = \"d\"\n[[keys.command]]\nkey = \"x\"\nrun = \"true\"\n",
			`:8: keys.command: "x" of the command "true" is already the key of done`},
		{"[ui]\ntheme = \"solarized\"\n", `:2: ui.theme: solarized: want auto, light or dark`},
		{"[keys]\ndone = \"s\"\nsnooze = \"d\"\n", ""},
		{"[keys]\ndone = \"e\"\nescalate = \"E\"\n[[keys.command]]\nkey = \"d\"\nrun = \"true\"\n", ""},
		{"[keys]\nreply = [\"r\", \"R\"]\n", ""},
	}
	for _, c := range cases {
		cfg := writeFile(t, "config.toml", c.config)
		_, _, err := triage(t, db, "", "stats", "--config", cfg)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("config\n%s: %v, want it to load", c.config, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), cfg+c.want)):
			t.Errorf("config\n%s: error %v, want %q", c.config, err, cfg+c.want)
		}
	}
}
