package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
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
		{"[keys]\ndone = \"e\"\nescalate = \"Z\"\n[[keys.command]]\nkey = \"d\"\nrun = \"true\"\n", ""},
		{"[keys]\nreply = [\"r\", \"w\"]\n", ""},
		{"[keys]\nspam = []\n", ""}, // an action may be left without a key
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

// Every ```json block of the README that follows a ```sh block of one command is that
// command's output, exactly: the command is run on the demo inbox seeded at testNow (the
// README's ~/.local/share/triage/demo.db), and what it prints must be the block. When the
// figures change on purpose, the test prints the new line to paste into the README.
func TestReadmeJSONExamplesAreTheOutput(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][2]readmeBlock
	var last *readmeBlock
	blocks := append(readmeBlocks(t, "sh"), readmeBlocks(t, "json")...)
	slices.SortFunc(blocks, func(a, b readmeBlock) int { return a.line - b.line })
	lines := strings.Split(string(data), "\n")
	for i := range blocks {
		b := &blocks[i]
		if b.lang == "json" && last != nil && last.lang == "sh" && strings.Count(last.text, "\n") == 1 &&
			last.line+strings.Count(last.text, "\n")+2 == b.line-1 && strings.TrimSpace(lines[b.line-2]) == "" {
			pairs = append(pairs, [2]readmeBlock{*last, *b})
		}
		last = b
	}
	if len(pairs) < 2 {
		t.Fatalf("found %d command and output pairs in README.md, want the two of stats --json", len(pairs))
	}
	demoDB := filepath.Join(t.TempDir(), "demo.db")
	if _, _, err := triage(t, demoDB, "", "demo"); err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		args := strings.Fields(strings.TrimSpace(p[0].text))
		if len(args) < 3 || strings.Join(args[:2], " ") != "go run" || args[2] != "." {
			t.Fatalf("README.md:%d: want a command `go run . …`, got %q", p[0].line, p[0].text)
		}
		args = args[3:]
		for i := range args {
			args[i] = strings.Trim(args[i], "'")
			if i > 0 && args[i-1] == "--db" {
				if args[i] != "~/.local/share/triage/demo.db" {
					t.Fatalf("README.md:%d: the example runs on the demo inbox, not %s", p[0].line, args[i])
				}
				args[i] = demoDB
			}
		}
		out, _, err := triage(t, demoDB, "", args...)
		if err != nil {
			t.Fatalf("README.md:%d: %v", p[0].line, err)
		}
		if got, want := strings.TrimSpace(out), strings.TrimSpace(p[1].text); got != want {
			t.Errorf("README.md:%d is not what `%s` prints; it prints\n%s", p[1].line, strings.TrimSpace(p[0].text), got)
		}
	}
}

// The README's "Try it on the demo inbox" commands run, each with exit 0 and output.
func TestReadmeTryItCommandsRun(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var block *readmeBlock
	lines := strings.Split(string(data), "\n")
	for _, b := range readmeBlocks(t, "sh") {
		if b.line >= 3 && strings.HasPrefix(lines[b.line-3], "Try it on the demo inbox") {
			block = &b
		}
	}
	if block == nil {
		t.Fatal(`README.md has no sh block after "Try it on the demo inbox"`)
	}
	demoDB := filepath.Join(t.TempDir(), "demo.db")
	for i, line := range strings.Split(strings.TrimSpace(block.text), "\n") {
		args := strings.Fields(line)
		if len(args) < 4 || strings.Join(args[:3], " ") != "go run ." {
			t.Fatalf("README.md:%d: want `go run . …`, got %q", block.line+1+i, line)
		}
		var rest []string
		for j := 3; j < len(args); j++ {
			switch {
			case args[j] == "--db":
				j++ // the helper gives the demo database
			case strings.HasPrefix(args[j], "'"): // a quoted query of several words
				q := args[j]
				for !strings.HasSuffix(q, "'") || q == "'" {
					j++
					q += " " + args[j]
				}
				rest = append(rest, strings.Trim(q, "'"))
			default:
				rest = append(rest, args[j])
			}
		}
		out, _, err := triage(t, demoDB, "", rest...)
		if err != nil || strings.TrimSpace(out) == "" {
			t.Errorf("README.md:%d: %s: %v, output %q", block.line+1+i, line, err, out)
		}
	}
}

// Every line of the README's query-language example is a query that `triage export
// --query` takes, so the language the README teaches is the one the code reads.
func TestReadmeQueriesRun(t *testing.T) {
	var lines []string
	for _, b := range readmeBlocks(t, "") {
		if strings.HasPrefix(b.text, "chan:reddit") {
			lines = strings.Split(strings.TrimSpace(b.text), "\n")
		}
	}
	if len(lines) < 4 {
		t.Fatalf("README.md has no query-language example (found %q)", lines)
	}
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	for _, q := range lines {
		if _, errOut, err := triage(t, db, "", "export", "--query", q); err != nil {
			t.Errorf("README query %q: %v %s", q, err, errOut)
		}
	}
}

// The screens the README shows are the golden screens of the UI tests (refreshed with
// go test ./ui -run Golden -update), line for line but for blank lines.
func TestReadmeScreensAreTheGoldenScreens(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, name := range []string{"queue", "stats"} {
		golden, err := os.ReadFile(filepath.Join(repoRoot(t), "ui", "testdata", "screens", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := nonBlankLines(string(golden))
		first := want[0]
		i := strings.Index(text, "```\n"+first+"\n")
		if i < 0 {
			t.Errorf("README.md does not show the %s screen (a block starting %q)", name, first)
			continue
		}
		block := text[i+4:]
		block = block[:strings.Index(block, "```")]
		if got := nonBlankLines(block); !slices.Equal(got, want) {
			t.Errorf("README.md's %s screen is not ui/testdata/screens/%s.txt:\n%s", name, name, strings.Join(got, "\n"))
		}
	}
}

func nonBlankLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}
