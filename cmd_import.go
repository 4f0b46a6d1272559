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

const importUsage = `usage: triage import [--dry-run] [--skip-invalid] [--address ADDR]... FILE|MAILDIR...

Imports JSON Lines files ("-" for standard input) and Maildir folders (a folder with
cur/ or new/ in it), all in one transaction: if anything is invalid nothing is imported,
unless --skip-invalid. Mail From an --address is the brand's reply; without --address,
the addresses of the email [[account]]s in config are.

`

// importCmd is `triage import [--dry-run] [--skip-invalid] [--address ADDR]... FILE|MAILDIR...`:
// JSON Lines files and Maildir folders in, all or nothing unless --skip-invalid, in one
// transaction.
func (e *cliEnv) importCmd(ctx context.Context, args []string) error {
	fs := e.flags("import")
	dryRun := fs.Bool("dry-run", false, "check and count, write nothing")
	skip := fs.Bool("skip-invalid", false, "import the valid messages; write rejected lines to a file and list rejected mail files")
	var addresses addressList
	fs.Var(&addresses, "address", "mail From this `address` in a Maildir is the brand's reply; repeat it or separate with commas\n(default: the address of every email [[account]] in config; the first names the account)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage)
		fs.PrintDefaults()
	}
	files, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return &exitError{2, errors.New("import: name at least one JSON Lines file (- for standard input) or Maildir folder")}
	}
	sources, err := importSources(files)
	if err != nil {
		return err
	}
	svc, closeDB, err := e.openInbox(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := sources.resolveAddresses(svc.Config(), addresses); err != nil {
		return err
	}

	prog := newImportProgress(e.stderr, e.stderrTerminal(), e.clock, sources, e.stdin)
	im := &importer{skip: *skip, progress: prog}
	counts, err := svc.Ingest(ctx, *dryRun, func(b *inbox.Batch) error {
		if err := b.BulkLoad(); err != nil {
			return err
		}
		im.b = b
		for _, src := range sources {
			var err error
			if src.maildir {
				err = im.maildir(ctx, svc, src)
			} else {
				err = e.importFile(ctx, svc, im, src.name)
			}
			if err != nil {
				return err
			}
		}
		if len(im.invalid) > 0 && !*skip {
			return errInvalidInput
		}
		prog.saving()
		return nil
	})
	prog.clear()
	shown := min(len(im.invalid), maxShownErrors)
	for _, le := range im.invalid[:shown] {
		fmt.Fprintln(e.stderr, rejectText(le))
	}
	what := invalidNoun(im.invalid)
	if len(im.invalid) > shown {
		fmt.Fprintf(e.stderr, "… and %d more invalid %s\n", len(im.invalid)-shown, what)
	}
	if errors.Is(err, errInvalidInput) {
		return &exitError{1, fmt.Errorf("%d invalid %s; nothing was imported (fix them, or use --skip-invalid)", len(im.invalid), what)}
	}
	if err != nil {
		return err
	}

	lines, mailFiles := splitRejects(im.invalid)
	rejected := ""
	if len(lines) > 0 && !*dryRun {
		if rejected, err = writeRejected(sources.firstJSONL(), lines, e.clock()); err != nil {
			return err
		}
	}
	verb := "imported"
	if *dryRun {
		verb = "dry run, nothing written; would import"
	}
	fmt.Fprintf(e.stdout, "%s: %d new, %d already present, %d rejected\n", verb, counts.New, counts.Present, len(im.invalid))
	if rejected != "" {
		fmt.Fprintf(e.stdout, "rejected lines written to %s\n", rejected)
	}
	if len(mailFiles) > 0 {
		fmt.Fprintln(e.stdout, "rejected mail files, left where they are:")
		for _, le := range mailFiles {
			fmt.Fprintf(e.stdout, "  %s\n", le.File)
		}
	}
	return nil
}

// importer adds prepared messages to the batch of an import and collects the invalid
// ones. Once one is invalid and --skip-invalid is off, the rest are only checked, since
// nothing will land.
type importer struct {
	b        *inbox.Batch
	skip     bool
	invalid  []*inbox.LineError
	progress *importProgress // nil when standard error is not a terminal
}

// add is the hand-over for the messages of one source (a file, or a Maildir folder).
func (im *importer) add(label string) func(inbox.PreparedLine) error {
	return func(pl inbox.PreparedLine) error {
		im.progress.message()
		if pl.Err != nil {
			im.invalid = append(im.invalid, pl.Err)
			return nil
		}
		if len(im.invalid) > 0 && !im.skip {
			return nil
		}
		if _, err := im.b.AddPrepared(pl.Msg); err != nil {
			var fe *inbox.FieldError
			if errors.As(err, &fe) {
				im.invalid = append(im.invalid, &inbox.LineError{File: label, Line: pl.Line, Err: err})
				return nil
			}
			return fmt.Errorf("%s:%d: %w", label, pl.Line, err)
		}
		return nil
	}
}

// importFile reads one JSON Lines file (or standard input) into the batch.
func (e *cliEnv) importFile(ctx context.Context, svc *inbox.Service, im *importer, name string) error {
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
	defer im.progress.done()
	return svc.PrepareJSONL(ctx, im.progress.reader(r), label, im.add(label))
}

// rejectText is how an invalid input is reported: FILE:LINE: problem for a line of JSON
// Lines, FILE: problem for a mail file (Line 0).
func rejectText(le *inbox.LineError) string {
	if le.Line == 0 {
		return fmt.Sprintf("%s: %v", le.File, le.Err)
	}
	return le.Error()
}

// splitRejects separates rejected JSON Lines lines, which are written out to be fixed,
// from rejected mail files, which are listed.
func splitRejects(invalid []*inbox.LineError) (lines, mailFiles []*inbox.LineError) {
	for _, le := range invalid {
		if le.Line == 0 {
			mailFiles = append(mailFiles, le)
		} else {
			lines = append(lines, le)
		}
	}
	return lines, mailFiles
}

// invalidNoun names what was invalid: lines, mail files, or both.
func invalidNoun(invalid []*inbox.LineError) string {
	lines, mailFiles := splitRejects(invalid)
	switch {
	case len(mailFiles) == 0:
		return "lines"
	case len(lines) == 0:
		return "mail files"
	}
	return "lines or mail files"
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
