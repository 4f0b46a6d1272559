// Package cli is triage's commands: the flags and subcommands, and the wiring of store,
// inbox, adapters and ui behind each. The triage command (main.go) only calls Main.
//
//	triage [--db PATH|URL] [--config PATH] [--demo]   open the inbox (or the demo inbox)
//	triage demo [--db PATH|URL] [--seed N] [--reset]  seed the demo inbox (afresh with --reset)
//	triage import [--dry-run] [--skip-invalid] [--address ADDR]... FILE|MAILDIR...
//	triage export [--since …] [--until …] [--query …] [--format jsonl|csv]
//	triage stats [--since 7d|RFC3339] [--until …] [--query …] [--by channel|day|tag|agent|kind] [--json]
//	triage sync [--once]
//	triage serve [--listen 127.0.0.1:8787]
//	triage team [--listen 127.0.0.1:2222] [--authorized-keys FILE] [--host-key FILE]
//	triage team --demo [--listen 127.0.0.1:2222]
//	triage --version
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/triage-inbox/triage/internal/termsafe"

	_ "time/tzdata" // business hours name IANA zones; ship them for systems without zoneinfo
)

// exitError carries an exit status with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Main runs triage with the arguments that follow the program's name, on the process's
// own standard streams, and returns the exit status: 0, 1 for a failure, 2 for a mistake
// in how triage was called. version is what a release build set (see main.go), or "".
func Main(version string, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	stopProfile := startProfile()
	err := runWith(ctx, &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, version: version}, args)
	stopProfile()
	stop()
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	// An error may quote what a file said: it is sanitized like any text from outside.
	fmt.Fprintln(os.Stderr, "triage:", termsafe.SafeText(err.Error()))
	return code
}

// runWith dispatches to a subcommand; everything it needs comes in env, so tests can run
// the real commands in-process.
func runWith(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "demo":
			return env.demo(ctx, args[1:])
		case "import":
			return env.importCmd(ctx, args[1:])
		case "export":
			return env.export(ctx, args[1:])
		case "stats":
			return env.stats(ctx, args[1:])
		case "sync":
			return env.syncCmd(ctx, args[1:])
		case "serve":
			return env.serve(ctx, args[1:])
		case "team":
			return env.teamCmd(ctx, args[1:])
		case "help":
			fmt.Fprint(env.stdout, usage)
			return nil
		case "version":
			return env.printVersion()
		}
	}
	return env.open(ctx, args)
}

const usage = `triage: a terminal unified inbox for community managers

usage:
  triage [--db PATH|URL] [--config PATH] [--demo] open the inbox
  triage demo [--db PATH|URL] [--seed N] [--reset]
                                                 seed the demo inbox once; --reset seeds it afresh
  triage import [--dry-run] [--skip-invalid] [--address ADDR]... FILE|MAILDIR...
                                                 import JSON Lines ("-" for standard input) and Maildirs
  triage export [--since …] [--until …] [--query …] [--format jsonl|csv]
  triage stats [--since 7d|RFC3339] [--until …] [--query …] [--by channel|day|tag|agent|kind] [--json]
  triage sync [--once]                            fetch every [[account]] and send replies
  triage serve [--listen 127.0.0.1:8787]          receive messages by signed webhook (POST /v1/messages)
  triage team [--listen 127.0.0.1:2222] [--authorized-keys FILE] [--host-key FILE]
                                                 serve the inbox to the team file's agents over SSH
  triage team --demo [--listen 127.0.0.1:2222]    try team mode alone: the demo inbox, your own SSH keys
  triage --version                                which triage this is
  triage COMMAND --help                           a command's flags

The database is $XDG_DATA_HOME/triage/triage.db unless --db or TRIAGE_DB says otherwise:
another SQLite file, or PostgreSQL as postgres://USER@HOST:5432/DB?sslmode=… (the password
from PGPASSWORD or ~/.pgpass, as for psql). Config is $XDG_CONFIG_HOME/triage/config.toml
unless --config or TRIAGE_CONFIG says otherwise.
`
