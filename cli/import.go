package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/triage-inbox/triage/adapters/email"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/termsafe"
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
	if *skip && !*dryRun {
		im.rejects = &rejectsFile{first: sources.firstJSONL(), now: e.clock()}
	}
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
		if im.invalid > 0 && !*skip {
			return errInvalidInput
		}
		// The rejected lines are on disk before anything is committed: if they cannot
		// be written, nothing is imported, and nothing is lost.
		if err := im.rejects.close(); err != nil {
			return err
		}
		prog.saving()
		return nil
	})
	prog.clear()
	im.report(e.stderr)
	var re *rejectsError
	if errors.As(err, &re) {
		im.rejects.remove()
		return &exitError{1, err}
	}
	if err != nil && im.rejects.remove() {
		err = fmt.Errorf("%w; nothing was imported, and the file of rejected lines was removed", err)
	}
	if errors.Is(err, errInvalidInput) {
		return &exitError{1, fmt.Errorf("%d invalid %s; nothing was imported (fix them, or use --skip-invalid)", im.invalid, im.noun())}
	}
	if err != nil {
		return err
	}

	verb := "imported"
	if *dryRun {
		verb = "dry run, nothing written; would import"
	}
	fmt.Fprintf(e.stdout, "%s: %d new, %d already present, %d rejected", verb, counts.New, counts.Present, im.invalid)
	if len(im.skipped) > 0 {
		fmt.Fprintf(e.stdout, ", %d skipped", len(im.skipped))
	}
	fmt.Fprintln(e.stdout)
	if path := im.rejects.written(); path != "" {
		fmt.Fprintf(e.stdout, "rejected lines written to %s\n", termsafe.Safe(path))
	}
	if len(im.mailFiles) > 0 {
		fmt.Fprintln(e.stdout, "rejected mail files, left where they are:")
		for _, f := range im.mailFiles {
			fmt.Fprintf(e.stdout, "  %s\n", termsafe.Safe(f))
		}
	}
	return nil
}

// importer adds prepared messages to the batch of an import and deals with the invalid
// ones: counted, the first few kept to be shown, the lines streamed to the rejects file,
// never all held in memory. Once one is invalid and --skip-invalid is off, the rest are
// only checked, since nothing will land.
type importer struct {
	b         *inbox.Batch
	skip      bool
	progress  *importProgress // nil when standard error is not a terminal
	rejects   *rejectsFile    // nil unless --skip-invalid without --dry-run
	invalid   int             // invalid lines and mail files
	lines     int             // of which lines of JSON Lines
	shown     []*inbox.LineError
	mailFiles []string           // rejected mail files, listed with --skip-invalid
	skipped   []*inbox.LineError // files of a Maildir not read (a FIFO, a link out)
}

// add is the hand-over for the messages of one source (a file, or a Maildir folder).
func (im *importer) add(label string) func(inbox.PreparedLine) error {
	return func(pl inbox.PreparedLine) error {
		im.progress.message()
		if pl.Err != nil {
			return im.reject(pl.Err)
		}
		if im.invalid > 0 && !im.skip {
			return nil
		}
		if _, err := im.b.AddPrepared(pl.Msg); err != nil {
			var fe *inbox.FieldError
			if errors.As(err, &fe) {
				return im.reject(&inbox.LineError{File: label, Line: pl.Line, Err: err})
			}
			return fmt.Errorf("%s:%d: %w", label, pl.Line, err)
		}
		return nil
	}
}

// reject deals with one invalid input: a file of a Maildir skipped, a mail file listed,
// a line written to the rejects file; the first maxShownErrors are kept to be shown.
func (im *importer) reject(le *inbox.LineError) error {
	var skip *email.SkipError
	if errors.As(le.Err, &skip) {
		im.skipped = append(im.skipped, le)
		return nil
	}
	im.invalid++
	if le.Line == 0 {
		if im.skip {
			im.mailFiles = append(im.mailFiles, le.File)
		}
	} else {
		im.lines++
		if err := im.rejects.write(le.Raw); err != nil {
			return err
		}
	}
	if len(im.shown) < maxShownErrors {
		le.Raw = nil
		im.shown = append(im.shown, le)
	}
	return nil
}

// report prints the invalid inputs kept to be shown, and the files skipped, on w. What a
// file said goes through the terminal sanitizer: a header line of a mail may carry escape
// sequences that set the clipboard or the window title.
func (im *importer) report(w io.Writer) {
	for _, le := range im.skipped {
		fmt.Fprintln(w, termsafe.Safe(rejectText(le)))
	}
	for _, le := range im.shown {
		fmt.Fprintln(w, termsafe.Safe(rejectText(le)))
	}
	if im.invalid > len(im.shown) {
		fmt.Fprintf(w, "… and %d more invalid %s\n", im.invalid-len(im.shown), im.noun())
	}
}

// noun names what was invalid: lines, mail files, or both.
func (im *importer) noun() string {
	switch {
	case im.lines == im.invalid:
		return "lines"
	case im.lines == 0:
		return "mail files"
	}
	return "lines or mail files"
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
