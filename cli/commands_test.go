package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)

// triage runs the real command in-process against the given database.
func triage(t *testing.T, db string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, now: func() time.Time { return testNow }}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user config leaks into tests
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	err = runWith(context.Background(), env, append(args, "--db", db))
	return out.String(), errb.String(), err
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodLines = `{"channel":"instagram","account":"@acme","id":"178956","conversation":"post:C0ff33","kind":"comment","direction":"in","author":{"id":"901","handle":"@ana","name":"Ana Ruiz"},"text":"Where is my order?","created_at":"2026-11-20T10:00:00Z","url":"https://example.test/p/C0ff33"}
{"channel":"instagram","account":"@acme","id":"178990","conversation":"post:C0ff33","kind":"comment","direction":"out","text":"Hi Ana, it ships today!","created_at":"2026-11-20T10:30:00Z","in_reply_to":"178956","agent":"maria"}
{"channel":"x","account":"@acme","id":"5001","kind":"dm","author":{"id":"77","handle":"@li"},"text":"refund please, it arrived broken","created_at":"2026-11-20T11:00:00Z"}

{"channel":"x","account":"@acme","id":"5002","kind":"dm","author":{"id":"77","handle":"@li"},"text":"hello??","created_at":"2026-11-20T11:30:00Z"}
`

const badLine = `{"channel":"reddit","id":"r1","kind":"comment","author":{"id":"u1"},"text":"nice","created_at":"20 Nov 2026"}`

func messageCount(t *testing.T, db string) int {
	t.Helper()
	out, _, err := triage(t, db, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(out, "\n")
}

func TestImportCountsAndIdempotence(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	file := writeFile(t, "in.jsonl", goodLines)
	out, _, err := triage(t, db, "", "import", file)
	if err != nil || !strings.Contains(out, "imported: 4 new, 0 already present, 0 rejected") {
		t.Fatalf("import = %q, %v", out, err)
	}
	out, _, err = triage(t, db, goodLines, "import", "-")
	if err != nil || !strings.Contains(out, "imported: 0 new, 4 already present, 0 rejected") {
		t.Fatalf("re-import from stdin = %q, %v", out, err)
	}
}

func TestImportInvalidLineImportsNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	file := writeFile(t, "in.jsonl", goodLines+badLine+"\n")
	_, stderr, err := triage(t, db, "", "import", file)
	ee, ok := err.(*exitError)
	if !ok || ee.code != 1 {
		t.Fatalf("import with a bad line: err %v, want exit 1", err)
	}
	want := file + `:6: field "created_at": "20 Nov 2026" is not an RFC 3339 time`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr, want)
	}
	if n := messageCount(t, db); n != 0 {
		t.Errorf("%d messages stored after a failed import, want 0", n)
	}
}

func TestImportSkipInvalidWritesRejects(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	file := writeFile(t, "in.jsonl", badLine+"\n"+goodLines)
	out, _, err := triage(t, db, "", "import", "--skip-invalid", file)
	if err != nil || !strings.Contains(out, "imported: 4 new, 0 already present, 1 rejected") {
		t.Fatalf("import --skip-invalid = %q, %v", out, err)
	}
	i := strings.Index(out, "rejected lines written to ")
	if i < 0 {
		t.Fatalf("output names no reject file: %q", out)
	}
	rejPath := strings.TrimSpace(out[i+len("rejected lines written to "):])
	rej, err := os.ReadFile(rejPath)
	if err != nil || strings.TrimSpace(string(rej)) != badLine {
		t.Errorf("reject file %s = %q, %v", rejPath, rej, err)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	file := writeFile(t, "in.jsonl", goodLines)
	out, _, err := triage(t, db, "", "import", file, "--dry-run")
	if err != nil || !strings.Contains(out, "would import: 4 new") {
		t.Fatalf("dry run = %q, %v", out, err)
	}
	if n := messageCount(t, db); n != 0 {
		t.Errorf("dry run stored %d messages", n)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a.db")
	if _, _, err := triage(t, a, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	first, _, err := triage(t, a, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(t.TempDir(), "b.db")
	if out, _, err := triage(t, b, first, "import", "-"); err != nil || !strings.Contains(out, "4 new") {
		t.Fatalf("import of export = %q, %v", out, err)
	}
	second, _, err := triage(t, b, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("round trip changed the export:\n%s\nvs\n%s", first, second)
	}
	var rec map[string]any
	json.Unmarshal([]byte(strings.SplitN(first, "\n", 2)[0]), &rec)
	for _, k := range []string{"channel", "account", "id", "conversation", "kind", "direction", "author", "text", "created_at", "state", "tags"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("export record lacks %q: %v", k, rec)
		}
	}
	csv, _, err := triage(t, a, "", "export", "--format", "csv", "--query", "chan:x")
	if err != nil || strings.Count(csv, "\n") != 3 || !strings.HasPrefix(csv, "channel,account,id,") {
		t.Errorf("csv export of chan:x = %q, %v", csv, err)
	}
}

func TestStatsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	out, _, err := triage(t, db, "", "stats", "--since", "2026-11-20", "--json", "--by", "channel")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Since, Until      string
		Inbound, Answered int
		Unanswered        int
		FirstResponse     map[string]float64 `json:"first_response_seconds"`
		WithinSLAPct      float64            `json:"within_sla_pct"`
		Groups            []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	// 3 inbound: 178956 answered after 30m (met), two x DMs unanswered; 5001 due 12:00 missed,
	// 5002 due 12:30 missed (now is 18:00): 1 of 3 within SLA.
	if st.Since != "2026-11-20T00:00:00Z" || st.Until != "2026-11-20T18:00:00Z" || st.Inbound != 3 || st.Answered != 1 ||
		st.Unanswered != 2 || st.FirstResponse["median"] != 1800 || st.WithinSLAPct != 33.33 || len(st.Groups) != 2 {
		t.Errorf("stats = %+v", st)
	}
	table, _, err := triage(t, db, "", "stats", "--since", "2026-11-20", "--by", "channel")
	if err != nil || !strings.Contains(table, "instagram") || !strings.Contains(table, "30m") {
		t.Errorf("stats table = %q, %v", table, err)
	}
}

func TestCommandErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"stats", "--by", "weekday"}, 2, `--by "weekday"`},
		{[]string{"stats", "--since", "last tuesday"}, 2, `--since "last tuesday"`},
		{[]string{"stats", "--query", "chanel:x"}, 2, `unknown field "chanel"`},
		{[]string{"export", "--format", "xml"}, 2, `--format "xml"`},
		{[]string{"import"}, 2, "name at least one"},
		{[]string{"import", "/nonexistent/file.jsonl"}, 1, "no such file"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	}
	for _, c := range cases {
		_, _, err := triage(t, db, "", c.args...)
		code := 0
		if ee, ok := err.(*exitError); ok {
			code = ee.code
		} else if err != nil {
			code = 1
		}
		if code != c.code || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("triage %v: exit %d, %v; want exit %d with %q", c.args, code, err, c.code, c.want)
		}
	}
}

func TestBadConfigNamesTheLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, "", "import", "-"); err != nil { // stats reads a database that is there
		t.Fatal(err)
	}
	cfg := writeFile(t, "config.toml", "agent = \"maria\"\n[sla]\ndefault = 1h\n")
	_, _, err := triage(t, db, "", "stats", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), cfg+":3:") {
		t.Errorf("bad config error = %v, want it to name %s:3", err, cfg)
	}
	cfg = writeFile(t, "config2.toml", "agent = \"maria\"\n\n[sla]\ndefualt = \"1h\"\n")
	_, _, err = triage(t, db, "", "stats", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), cfg+":4: unknown key") {
		t.Errorf("unknown key error = %v, want it to name line 4", err)
	}
}

func TestDemoRefusesRealDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "real.db")
	if _, _, err := triage(t, db, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(db)
	_, _, err := triage(t, db, "", "demo")
	if err == nil || !strings.Contains(err.Error(), "not a demo database") {
		t.Fatalf("demo over a real database = %v", err)
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(before, after) {
		t.Error("refused database was changed")
	}
	demoDB := filepath.Join(t.TempDir(), "demo.db")
	if _, _, err := triage(t, demoDB, "", "demo"); err != nil {
		t.Fatal(err)
	}
	first, _, _ := triage(t, demoDB, "", "export")
	if n := strings.Count(first, "\n"); n < 500 || n > 800 {
		t.Errorf("demo holds %d messages, want about 600", n)
	}
	// Seeding afresh gives the same inbox again.
	if _, _, err := triage(t, demoDB, "", "demo", "--reset"); err != nil {
		t.Fatal(err)
	}
	second, _, _ := triage(t, demoDB, "", "export")
	if first != second {
		t.Error("the same seed gave a different demo inbox")
	}
	if _, _, err := triage(t, db, "", "demo", "--reset"); err == nil || !strings.Contains(err.Error(), "not a demo database") {
		t.Fatalf("demo --reset over a real database = %v", err)
	}
}

// The demo inbox is seeded the first time; after that it is kept as the person left it,
// by triage demo and by triage --demo (which opens it), until triage demo --reset.
func TestDemoIsKeptUntilReset(t *testing.T) {
	demoDB := filepath.Join(t.TempDir(), "demo.db")
	out, _, err := triage(t, demoDB, "", "demo")
	if err != nil || !strings.Contains(out, "demo inbox seeded at "+demoDB) {
		t.Fatalf("first triage demo = %q, %v", out, err)
	}
	seeded, _, _ := triage(t, demoDB, "", "export")
	// What the person did in it: here, a message that came in.
	if _, _, err := triage(t, demoDB, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	left, _, _ := triage(t, demoDB, "", "export")
	if left == seeded {
		t.Fatal("the import changed nothing")
	}
	out, _, err = triage(t, demoDB, "", "demo")
	if err != nil || !strings.Contains(out, "kept as it was left; triage demo --reset seeds it afresh") {
		t.Errorf("triage demo on a demo = %q, %v", out, err)
	}
	// triage --demo opens the demo through ensureDemo before the screen starts.
	e := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: func() time.Time { return testNow }}
	if kept, err := e.ensureDemo(context.Background(), demoDB, defaultSeed); err != nil || !kept {
		t.Errorf("ensureDemo on a demo: kept %v, %v", kept, err)
	}
	if now, _, _ := triage(t, demoDB, "", "export"); now != left {
		t.Error("reopening the demo changed it")
	}
	if _, _, err := triage(t, demoDB, "", "demo", "--reset"); err != nil {
		t.Fatal(err)
	}
	if now, _, _ := triage(t, demoDB, "", "export"); now != seeded {
		t.Error("triage demo --reset did not give the freshly seeded demo back")
	}
	// Where there is none, ensureDemo seeds one.
	fresh := filepath.Join(t.TempDir(), "demo.db")
	if kept, err := e.ensureDemo(context.Background(), fresh, defaultSeed); err != nil || kept {
		t.Errorf("ensureDemo where there is none: kept %v, %v", kept, err)
	}
	if now, _, _ := triage(t, fresh, "", "export"); now != seeded {
		t.Error("ensureDemo seeded another inbox than triage demo")
	}
}
