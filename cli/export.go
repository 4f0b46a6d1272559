package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// export is `triage export [--since …] [--until …] [--query …] [--format jsonl|csv]`.
func (e *cliEnv) export(ctx context.Context, args []string) error {
	fs := e.flags("export")
	since := fs.String("since", "", "only messages from this time: a span back (30d), RFC 3339 or a date")
	until := fs.String("until", "", "only messages before this time")
	query := fs.String("query", "", "only messages matching this query")
	format := fs.String("format", "jsonl", "jsonl or csv")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("export takes no arguments, got %q", rest[0])}
	}
	if *format != "jsonl" && *format != "csv" {
		return &exitError{2, fmt.Errorf("--format %q: want jsonl or csv", *format)}
	}
	req := inbox.ExportRequest{Query: *query}
	now := e.clock()
	if *since != "" {
		if req.Since, err = parseTime("since", *since, now); err != nil {
			return err
		}
	}
	if *until != "" {
		if req.Until, err = parseTime("until", *until, now); err != nil {
			return err
		}
	}
	if _, err := inbox.ParseQuery(*query); err != nil { // a mistake in the command, whatever the database
		return &exitError{2, fmt.Errorf("--query: %w", err)}
	}
	svc, closeDB, err := e.openExisting(ctx)
	if err != nil {
		return err
	}
	defer closeDB()

	w := bufio.NewWriterSize(e.stdout, 1<<16)
	var write func(inbox.ExportRecord) error
	if *format == "jsonl" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		write = func(r inbox.ExportRecord) error { return enc.Encode(r) }
	} else {
		cw := csv.NewWriter(w)
		defer cw.Flush()
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
		write = func(r inbox.ExportRecord) error { return cw.Write(csvRow(r)) }
	}
	err = svc.Export(ctx, req, write)
	var qe *inbox.QueryError
	if errors.As(err, &qe) {
		return &exitError{2, fmt.Errorf("--query: %w", err)}
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

var csvHeader = []string{"channel", "account", "id", "conversation", "kind", "direction", "author_id", "author_handle",
	"author_name", "text", "created_at", "in_reply_to", "url", "agent", "state", "tags", "escalation_reason", "escalation_status"}

func csvRow(r inbox.ExportRecord) []string {
	var a inbox.Author
	if r.Author != nil {
		a = *r.Author
	}
	var er, es string
	if r.Escalation != nil {
		er, es = r.Escalation.Reason, r.Escalation.Status
	}
	row := []string{r.Channel, r.Account, r.ID, r.Conversation, string(r.Kind), string(r.Direction), a.ID, a.Handle, a.Name,
		r.Text, r.CreatedAt.Format(time.RFC3339Nano), r.InReplyTo, r.URL, r.Agent, string(r.State), strings.Join(r.Tags, ";"), er, es}
	for i, cell := range row {
		row[i] = csvCell(cell)
	}
	return row
}

// csvCell makes text from outside safe in a spreadsheet: control characters other than
// tab and line breaks become U+FFFD (an ESC or a NUL has no place in a cell), and a cell
// that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a CR)
// gets the usual leading ' so it is shown as text. The JSON Lines export stays exact.
func csvCell(s string) string {
	if strings.IndexFunc(s, isCSVControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isCSVControl(r) {
				return '\uFFFD'
			}
			return r
		}, s)
	}
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		s = "'" + s
	}
	return s
}

func isCSVControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}
