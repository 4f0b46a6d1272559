package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// errInvalidInput makes the import transaction roll back when a line is invalid.
var errInvalidInput = errors.New("invalid input")

// maxShownErrors bounds how many invalid lines are printed; the count is always given.
const maxShownErrors = 50

// importCmd is `triage import [--dry-run] [--skip-invalid] FILE...`: JSON Lines in, all or
// nothing unless --skip-invalid, in one transaction.
func (e *cliEnv) importCmd(ctx context.Context, args []string) error {
	fs := e.flags("import")
	dryRun := fs.Bool("dry-run", false, "check and count, write nothing")
	skip := fs.Bool("skip-invalid", false, "import the valid lines and write the rejected ones to a file")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return &exitError{2, errors.New("import: name at least one JSON Lines file (- for standard input)")}
	}
	svc, closeDB, err := e.openInbox(ctx)
	if err != nil {
		return err
	}
	defer closeDB()

	var invalid []*inbox.LineError
	counts, err := svc.Ingest(ctx, *dryRun, func(b *inbox.Batch) error {
		if err := b.BulkLoad(); err != nil {
			return err
		}
		for _, name := range files {
			if err := e.importFile(ctx, svc, b, name, *skip, &invalid); err != nil {
				return err
			}
		}
		if len(invalid) > 0 && !*skip {
			return errInvalidInput
		}
		return nil
	})
	shown := min(len(invalid), maxShownErrors)
	for _, le := range invalid[:shown] {
		fmt.Fprintln(e.stderr, le.Error())
	}
	if len(invalid) > shown {
		fmt.Fprintf(e.stderr, "… and %d more invalid lines\n", len(invalid)-shown)
	}
	if errors.Is(err, errInvalidInput) {
		return &exitError{1, fmt.Errorf("%d invalid lines; nothing was imported (fix them, or use --skip-invalid)", len(invalid))}
	}
	if err != nil {
		return err
	}

	rejected := ""
	if len(invalid) > 0 && !*dryRun {
		if rejected, err = writeRejected(files[0], invalid, e.clock()); err != nil {
			return err
		}
	}
	verb := "imported"
	if *dryRun {
		verb = "dry run, nothing written; would import"
	}
	fmt.Fprintf(e.stdout, "%s: %d new, %d already present, %d rejected\n", verb, counts.New, counts.Present, len(invalid))
	if rejected != "" {
		fmt.Fprintf(e.stdout, "rejected lines written to %s\n", rejected)
	}
	return nil
}

// importFile reads one file into the batch, collecting invalid lines. Once a line is
// invalid and --skip-invalid is off, the rest is only checked, since nothing will land.
func (e *cliEnv) importFile(ctx context.Context, svc *inbox.Service, b *inbox.Batch, name string, skip bool, invalid *[]*inbox.LineError) error {
	var r io.Reader = e.stdin
	label := "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r, label = f, name
	}
	return svc.PrepareJSONL(ctx, r, label, func(pl inbox.PreparedLine) error {
		if pl.Err != nil {
			*invalid = append(*invalid, pl.Err)
			return nil
		}
		if len(*invalid) > 0 && !skip {
			return nil
		}
		if _, err := b.AddPrepared(pl.Msg); err != nil {
			var fe *inbox.FieldError
			if errors.As(err, &fe) {
				*invalid = append(*invalid, &inbox.LineError{File: label, Line: pl.Line, Err: err})
				return nil
			}
			return fmt.Errorf("%s:%d: %w", label, pl.Line, err)
		}
		return nil
	})
}

// writeRejected saves the rejected lines, untouched, beside the first input (or in the
// current folder for standard input) so they can be fixed and imported again.
func writeRejected(first string, invalid []*inbox.LineError, now time.Time) (string, error) {
	dir, base := ".", "stdin"
	if first != "-" {
		dir, base = filepath.Dir(first), filepath.Base(first)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s.rejected-%s.jsonl", base, now.UTC().Format("20060102T150405")))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("write rejected lines: %w", err)
	}
	for _, le := range invalid {
		if _, err := f.Write(append(le.Raw, '\n')); err != nil {
			f.Close()
			return "", fmt.Errorf("write rejected lines to %s: %w", path, err)
		}
	}
	return path, f.Close()
}
