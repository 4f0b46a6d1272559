package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
)

// synthMaildir writes n synthetic messages as a Maildir, as bench/gen does, and returns
// its folder, the messages, and the brand's addresses in it: the email account's, and
// CHANNEL@acme.synth.example for the other channels (see synth's brandAddress).
func synthMaildir(t *testing.T, n int) (string, []inbox.Message, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "INBOX")
	w, err := synth.NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []inbox.Message
	var brand []string
	synth.Messages(n, 1, testNow, func(m inbox.Message) {
		msgs = append(msgs, m)
		addr := m.Channel + "@acme.synth.example"
		if m.Channel == "email" {
			addr = m.Account
		}
		switch {
		case slices.Contains(brand, addr):
		case m.Channel == "email":
			brand = slices.Insert(brand, 0, addr) // first: it names the account, as sync would
		default:
			brand = append(brand, addr)
		}
		if err == nil {
			err = w.Write(m)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir, msgs, brand
}

func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// exported reads back every stored message, in export order.
func exported(t *testing.T, db string) []inbox.ExportRecord {
	t.Helper()
	out, _, err := triage(t, db, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	var recs []inbox.ExportRecord
	for line := range strings.Lines(out) {
		var r inbox.ExportRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func exitCode(err error) int {
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	if err != nil {
		return 1
	}
	return 0
}

func TestImportMaildirCountsDirectionsThreads(t *testing.T) {
	dir, msgs, brand := synthMaildir(t, 400)
	db := filepath.Join(t.TempDir(), "t.db")
	out, _, err := triage(t, db, "", "import", "--address", strings.Join(brand, ","), dir)
	if err != nil || !strings.Contains(out, "imported: 400 new, 0 already present, 0 rejected") {
		t.Fatalf("import = %q, %v", out, err)
	}
	recs := exported(t, db)
	wantOut, wantConvs := 0, map[string]bool{}
	for _, m := range msgs {
		if m.Direction == inbox.Out {
			wantOut++
		}
		wantConvs[m.Channel+" "+m.Conversation] = true
	}
	gotOut, gotConvs := 0, map[string]bool{}
	for _, r := range recs {
		if r.Direction == inbox.Out {
			gotOut++
		}
		gotConvs[r.Conversation] = true
		if r.Channel != "email" || r.Account != "support@acme.example" || r.Kind != inbox.KindEmail {
			t.Fatalf("%s: channel %q, account %q, kind %q; want email, support@acme.example, email", r.ID, r.Channel, r.Account, r.Kind)
		}
	}
	if len(recs) != 400 || gotOut != wantOut || len(gotConvs) != len(wantConvs) {
		t.Errorf("stored %d messages, %d outbound, %d conversations; want 400, %d, %d", len(recs), gotOut, len(gotConvs), wantOut, len(wantConvs))
	}

	// Importing the same Maildir again changes nothing.
	before, _, _ := triage(t, db, "", "export")
	out, _, err = triage(t, db, "", "import", "--address", strings.Join(brand, ","), dir)
	if err != nil || !strings.Contains(out, "imported: 0 new, 400 already present, 0 rejected") {
		t.Fatalf("re-import = %q, %v", out, err)
	}
	if after, _, _ := triage(t, db, "", "export"); after != before {
		t.Error("re-importing the Maildir changed the stored messages")
	}
}

// handMaildir is a small Maildir written by hand: a thread answered from two of the
// brand's addresses, odd but readable mails, and a file still being delivered.
func handMaildir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "INBOX")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	files := []struct{ sub, name, raw string }{
		{"cur", "1763600000.M1P1.host:2,S", "From: Jane Doe <jane@customer.test>\nTo: support@acme.test\nSubject: Broken grinder\nDate: Thu, 20 Nov 2025 10:00:00 +0000\nMessage-ID: <q1@customer.test>\n\nMy grinder arrived broken, I want a refund.\n"},
		{"cur", "1763600600.M2P1.host:2,S", "From: Acme Support <Support@Acme.test>\nTo: jane@customer.test\nSubject: Re: Broken grinder\nDate: Thu, 20 Nov 2025 10:10:00 +0000\nMessage-ID: <r1@acme.test>\nIn-Reply-To: <q1@customer.test>\nReferences: <q1@customer.test>\n\nSorry Jane, a new one is on its way.\n"},
		{"new", "1763601200.M3P1.host", "From: Acme Billing <billing@acme.test>\nTo: jane@customer.test\nSubject: Re: Broken grinder\nDate: Thu, 20 Nov 2025 10:20:00 +0000\nMessage-ID: <r2@acme.test>\nIn-Reply-To: <r1@acme.test>\nReferences: <q1@customer.test> <r1@acme.test>\n\nYour refund is on its way too.\n"},
		// Latin-1 without a Message-ID, nor a Date: the delivery time stands in.
		{"new", "1763601800.M4P1.host", "From: =?iso-8859-1?q?Jos=E9?= <jose@customer.test>\nSubject: =?iso-8859-1?q?Caf=E9?=\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nUn caf=E9 froid.\n"},
		// HTML only, answering a message the inbox never saw.
		{"cur", "1763602400.M5P1.host:2,", "From: li@customer.test\nSubject: Re: order 42\nMessage-ID: <h1@customer.test>\nIn-Reply-To: <gone@acme.test>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<p>Where is <b>order 42</b>?</p>\n"},
		{"tmp", "1763603000.M6P1.host", "From: late@customer.test\nMessage-ID: <t1@customer.test>\n\nstill being delivered\n"},
	}
	for _, f := range files {
		mustWrite(t, filepath.Join(dir, f.sub, f.name), f.raw)
	}
	return dir
}

// byID indexes exported messages by id.
func byID(recs []inbox.ExportRecord) map[string]inbox.ExportRecord {
	m := map[string]inbox.ExportRecord{}
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

func TestImportMaildirAddresses(t *testing.T) {
	dir := handMaildir(t)
	cfgBoth := writeFile(t, "both.toml", fmt.Sprintf(`
[[account]]
name = "support"
channel = "email"
address = "support@acme.test"
smtp = "127.0.0.1:25"
imap = "127.0.0.1:143"
password_env = "NOT_SET_AND_NOT_NEEDED"

[[account]]
name = "billing"
channel = "mail"
address = "Billing@Acme.test"
smtp = "127.0.0.1:25"
maildir = %q

[[account]]
name = "shop"
channel = "webhook"
`, dir))
	cfgSupport := writeFile(t, "support.toml", "[[account]]\nname = \"support\"\nchannel = \"email\"\naddress = \"support@acme.test\"\nsmtp = \"127.0.0.1:25\"\nmaildir = \"/nowhere\"\n")
	cases := []struct {
		name    string
		args    []string
		account string
		out     []string // ids of the outbound messages
	}{
		{"no address, no config", nil, "INBOX", nil},
		{"repeated --address", []string{"--address", "support@acme.test", "--address", "billing@acme.test"}, "support@acme.test", []string{"r1@acme.test", "r2@acme.test"}},
		{"comma-separated --address", []string{"--address", "Billing@acme.test, support@acme.test"}, "billing@acme.test", []string{"r1@acme.test", "r2@acme.test"}},
		{"one --address", []string{"--address", "support@acme.test"}, "support@acme.test", []string{"r1@acme.test"}},
		{"config: the account whose maildir it is names it", []string{"--config", cfgBoth}, "billing@acme.test", []string{"r1@acme.test", "r2@acme.test"}},
		{"config: one email account", []string{"--config", cfgSupport}, "support@acme.test", []string{"r1@acme.test"}},
		{"--address overrides config", []string{"--config", cfgBoth, "--address", "support@acme.test"}, "support@acme.test", []string{"r1@acme.test"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "t.db")
			out, stderr, err := triage(t, db, "", append(append([]string{"import"}, c.args...), dir)...)
			if err != nil || !strings.Contains(out, "imported: 5 new, 0 already present, 0 rejected") {
				t.Fatalf("import = %q %q, %v", out, stderr, err)
			}
			var gotOut []string
			for _, r := range exported(t, db) {
				if r.Account != c.account {
					t.Errorf("%s: account %q, want %q", r.ID, r.Account, c.account)
				}
				if r.Direction == inbox.Out {
					gotOut = append(gotOut, r.ID)
				}
			}
			slices.Sort(gotOut)
			if !slices.Equal(gotOut, c.out) {
				t.Errorf("outbound %v, want %v", gotOut, c.out)
			}
		})
	}

	db := filepath.Join(t.TempDir(), "t.db")
	_, _, err := triage(t, db, "", "import", "--address", "Acme <support@acme.test>", dir)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "not a plain address") {
		t.Errorf("--address with a display name: %v, want exit 2", err)
	}
}

func TestImportMaildirThreadsAndOddMails(t *testing.T) {
	dir := handMaildir(t)
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, "", "import", "--address", "support@acme.test,billing@acme.test", dir); err != nil {
		t.Fatal(err)
	}
	recs := byID(exported(t, db))
	if len(recs) != 5 {
		t.Fatalf("stored %d messages, want 5 (tmp/ is not read)", len(recs))
	}
	for _, id := range []string{"q1@customer.test", "r1@acme.test", "r2@acme.test"} {
		if c := recs[id].Conversation; c != "q1@customer.test" {
			t.Errorf("%s: conversation %q, want the thread's first message q1@customer.test", id, c)
		}
	}
	if r := recs["h1@customer.test"]; r.Conversation != "gone@acme.test" || !strings.Contains(r.Text, "order 42") {
		t.Errorf("HTML-only reply: conversation %q, text %q", r.Conversation, r.Text)
	}
	var latin inbox.ExportRecord
	for id, r := range recs {
		if strings.HasSuffix(id, "@no-message-id.invalid") {
			latin = r
		}
	}
	if latin.Author == nil || latin.Author.Name != "José" || latin.Subject != "Café" || latin.Text != "Un café froid." ||
		latin.CreatedAt.Unix() != 1763601800 {
		t.Errorf("Latin-1 mail without Message-ID: %+v (author %+v)", latin, latin.Author)
	}
}

func TestImportMaildirRejectsFilesThatAreNoMail(t *testing.T) {
	dir := handMaildir(t)
	junk := filepath.Join(dir, "new", "1763609000.M7P1.host")
	empty := filepath.Join(dir, "cur", "1763609001.M8P1.host:2,")
	mustWrite(t, junk, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	mustWrite(t, empty, "")
	parent, _ := os.ReadDir(filepath.Dir(dir))

	db := filepath.Join(t.TempDir(), "t.db")
	_, stderr, err := triage(t, db, "", "import", dir)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "2 invalid mail files; nothing was imported") {
		t.Fatalf("import with two files that are no mail: %v, want exit 1", err)
	}
	for _, want := range []string{junk + ": not an email: message: malformed MIME header line", empty + ": not an email: no header"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if n := messageCount(t, db); n != 0 {
		t.Errorf("%d messages stored after a failed import", n)
	}

	out, _, err := triage(t, db, "", "import", "--skip-invalid", dir)
	want := "imported: 5 new, 0 already present, 2 rejected\nrejected mail files, left where they are:\n  " + junk + "\n  " + empty + "\n"
	if err != nil || out != want {
		t.Fatalf("import --skip-invalid = %q, %v; want %q", out, err, want)
	}
	if after, _ := os.ReadDir(filepath.Dir(dir)); len(after) != len(parent) {
		t.Error("rejected mail files were copied out; they should only be listed")
	}
	for _, f := range []string{junk, empty} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("rejected file moved: %v", err)
		}
	}
}

func TestImportMaildirThenSyncAddsNothing(t *testing.T) {
	dir, _, _ := synthMaildir(t, 300)
	cfg := writeFile(t, "config.toml", fmt.Sprintf("[[account]]\nname = \"support\"\nchannel = \"email\"\naddress = \"support@acme.example\"\nsmtp = \"127.0.0.1:25\"\nmaildir = %q\n", dir))

	db := filepath.Join(t.TempDir(), "t.db")
	out, _, err := triage(t, db, "", "import", "--config", cfg, dir)
	if err != nil || !strings.Contains(out, "imported: 300 new, 0 already present, 0 rejected") {
		t.Fatalf("import = %q, %v", out, err)
	}
	before, _, _ := triage(t, db, "", "export")
	out, _, err = triage(t, db, "", "sync", "--once", "--config", cfg)
	if err != nil || !strings.Contains(out, "ok, 0 new") {
		t.Fatalf("sync after import = %q, %v; want ok, 0 new", out, err)
	}
	if after, _, _ := triage(t, db, "", "export"); after != before {
		t.Error("sync after import changed the stored messages")
	}

	// And the other way round: what sync stored, import finds already there.
	db2 := filepath.Join(t.TempDir(), "t2.db")
	if out, _, err := triage(t, db2, "", "sync", "--once", "--config", cfg); err != nil || !strings.Contains(out, "ok, 300 new") {
		t.Fatalf("sync = %q, %v", out, err)
	}
	out, _, err = triage(t, db2, "", "import", "--config", cfg, dir)
	if err != nil || !strings.Contains(out, "imported: 0 new, 300 already present, 0 rejected") {
		t.Fatalf("import after sync = %q, %v", out, err)
	}
	if synced, _, _ := triage(t, db2, "", "export"); synced != before {
		t.Error("sync and import stored the same Maildir differently")
	}
}

func TestImportNotMaildirChangesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, "", "import", writeFile(t, "in.jsonl", goodLines)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(db)
	notMaildir := t.TempDir()
	mustWrite(t, filepath.Join(notMaildir, "mail.eml"), "From: a@b.test\n\nhi\n")
	other := writeFile(t, "other.jsonl", strings.ReplaceAll(goodLines, `"id":"5`, `"id":"6`))
	_, _, err := triage(t, db, "", "import", other, notMaildir)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), notMaildir+": not a Maildir (no cur/ or new/ folder in it)") {
		t.Fatalf("import of a folder that is no Maildir: %v, want exit 1 naming it", err)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("the database changed")
	}
}

func TestImportMaildirDryRunWritesNothing(t *testing.T) {
	dir := handMaildir(t)
	db := filepath.Join(t.TempDir(), "t.db")
	out, _, err := triage(t, db, "", "import", "--dry-run", dir)
	if err != nil || !strings.Contains(out, "would import: 5 new, 0 already present, 0 rejected") {
		t.Fatalf("dry run = %q, %v", out, err)
	}
	if n := messageCount(t, db); n != 0 {
		t.Errorf("dry run stored %d messages", n)
	}
}

func TestImportMixedIsOneTransaction(t *testing.T) {
	dir := handMaildir(t)
	db := filepath.Join(t.TempDir(), "t.db")
	bad := writeFile(t, "bad.jsonl", goodLines+badLine+"\n")
	_, stderr, err := triage(t, db, "", "import", dir, bad)
	if exitCode(err) != 1 || !strings.Contains(stderr, bad+":6:") {
		t.Fatalf("Maildir + a bad JSON Lines file: %v %q, want exit 1", err, stderr)
	}
	if n := messageCount(t, db); n != 0 {
		t.Errorf("%d messages stored: the Maildir landed without the file", n)
	}
	out, _, err := triage(t, db, "", "import", dir, writeFile(t, "good.jsonl", goodLines))
	if err != nil || !strings.Contains(out, "imported: 9 new, 0 already present, 0 rejected") {
		t.Fatalf("Maildir + JSON Lines = %q, %v", out, err)
	}
}
