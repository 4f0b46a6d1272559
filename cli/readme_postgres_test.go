package cli

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// The README's PostgreSQL section is a contract: its SQL is run as written by an
// administrator of the test cluster, its ~/.pgpass line is read, and its shell lines run
// through the real commands, with only the server's address and sslmode changed (the test
// cluster is on loopback, without TLS).

const readmePGSection = "## PostgreSQL (when a team outgrows one host)"

// readmePGBlocks are the blocks of lang in the README's PostgreSQL section, in order.
func readmePGBlocks(t *testing.T, lang string) []readmeBlock {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	start, end := 0, len(lines)
	for i, l := range lines {
		switch {
		case l == readmePGSection:
			start = i + 1
		case start > 0 && i+1 > start && strings.HasPrefix(l, "## "):
			end = i + 1
		}
		if end < len(lines) {
			break
		}
	}
	if start == 0 {
		t.Fatalf("README.md has no section %q", readmePGSection)
	}
	var out []readmeBlock
	for _, b := range readmeBlocks(t, lang) {
		if b.line > start && b.line < end {
			out = append(out, b)
		}
	}
	return out
}

// readmePGShBlocks are the section's three sh blocks: point a host at the database, back
// it up, move an inbox up. Read them before readmeHome leaves the repository's folder.
func readmePGShBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	blocks := readmePGBlocks(t, "sh")
	if len(blocks) != 3 {
		t.Fatalf("README's PostgreSQL section has %d sh blocks, want 3 (point hosts, back up, move up)", len(blocks))
	}
	return blocks
}

// readmePG is the test cluster as the README's administrator and hosts see it.
type readmePG struct {
	t     *testing.T
	admin string // a superuser's URL of the cluster (a database of its own)
	addr  string // host:port, for db.example.com:5432
}

func newReadmePG(t *testing.T) *readmePG {
	t.Helper()
	admin := pgtest.URL(t)
	addr := strings.TrimPrefix(admin, "postgres://postgres@")
	addr = addr[:strings.Index(addr, "/")]
	return &readmePG{t: t, admin: admin, addr: addr}
}

// url is the URL of database as role on the cluster.
func (p *readmePG) url(role, database string) string {
	return "postgres://" + role + "@" + p.addr + "/" + database + "?sslmode=disable"
}

// exec runs SQL as the administrator, in database ("" for the admin's own).
func (p *readmePG) exec(database, sql string) {
	p.t.Helper()
	u := p.admin
	if database != "" {
		u = p.url("postgres", database)
	}
	if _, err := pgSQL(p.t, u).Exec(sql); err != nil {
		p.t.Fatalf("%s: %v", sql, err)
	}
}

// readmeSetup runs the section's first SQL block as written: the role triage and its
// database triage. They are the cluster's to drop at the end of the test.
func (p *readmePG) readmeSetup() {
	p.t.Helper()
	blocks := readmePGBlocks(p.t, "sql")
	if len(blocks) != 2 {
		p.t.Fatalf("README's PostgreSQL section has %d sql blocks, want the role and database, and the extensions", len(blocks))
	}
	for _, stmt := range strings.Split(strings.TrimSpace(blocks[0].text), ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			p.exec("", stmt)
		}
	}
	p.t.Cleanup(func() {
		db := pgSQL(p.t, p.admin)
		for _, s := range []string{"DROP DATABASE IF EXISTS triage WITH (FORCE)", "DROP DATABASE IF EXISTS triage_restored WITH (FORCE)", "DROP ROLE IF EXISTS triage"} {
			if _, err := db.Exec(s); err != nil {
				p.t.Logf("%s: %v", s, err)
			}
		}
	})
}

// fromReadme turns the README's server into the test cluster.
func (p *readmePG) fromReadme(s string) string {
	s = strings.ReplaceAll(s, "db.example.com:5432", p.addr)
	return strings.ReplaceAll(s, "sslmode=verify-full", "sslmode=disable")
}

// shellWords splits a README shell line into words: single quotes group, # starts a
// comment; NAME=value words before the command are its environment.
func shellWords(line string) (env, args []string) {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case !quoted && r == '#' && !inWord:
			line = ""
		case !quoted && (r == ' ' || r == '\t'):
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
		if line == "" {
			break
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		env, words = append(env, words[0]), words[1:]
	}
	return env, words
}

// pgTool is a PostgreSQL client program (pg_dump, pg_restore): on PATH, or beside the
// server that pgtest runs. Without it the test is skipped, or fails under CI.
func pgTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name); len(ms) > 0 {
		return ms[len(ms)-1]
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed", name)
	}
	t.Skipf("%s is not installed", name)
	return ""
}

// runReadmeSh runs a README sh block line by line in the current folder: `export` sets
// the environment, triage runs in-process, pg_dump and pg_restore as programs; `> FILE`
// takes standard output. Every line must succeed. It returns what each line printed.
func (p *readmePG) runReadmeSh(b readmeBlock) []string {
	p.t.Helper()
	var outs []string
	for i, line := range strings.Split(strings.TrimSpace(p.fromReadme(b.text)), "\n") {
		at := "README.md:" + strconv.Itoa(b.line+1+i)
		env, args := shellWords(line)
		if len(args) >= 2 && args[0] == "export" {
			k, v, _ := strings.Cut(args[1], "=")
			p.t.Setenv(k, v)
			outs = append(outs, "")
			continue
		}
		var redirect string
		if n := len(args); n >= 2 && args[n-2] == ">" {
			redirect, args = args[n-1], args[:n-2]
		}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			p.t.Setenv(k, v) // for this line only: emptied again below (readmeHome emptied it)
		}
		var out, errOut string
		var err error
		switch args[0] {
		case "triage":
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			out, errOut, err = runCapture(ctx, args[1:]...)
			cancel()
		case "pg_dump", "pg_restore":
			cmd := exec.Command(pgTool(p.t, args[0]), args[1:]...)
			var o, e strings.Builder
			cmd.Stdout, cmd.Stderr = &o, &e
			err = cmd.Run()
			out, errOut = o.String(), e.String()
		default:
			p.t.Fatalf("%s: the test does not know how to run %q", at, args[0])
		}
		if err != nil {
			p.t.Fatalf("%s: %s: %v\n%s", at, line, err, errOut)
		}
		for _, kv := range env {
			k, _, _ := strings.Cut(kv, "=")
			os.Setenv(k, "")
		}
		if redirect != "" {
			if err := os.WriteFile(redirect, []byte(out), 0o600); err != nil {
				p.t.Fatal(err)
			}
		}
		outs = append(outs, out)
	}
	return outs
}

// readmeHome gives the README's commands a home of their own: XDG folders, no TRIAGE_*
// or PG* variables from outside, and a working folder for their files.
func readmeHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	for k, v := range map[string]string{"HOME": home, "XDG_DATA_HOME": filepath.Join(home, "data"),
		"XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_STATE_HOME": filepath.Join(home, "state"),
		"TRIAGE_DB": "", "TRIAGE_CONFIG": "", "PGPASSWORD": "", "PGPASSFILE": ""} {
		t.Setenv(k, v)
	}
	t.Chdir(home)
	return home
}

// The README's setup, as written: the administrator's role and database, then every host
// pointed at it with TRIAGE_DB and --db, as the role the README made (no superuser: it
// creates the tables and both extensions itself, as the database's owner).
func TestReadmePostgresPointAHostAtIt(t *testing.T) {
	p := newReadmePG(t)
	p.readmeSetup()
	blocks := readmePGShBlocks(t)
	readmeHome(t)
	if err := os.WriteFile("inbox.jsonl", []byte(goodLines), 0o600); err != nil {
		t.Fatal(err)
	}
	outs := p.runReadmeSh(blocks[0])
	if len(outs) != 4 || !strings.Contains(outs[1], "imported: 4 new") || !strings.Contains(outs[2], "instagram") ||
		strings.Count(outs[3], "\n") != 2 {
		t.Errorf("README.md:%d printed %q", blocks[0].line, outs)
	}
	var super bool
	if err := pgSQL(t, p.url("triage", "triage")).QueryRow(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil || super {
		t.Errorf("the README's role is a superuser (%v, %v): the test proves nothing", super, err)
	}
}

// The README's backup: pg_dump of the database, pg_restore into an empty one its owner
// made; the restored inbox exports the same as the original.
func TestReadmePostgresBackup(t *testing.T) {
	p := newReadmePG(t)
	p.readmeSetup()
	backup := readmePGShBlocks(t)[1]
	readmeHome(t)
	orig := p.url("triage", "triage")
	if _, stderr, err := triage(t, orig, "", "demo"); err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr)
	}
	readmeHome(t)                                              // triage() gave the demo XDG folders of its own
	p.exec("", "CREATE DATABASE triage_restored OWNER triage") // "an empty database its owner made as above"
	p.runReadmeSh(backup)
	want, _, err := triage(t, orig, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := triage(t, p.url("triage", "triage_restored"), "", "export")
	if err != nil || got != want || strings.Count(got, "\n") < 500 {
		t.Errorf("the restored inbox exports differently (%v):\n%s", err, firstLineDiff(got, want))
	}
}

// The README's way up from a SQLite file: export from the default file, import into
// PostgreSQL with TRIAGE_DB; the inbox there exports what the file did.
func TestReadmePostgresMoveUp(t *testing.T) {
	p := newReadmePG(t)
	p.readmeSetup()
	moveUp := readmePGShBlocks(t)[2]
	home := readmeHome(t)
	file := filepath.Join(home, "data", "triage", "triage.db") // the default, which `triage export` reads
	if _, stderr, err := runCapture(context.Background(), "import", "--db", file, writeFile(t, "in.jsonl", goodLines+strings.Join(outOfOrder, ""))); err != nil {
		t.Fatalf("import into the file: %v\n%s", err, stderr)
	}
	outs := p.runReadmeSh(moveUp)
	if !strings.Contains(outs[1], "imported: ") || !strings.Contains(outs[1], " new, 0 already present, 0 rejected") {
		t.Errorf("the README's import printed %q", outs[1])
	}
	want, _, err := runCapture(context.Background(), "export", "--db", file)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := runCapture(context.Background(), "export", "--db", p.url("triage", "triage"))
	if err != nil || got != want {
		t.Errorf("the inbox moved up exports differently (%v):\n%s", err, firstLineDiff(got, want))
	}
}

// What the README says of a cluster made with the C locale, whose databases default to
// SQL_ASCII: its statement, as written, makes a database the README's role then fills
// through the real command. (That triage refuses the SQL_ASCII one is
// store.TestPostgresDatabaseNotInUTF8IsRefused.)
func TestReadmePostgresDatabaseInUTF8(t *testing.T) {
	p := newReadmePG(t)
	p.readmeSetup()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	stmt := regexp.MustCompile("`(CREATE DATABASE\\s+triage OWNER triage ENCODING[^`]*);`").FindSubmatch(data)
	if stmt == nil {
		t.Fatal("README.md has no CREATE DATABASE … ENCODING 'UTF8' statement for a cluster made with the C locale")
	}
	p.exec("", "DROP DATABASE triage")
	p.exec("", strings.Join(strings.Fields(string(stmt[1])), " ")) // the README breaks the line
	_, stderr, err := runCapture(context.Background(), "import", "--db", p.url("triage", "triage"), writeFile(t, "in.jsonl", goodLines))
	if err != nil {
		t.Fatalf("import into the database made by the README's statement: %v\n%s", err, stderr)
	}
}

// What the README says of extensions: a role that may create neither them nor anything
// in the database but tables in schema public cannot make the schema; after the README's
// extension block, run once by an administrator, it can. A role with CREATE on the
// database and on schema public makes both itself.
func TestReadmePostgresExtensions(t *testing.T) {
	p := newReadmePG(t)
	blocks := readmePGBlocks(t, "sql")
	if len(blocks) != 2 {
		t.Fatalf("README's PostgreSQL section has %d sql blocks, want 2", len(blocks))
	}
	for _, role := range []string{"readme_tables_only", "readme_create_both"} {
		p.exec("", "CREATE ROLE "+role+" LOGIN")
		p.exec("", "CREATE DATABASE "+role)
		p.exec(role, "GRANT CREATE ON SCHEMA public TO "+role)
		t.Cleanup(func() {
			db := pgSQL(t, p.admin)
			db.Exec("DROP DATABASE IF EXISTS " + role + " WITH (FORCE)")
			db.Exec("DROP ROLE IF EXISTS " + role)
		})
	}
	p.exec("", "GRANT CREATE ON DATABASE readme_create_both TO readme_create_both")
	in := writeFile(t, "in.jsonl", goodLines)

	limited := p.url("readme_tables_only", "readme_tables_only")
	_, _, err := triage(t, limited, "", "import", in)
	if err == nil || !strings.Contains(err.Error(), "permission denied to create extension") {
		t.Fatalf("import as a role that may not create extensions: %v, want permission denied", err)
	}
	if n := pgTables(t, limited); n != 0 {
		t.Errorf("the refused first open left %d tables", n)
	}
	for _, stmt := range strings.Split(strings.TrimSpace(blocks[1].text), ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			p.exec("readme_tables_only", stmt)
		}
	}
	if out, _, err := triage(t, limited, "", "import", in); err != nil || !strings.Contains(out, "imported: 4 new") {
		t.Errorf("import after the README's extensions: %q, %v", out, err)
	}

	both := p.url("readme_create_both", "readme_create_both")
	if out, _, err := triage(t, both, "", "import", in); err != nil || !strings.Contains(out, "imported: 4 new") {
		t.Errorf("import as a role with CREATE on the database and schema public: %q, %v", out, err)
	}
}

// The README's ~/.pgpass line is where triage finds the password: a server asking for it
// is offered the README's password, which no output shows.
func TestReadmePostgresPgpass(t *testing.T) {
	var line string
	for _, b := range readmePGBlocks(t, "") {
		if strings.Count(b.text, ":") == 4 {
			line = strings.TrimSpace(b.text)
		}
	}
	if line == "" {
		t.Fatal("README's PostgreSQL section has no ~/.pgpass line")
	}
	srv := startRefusingPostgres(t)
	home := readmeHome(t)
	host, port, _ := net.SplitHostPort(srv.addr)
	f := strings.Split(line, ":")
	f[0], f[1] = host, port
	if err := os.WriteFile(filepath.Join(home, ".pgpass"), []byte(strings.Join(f, ":")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := "postgres://" + f[3] + "@" + srv.addr + "/" + f[2] + "?sslmode=disable"
	out, errOut, err := runCapture(context.Background(), "stats", "--db", db)
	if !srv.sent(f[4]) {
		t.Fatalf("the server was not offered the README's ~/.pgpass password; triage said %v %s", err, errOut)
	}
	if strings.Contains(out+errOut+err.Error(), f[4]) {
		t.Errorf("the password shows: %s %s %v", out, errOut, err)
	}
}
