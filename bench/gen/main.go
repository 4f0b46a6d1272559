// Command gen writes a deterministic synthetic inbox (adapters/synth) as JSON Lines for
// `triage import` and, optionally, as a Maildir for mail readers: the same seed and size
// give the same bytes.
//
//	go run ./bench/gen -n 100000 -seed 1 -jsonl out.jsonl [-maildir DIR]
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/triage-inbox/triage/adapters/synth"
	"github.com/triage-inbox/triage/inbox"
)

// end is the fixed "now" of the generated data, the same as internal/benchdb's.
var end = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	n := fs.Int("n", 100_000, "how many messages")
	seed := fs.Uint64("seed", 1, "generator seed")
	jsonlPath := fs.String("jsonl", "", "write JSON Lines to this `file` (- for standard output)")
	maildir := fs.String("maildir", "", "also write every message as an email into this Maildir `dir`")
	endFlag := fs.String("end", end.Format(time.RFC3339), "the newest message's latest time (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *jsonlPath == "" && *maildir == "" {
		return errors.New("name -jsonl FILE, -maildir DIR or both")
	}
	t, err := time.Parse(time.RFC3339, *endFlag)
	if err != nil {
		return fmt.Errorf("-end: %w", err)
	}

	var enc *json.Encoder
	var bw *bufio.Writer
	var closeOut func() error
	if *jsonlPath != "" {
		out := stdout
		closeOut = func() error { return nil }
		if *jsonlPath != "-" {
			f, err := os.Create(*jsonlPath)
			if err != nil {
				return fmt.Errorf("create %s: %w", *jsonlPath, err)
			}
			out, closeOut = f, f.Close
		}
		bw = bufio.NewWriterSize(out, 1<<20)
		enc = json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
	}
	var md *synth.Maildir
	if *maildir != "" {
		if md, err = synth.NewMaildir(*maildir); err != nil {
			return err
		}
	}
	synth.Messages(*n, *seed, t, func(m inbox.Message) {
		if err != nil {
			return
		}
		if enc != nil {
			if err = enc.Encode(m); err != nil {
				err = fmt.Errorf("write %s: %w", *jsonlPath, err)
				return
			}
		}
		if md != nil {
			err = md.Write(m)
		}
	})
	if enc != nil {
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("write %s: %w", *jsonlPath, ferr)
		}
		if cerr := closeOut(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", *jsonlPath, cerr)
		}
	}
	return err
}
