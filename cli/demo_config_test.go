package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo inbox runs on the demo brand's config, but a person's [ui] and [keys] (a light
// terminal, their own keys) apply there too; a broken config of theirs is an error that
// names it.
func TestDemoUsesThePersonsUIAndKeys(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	ctx := context.Background()
	e := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	path := filepath.Join(dir, "demo.db")
	if err := e.seedDemo(ctx, path, defaultSeed); err != nil {
		t.Fatal(err)
	}
	open := func() (map[string]any, map[string]any, error) {
		svc, closeDB, err := e.openWith(ctx, path, nil)
		if err != nil {
			return nil, nil, err
		}
		defer closeDB()
		if len(svc.Config().Canned) == 0 {
			t.Fatal("the demo database lost the demo brand's config")
		}
		return svc.Config().UI, svc.Config().Keys, nil
	}
	if ui, _, err := open(); err != nil || ui["theme"] != nil {
		t.Fatalf("no user config: ui %v, err %v", ui, err)
	}
	cfg := filepath.Join(dir, "config", "triage", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("[ui]\ntheme = \"light\"\n[keys]\ndone = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ui, keys, err := open()
	if err != nil || ui["theme"] != "light" || keys["done"] != "x" {
		t.Fatalf("user [ui] and [keys] on the demo: ui %v keys %v err %v", ui, keys, err)
	}
	if err := os.WriteFile(cfg, []byte("[ui\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := open(); err == nil || !strings.Contains(err.Error(), cfg) {
		t.Fatalf("broken user config on the demo: %v, want an error naming %s", err, cfg)
	}
}
