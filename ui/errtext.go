package ui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// This file turns an error into lines a person can read in a box of a given size. Store
// errors read "commit to PATH: CAUSE": cut at a dialog's width they showed the path and
// never the cause, so an error is wrapped over the rows there are and, when even that is
// too little, written cause first, so that it is the path that is cut and not the reason.

// wrapBreaks are where a line may break besides spaces and hyphens: paths break at '/'.
const wrapBreaks = "/"

// wrapLines wraps text (one line, already made safe) to w cells in at most rows lines;
// when it needs more, the last line shown is cut with "…".
func wrapLines(text string, w, rows int) []string {
	w, rows = max(w, 1), max(rows, 1)
	lines := strings.Split(ansi.Wrap(text, w, wrapBreaks), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if len(lines) <= rows {
		return lines
	}
	lines = lines[:rows]
	// Cut the last line so the "…" shows that text follows.
	lines[rows-1] = ansi.Truncate(lines[rows-1]+" …", w, "…")
	return lines
}

// wrappedRows is how many lines text takes wrapped to w cells.
func wrappedRows(text string, w int) int {
	return strings.Count(ansi.Wrap(text, max(w, 1), wrapBreaks), "\n") + 1
}

// errorLines is err as a person reads it in at most rows lines of w cells: its whole
// text wrapped when that fits, else its cause first ("database or disk is full — commit
// to /…/triage.db") so that what is cut is where it happened, not what happened. The
// text is made safe: an error can quote a name, a path or a server's answer.
func errorLines(err error, w, rows int) []string {
	text := Safe(err.Error())
	if wrappedRows(text, w) <= rows {
		return wrapLines(text, w, rows)
	}
	return wrapLines(Safe(causeFirst(err)), w, rows)
}

// causeFirst writes an error "doing A: doing B: CAUSE", wrapped with %w, as
// "CAUSE — doing A: doing B". An error that is not so wrapped is returned as it reads.
func causeFirst(err error) string {
	text := err.Error()
	inner := err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	cause := inner.Error()
	where, ok := strings.CutSuffix(text, ": "+cause)
	if !ok || cause == "" || where == "" {
		return text
	}
	return cause + " — " + where
}
