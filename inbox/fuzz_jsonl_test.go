package inbox

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// jsonlSeeds are import lines: valid ones and the mistakes people make.
var jsonlSeeds = []string{
	`{"channel":"x","id":"1","kind":"mention","author":{"handle":"@ana"},"text":"hi","created_at":"2026-11-20T10:00:00Z"}`,
	`{"channel":"email","id":42,"kind":"EMAIL","direction":"out","text":"re: hi","created_at":"2026-11-20T10:00:00.123456789+02:00","in_reply_to":41}`,
	`{"channel":"x","id":"1","kind":"mention","author":{"handle":"@ana"},"text":"hi","created_at":"yesterday"}`,
	`{"channel":"x","id":{"a":1},"kind":"dm","text":"hi"}`,
	`{"channel":1}`,
	`{"author":"ana"}`,
	`{"channel":"x"} {"channel":"y"}`,
	`[1,2,3]`,
	`not json`,
	`{"channel":"x","id":"1","kind":"mention","author":{"handle":"@ana"},"text":"<script>\u202e\u001b[2J</script>","created_at":"2026-11-20T10:00:00Z"}`,
	`{"channel":"x","id":"1","kind":"bogus","author":{"handle":"@ana"},"text":"hi","created_at":"0001-01-01T00:00:00Z"}`,
	"\xff\xfe{\"channel\":\"x\"}",
	`{"channel":"x","id":"1","kind":"mention","author":{"handle":"@ana"},"text":"hi","created_at":"2026-11-20T10:00:00Z"` + "\n\n  \r\n" + `{"id":"2"}`,
}

// FuzzDecodeMessage checks that DecodeMessage never panics, that what it accepts
// passes Validate, and that what it refuses names a field or says it is not JSON.
func FuzzDecodeMessage(f *testing.F) {
	for _, s := range jsonlSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMessage(data)
		if err != nil {
			checkDecodeError(t, data, err)
			return
		}
		if verr := m.Validate(); verr != nil {
			t.Fatalf("DecodeMessage(%q) accepted a message that fails Validate: %v", data, verr)
		}
	})
}

// checkDecodeError asserts that err names a field or says the line is not JSON.
func checkDecodeError(t *testing.T, data []byte, err error) {
	t.Helper()
	var fe *FieldError
	if errors.As(err, &fe) {
		if fe.Field == "" {
			t.Fatalf("DecodeMessage(%q): field error without a field: %v", data, err)
		}
		return
	}
	if !strings.Contains(err.Error(), "JSON") {
		t.Fatalf("DecodeMessage(%q): error %q names no field and does not say JSON", data, err)
	}
}

// FuzzReadJSONL checks that ReadJSONL calls back exactly once per non-blank line, in
// order, with either a valid message or a *LineError for that line, and never panics.
func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte(strings.Join(jsonlSeeds, "\n")))
	f.Add([]byte(strings.Join(jsonlSeeds, "\r\n") + "\r\n"))
	f.Add([]byte("\n\n \t\n"))
	f.Add([]byte(jsonlSeeds[0] + "\r"))
	f.Add([]byte("\r\r\n\x00\n"))
	f.Add([]byte("\ufeff" + jsonlSeeds[0] + "\r" + jsonlSeeds[0] + "\r\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Lines end in LF, CRLF or a CR alone; a BOM at the start is no part of line 1.
		lines := bytes.ReplaceAll(bytes.ReplaceAll(bytes.TrimPrefix(data, []byte("\ufeff")), []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
		var want []int
		for i, line := range bytes.Split(lines, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				want = append(want, i+1)
			}
		}
		var got []int
		err := ReadJSONL(bytes.NewReader(data), "in.jsonl", func(line int, m Message, lerr *LineError) error {
			got = append(got, line)
			if lerr != nil {
				if lerr.Line != line || lerr.File != "in.jsonl" {
					t.Fatalf("LineError %v for line %d", lerr, line)
				}
				if !strings.HasPrefix(lerr.Error(), "in.jsonl:") {
					t.Fatalf("LineError %q does not name the file", lerr)
				}
				checkDecodeError(t, lerr.Raw, lerr.Err)
				return nil
			}
			if verr := m.Validate(); verr != nil {
				t.Fatalf("line %d: accepted a message that fails Validate: %v", line, verr)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("ReadJSONL: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("ReadJSONL called back for lines %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("ReadJSONL called back for lines %v, want %v", got, want)
			}
		}
	})
}
