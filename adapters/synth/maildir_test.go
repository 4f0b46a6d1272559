package synth_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
)

// writeMaildir writes n messages of seed 1 to a new Maildir and returns its files by name.
func writeMaildir(t *testing.T, n int) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	w, err := synth.NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	synth.Messages(n, 1, end, func(m inbox.Message) {
		if err == nil {
			err = w.Write(m)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	ents, err := os.ReadDir(filepath.Join(dir, "cur"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, "cur", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	if _, err := synth.NewMaildir(dir); !errors.Is(err, synth.ErrMaildirNotEmpty) {
		t.Errorf("a second writer on a full Maildir: got %v, want ErrMaildirNotEmpty", err)
	}
	return files
}

func TestMaildirDeterministic(t *testing.T) {
	a, b := writeMaildir(t, 3000), writeMaildir(t, 3000)
	if len(a) != 3000 {
		t.Fatalf("got %d files, want one per message (3000)", len(a))
	}
	for name, body := range a {
		if !bytes.Equal(body, b[name]) {
			t.Fatalf("%s differs between two runs of the same seed", name)
		}
	}
}

func TestMaildirParses(t *testing.T) {
	var dec mime.WordDecoder
	for name, raw := range writeMaildir(t, 3000) {
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range []string{"Date", "From", "To", "Subject", "Message-ID", "Content-Type"} {
			if msg.Header.Get(h) == "" {
				t.Fatalf("%s: no %s header", name, h)
			}
		}
		if _, err := msg.Header.Date(); err != nil {
			t.Fatalf("%s: Date: %v", name, err)
		}
		if _, err := msg.Header.AddressList("From"); err != nil {
			t.Fatalf("%s: From: %v", name, err)
		}
		subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || !strings.HasPrefix(subj, "[") {
			t.Fatalf("%s: Subject %q: %v", name, subj, err)
		}
		if body, _ := io.ReadAll(msg.Body); len(body) == 0 {
			t.Fatalf("%s: empty body", name)
		}
	}
}
