package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// exportAll is the whole inbox as export writes it, one JSON line a message.
func exportAll(t *testing.T, s *Service) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	if err := s.Export(context.Background(), ExportRequest{}, func(r ExportRecord) error { return enc.Encode(r) }); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// An inbox whose messages were edited, removed and hidden exports them with their
// earlier texts and marks, and an import of that export is the same inbox: the same
// export again, the customer's first words kept, the marks shown.
func TestExportKeepsEditsRemovalsAndHides(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	mustIngest(t, s,
		inMsg("c1", "media:1", "where is my order???", "2026-11-20T10:00:00Z"),
		inMsg("c2", "media:1", "this brand is a scam", "2026-11-20T10:05:00Z"),
		inMsg("c3", "media:2", "buy followers at spam.example", "2026-11-20T10:06:00Z"))
	hide := true
	applyUpdates(t, s,
		Update{Channel: "instagram", Account: "@acme", ID: "c1", At: at("2026-11-20T10:10:00Z"), Text: textPtr("where is my order? (sorry, found it)")},
		Update{Channel: "instagram", Account: "@acme", ID: "c2", At: at("2026-11-20T10:20:00Z"), Removed: true},
		Update{Channel: "instagram", Account: "@acme", ID: "c3", At: at("2026-11-20T10:30:00Z"), Hidden: &hide})
	exported := exportAll(t, s)
	for _, want := range []string{`"versions":[{"text":"where is my order???","written_at":"2026-11-20T10:00:00Z"}]`,
		`"edited_at":"2026-11-20T10:10:00Z"`, `"removed_at":"2026-11-20T10:20:00Z"`, `"hidden":true,"hidden_at":"2026-11-20T10:30:00Z"`} {
		if !strings.Contains(exported, want) {
			t.Errorf("the export lacks %s:\n%s", want, exported)
		}
	}

	b, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	if _, err := b.Ingest(ctx, false, func(batch *Batch) error {
		return ReadJSONL(strings.NewReader(exported), "export.jsonl", func(line int, m Message, lerr *LineError) error {
			if lerr != nil {
				return lerr
			}
			_, err := batch.Add(m)
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	if again := exportAll(t, b); again != exported {
		t.Errorf("the imported inbox exports differently:\n%s\nwant:\n%s", again, exported)
	}
	th, err := b.Thread(ctx, convOf(t, b, "media:1"), 10)
	if err != nil || len(th.Messages) != 2 || th.Messages[0].Original != "where is my order???" || th.Messages[1].RemovedAt == 0 {
		t.Errorf("imported thread %+v, %v; want the first words kept and the removal marked", th.Messages, err)
	}
}

// A line whose marks do not hold together is refused, naming the field.
func TestImportRefusesBadMarks(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{`{"channel":"instagram","id":"c1","kind":"comment","text":"hi","created_at":"2026-11-20T10:00:00Z","versions":[{"text":"hey","written_at":"2026-11-20T10:00:00Z"}]}`, `"edited_at"`},
		{`{"channel":"instagram","id":"c1","kind":"comment","text":"hi","created_at":"2026-11-20T10:00:00Z","removed_at":"yesterday"}`, `"removed_at"`},
		{`{"channel":"instagram","id":"c1","kind":"comment","text":"hi","created_at":"2026-11-20T10:00:00Z","edited_at":"2026-11-20T10:01:00Z","versions":[{"text":"hey"}]}`, `versions[0].written_at`},
	} {
		_, err := DecodeMessage([]byte(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", c.line, err, c.want)
		}
	}
}
