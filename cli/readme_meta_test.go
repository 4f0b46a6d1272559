package cli

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The README's way to try the Meta accounts without Meta works as written: metafake
// starts with the tokens the README gives it and prints a graph_url for each account;
// the README's complete config, pointed at them, syncs all three through the real
// command, bringing the seeded comments, DMs and Messenger conversation.
func TestReadmeMetafakeSyncs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs metafake")
	}
	var cmdline string
	for _, b := range readmeBlocks(t, "") {
		if strings.Contains(b.text, "go run ./adapters/meta/metatest/metafake") {
			cmdline = strings.TrimSpace(b.text)
		}
	}
	if cmdline == "" {
		t.Fatal("README.md has no block running metafake")
	}
	var env []string
	fields := strings.Fields(cmdline)
	for len(fields) > 0 && strings.Contains(fields[0], "=") {
		env, fields = append(env, fields[0]), fields[1:]
	}
	if strings.Join(fields, " ") != "go run ./adapters/meta/metatest/metafake" {
		t.Fatalf("README's metafake command is %q", cmdline)
	}
	bin := filepath.Join(t.TempDir(), "metafake")
	build := exec.Command("go", "build", "-o", bin, "./adapters/meta/metatest/metafake")
	build.Dir = repoRoot(t) // where the README runs it
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build metafake: %v\n%s", err, out)
	}
	fake := exec.Command(bin)
	fake.Env = append(os.Environ(), env...)
	stdout, err := fake.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Process.Kill(); fake.Wait() })
	urls := map[string]string{}
	lines := bufio.NewScanner(stdout)
	graphURL := regexp.MustCompile(`^(\w+)\s+graph_url = "([^"]+)"`)
	for len(urls) < 3 && lines.Scan() {
		if m := graphURL.FindStringSubmatch(lines.Text()); m != nil {
			urls[strings.ToLower(m[1])] = m[2]
		}
	}
	if len(urls) != 3 {
		t.Fatalf("metafake printed graph_urls %v", urls)
	}
	go func() { // keep reading, so its request log never blocks it
		for lines.Scan() {
		}
	}()

	var config string
	for _, b := range readmeBlocks(t, "toml") {
		if strings.Contains(b.text, "phone_number_id") && strings.Contains(b.text, "meta_app_secret_env") {
			config = b.text
		}
	}
	if config == "" {
		t.Fatal("README.md has no complete Meta config")
	}
	// Each account's graph_url (the first in its table) points at its fake.
	tables := strings.Split(config, "[[account]]")
	for i, table := range tables[1:] {
		name := regexp.MustCompile(`(?m)^channel = "(\w+)"`).FindStringSubmatch(table)
		if name == nil || urls[name[1]] == "" {
			t.Fatalf("README config account %d: no channel with a fake", i)
		}
		tables[i+1] = regexp.MustCompile(`(?m)^graph_url = .*$`).ReplaceAllString(table, `graph_url = "`+urls[name[1]]+`"`)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	path := writeFile(t, "config.toml", strings.Join(tables, "[[account]]"))
	db := filepath.Join(t.TempDir(), "t.db")
	deadline := time.Now().Add(30 * time.Second)
	out, _, err := triage(t, db, "", "sync", "--once", "--config", path)
	for err != nil && time.Now().Before(deadline) { // the fake may still be starting
		time.Sleep(200 * time.Millisecond)
		out, _, err = triage(t, db, "", "sync", "--once", "--config", path)
	}
	if err != nil {
		t.Fatalf("sync --once: %v\n%s", err, out)
	}
	for _, want := range []string{"instagram ok, 4 new", "facebook  ok, 2 new", "whatsapp  ok, 0 new"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("sync output lacks %q:\n%s", want, out)
		}
	}
}
