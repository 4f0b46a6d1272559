package crashtest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
)

// synthEnd is the fixed end of the synthetic messages' span.
var synthEnd = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// importMessages is how many messages the import scenario's file holds.
const importMessages = 5000

// TestCrashImport kills `triage import FILE` at random moments and checks that the
// database is sound and holds none or all of the file (import is one transaction), and
// that the next, uninterrupted run leaves every message stored exactly once.
func TestCrashImport(t *testing.T) {
	s := crashSettings(t)
	began := time.Now()
	dir := t.TempDir()
	env := childEnv(dir)
	file := filepath.Join(dir, "messages.jsonl")
	writeJSONL(t, file, importMessages, s.seed)
	f := figures{name: "import", messages: importMessages}

	// Measure whole imports (the faster of two, as the machine is shared), and check one.
	db := filepath.Join(dir, "measure.db")
	for i := range 2 {
		t0 := time.Now()
		runTriage(t, env, "import", file, "--db", db)
		if d := time.Since(t0); i == 0 || d < f.measured {
			f.measured = d
		}
		if st := readState(t, db); st.problem != "" || st.count != importMessages || len(st.dups) > 0 {
			t.Fatalf("uninterrupted import: integrity %q, %d of %d messages, duplicates %v", st.problem, st.count, importMessages, st.dups)
		}
		removeDB(db)
	}

	r := s.rng(0x696d706f7274)
	span := f.measured
	for run := range s.runs {
		db := filepath.Join(dir, "run.db")
		kills := 1 + r.IntN(2)
		for k := range kills {
			d := delay(r, span)
			if k == 1 {
				// The second kill of a run aims at the last third of an import: the index
				// rebuild and commit at the end of a bulk load, which uniform kills
				// reach only now and then.
				d = span*2/3 + delay(r, span/3)
			}
			f.maxDelay = max(f.maxDelay, d)
			p := start(t, env, "import", file, "--db", db)
			time.Sleep(d)
			if p.kill() {
				f.kills++
			} else {
				f.survived++
			}
			st := readState(t, db)
			if st.problem != "" {
				t.Fatalf("run %d kill %d after %s: integrity_check: %s", run, k, d, st.problem)
			}
			if st.count != 0 && st.count != importMessages {
				t.Fatalf("run %d kill %d after %s: %d messages stored; an import is all or nothing (0 or %d)", run, k, d, st.count, importMessages)
			}
			if len(st.dups) > 0 {
				t.Fatalf("run %d kill %d after %s: duplicates %v", run, k, d, st.dups)
			}
		}
		runTriage(t, env, "import", file, "--db", db)
		st := readState(t, db)
		if st.problem != "" || st.count != importMessages || len(st.dups) > 0 {
			t.Fatalf("run %d, after the finishing import: integrity %q, %d of %d messages, duplicates %v",
				run, st.problem, st.count, importMessages, st.dups)
		}
		removeDB(db)
		f.runs++
	}
	f.total = time.Since(began)
	f.log(t)
}

// writeJSONL writes n synthetic messages to path in the import format.
func writeJSONL(t *testing.T, path string, n int, seed uint64) {
	t.Helper()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	synth.Messages(n, seed, synthEnd, func(m inbox.Message) {
		if err == nil {
			err = enc.Encode(m)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
