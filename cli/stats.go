package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"charm.land/lipgloss/v2"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/ui"
)

// stats is `triage stats [--since 7d|RFC3339] [--until …] [--query …] [--by …] [--json]`.
func (e *cliEnv) stats(ctx context.Context, args []string) error {
	fs := e.flags("stats")
	since := fs.String("since", "7d", "window start: a span back from now (7d, 24h), RFC 3339 or a date")
	until := fs.String("until", "", "window end (default now)")
	query := fs.String("query", "", "only inbound messages matching this query")
	by := fs.String("by", "", "group by channel, day, tag, agent or kind")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &exitError{2, fmt.Errorf("stats takes no arguments, got %q", rest[0])}
	}
	now := e.clock()
	req := inbox.StatsRequest{Query: *query, By: *by, Until: now}
	if req.Since, err = parseTime("since", *since, now); err != nil {
		return err
	}
	if *until != "" {
		if req.Until, err = parseTime("until", *until, now); err != nil {
			return err
		}
	}
	if !req.Since.Before(req.Until) {
		return &exitError{2, fmt.Errorf("--since %s is not before --until %s", req.Since.Format("2006-01-02T15:04:05Z07:00"), req.Until.Format("2006-01-02T15:04:05Z07:00"))}
	}
	if *by != "" && !isGroupKey(*by) {
		return &exitError{2, fmt.Errorf("--by %q: want channel, day, tag, agent or kind", *by)}
	}
	if _, err := inbox.ParseQuery(*query); err != nil { // a mistake in the command, whatever the database
		return &exitError{2, fmt.Errorf("--query: %w", err)}
	}
	svc, closeDB, err := e.openExisting(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	st, err := svc.Stats(ctx, req)
	var qe *inbox.QueryError
	if errors.As(err, &qe) {
		return &exitError{2, fmt.Errorf("--query: %w", err)}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		return enc.Encode(st)
	}
	_, err = lipgloss.Fprint(e.stdout, ui.StatsTable(st, *by))
	return err
}

func isGroupKey(k string) bool {
	for _, g := range inbox.GroupKeys {
		if g == k {
			return true
		}
	}
	return false
}
