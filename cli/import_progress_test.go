package cli

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// steppingClock is a clock that moves on by step each time it is read.
func steppingClock(step time.Duration) func() time.Time {
	t := testNow
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// The progress line, by hand: 1,000 bytes of input; 128 messages read with 500 bytes,
// 2 s after the start: 64 a second, half way, so about as long again.
func TestImportProgressLine(t *testing.T) {
	file := writeFile(t, "in.jsonl", strings.Repeat("x", 1000))
	now := testNow
	clock := func() time.Time { return now }
	var out bytes.Buffer
	p := newImportProgress(&out, true, clock, importSourceList{{name: file}}, nil)
	r := p.reader(strings.NewReader(strings.Repeat("x", 1000)))
	io.ReadFull(r, make([]byte, 500))
	for range 64 {
		p.message()
	}
	if out.Len() != 0 {
		t.Fatalf("drew %q before a second had passed", out.String())
	}
	now = now.Add(2 * time.Second)
	for range 64 {
		p.message()
	}
	if want := "\r\x1b[Kimporting: 128 messages · 64/s · 50% · about 2s left"; out.String() != want {
		t.Errorf("line = %q, want %q", out.String(), want)
	}
	// Redrawn no more often than progressEvery.
	out.Reset()
	now = now.Add(progressEvery / 2)
	for range 64 {
		p.message()
	}
	if out.Len() != 0 {
		t.Errorf("redrawn after %v: %q", progressEvery/2, out.String())
	}
	// Read to the end, 1,280 messages in 10 s: 128 a second, then finishing, then cleared.
	io.Copy(io.Discard, r)
	p.done()
	for range 1280 - 192 - 64 {
		p.message()
	}
	now = testNow.Add(10 * time.Second)
	for range 64 {
		p.message()
	}
	if want := "\r\x1b[Kimporting: 1,280 messages · 128/s · 100% · about 0s left"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("line at the end = %q, want %q", out.String(), want)
	}
	p.saving()
	if want := "\r\x1b[Kimporting: 1,280 messages read in 10s · finishing…"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("line when finishing = %q, want %q", out.String(), want)
	}
	p.clear()
	if !strings.HasSuffix(out.String(), "finishing…\r\x1b[K") {
		t.Errorf("line not cleared: %q", out.String())
	}

	// Standard input from a pipe has no known size: count and rate only.
	out.Reset()
	now = testNow
	p = newImportProgress(&out, true, clock, importSourceList{{name: "-"}}, strings.NewReader(""))
	for range 192 {
		p.message()
	}
	now = now.Add(4 * time.Second)
	for range 64 {
		p.message()
	}
	if want := "\r\x1b[Kimporting: 256 messages · 64/s"; out.String() != want {
		t.Errorf("line of a pipe = %q, want %q", out.String(), want)
	}
	if p := newImportProgress(&out, false, clock, importSourceList{{name: file}}, nil); p != nil {
		t.Error("progress on what is not a terminal")
	}
}

// manyLines is n valid JSON Lines messages.
func manyLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"channel":"x","id":"m%d","kind":"dm","author":{"id":"a%d"},"text":"hello %d","created_at":"2026-11-20T10:00:00Z"}`+"\n", i, i%50, i)
	}
	return b.String()
}

// triage import draws its progress on a terminal, when it takes more than a second, and
// clears it, so what stays is the result; on anything else it prints nothing extra.
func TestImportShowsProgressOnATerminal(t *testing.T) {
	file := writeFile(t, "in.jsonl", manyLines(1000))
	run := func(terminal bool, step time.Duration) (stdout, stderr string) {
		var out, errb bytes.Buffer
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, now: steppingClock(step),
			terminal: func() bool { return terminal }}
		if err := runWith(t.Context(), env, []string{"import", file, "--db", filepath.Join(t.TempDir(), "t.db")}); err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String()
	}
	// Each reading of the clock is 100 ms on: well over a second for 1,000 messages.
	out, errOut := run(true, 100*time.Millisecond)
	if !strings.Contains(out, "imported: 1000 new") {
		t.Errorf("stdout = %q", out)
	}
	if !strings.HasPrefix(errOut, "\r\x1b[Kimporting: ") || !strings.Contains(errOut, " messages · ") || !strings.Contains(errOut, "% · about ") ||
		!strings.Contains(errOut, "importing: 1,000 messages read in") || !strings.HasSuffix(errOut, "finishing…\r\x1b[K") {
		t.Errorf("stderr on a terminal = %q, want progress lines, cleared at the end", errOut)
	}
	// Not a terminal: nothing on stderr however long it takes.
	if out, errOut := run(false, 100*time.Millisecond); errOut != "" || !strings.Contains(out, "imported: 1000 new") {
		t.Errorf("not a terminal: stdout %q, stderr %q", out, errOut)
	}
	// On a terminal but quick: nothing either.
	if _, errOut := run(true, time.Microsecond); errOut != "" {
		t.Errorf("a quick import drew %q", errOut)
	}
}
