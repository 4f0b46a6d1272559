// Command bare is the baseline for `triage import`: it reads the same JSON Lines with the
// same parser and inserts every message as one row of one plain table (no index beyond
// the rowid, no FTS, no rules) with the same driver (modernc.org/sqlite) and the same
// pragmas as store.Open, in batched transactions, then prints messages per second.
// It talks to the driver directly on purpose: it measures what the driver alone costs.
// With -fts it also indexes each message's text and author in an FTS5 table like
// triage's (each transaction's rows in one run, rowids rising): the least any import
// with full-text search can cost on this driver.
//
//	go run ./bench/bare -db bare.db [-batch 10000] [-fts] FILE.jsonl
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/triage-inbox/triage/inbox"
	_ "modernc.org/sqlite"
)

const schema = `CREATE TABLE messages (
	channel TEXT NOT NULL, account TEXT NOT NULL, ext_id TEXT NOT NULL, conversation TEXT NOT NULL,
	kind TEXT NOT NULL, direction TEXT NOT NULL, author_id TEXT, author_handle TEXT, author_name TEXT,
	agent TEXT, text TEXT NOT NULL, subject TEXT, url TEXT, in_reply_to TEXT, created_at INTEGER NOT NULL)`

const insert = `INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

// ftsSchema is triage's full-text table (store/migrations/0001_init.sql).
const ftsSchema = `CREATE VIRTUAL TABLE messages_fts USING fts5 (
    text, author, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')`

type ftsRow struct {
	id           int64
	text, author string
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run() error {
	dbPath := flag.String("db", "bare.db", "database `path` (must not exist)")
	batch := flag.Int("batch", 10_000, "rows per transaction")
	fts := flag.Bool("fts", false, "index text and author in an FTS5 table as well")
	flag.Parse()
	if flag.NArg() != 1 {
		return fmt.Errorf("name one JSON Lines file")
	}
	if _, err := os.Stat(*dbPath); err == nil {
		return fmt.Errorf("%s exists; give a new path", *dbPath)
	}
	start := time.Now()
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)",
		"cache_size(-32000)", "mmap_size(268435456)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+*dbPath+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	if *fts {
		if _, err := db.ExecContext(ctx, ftsSchema); err != nil {
			return fmt.Errorf("create full-text table: %w", err)
		}
	}
	var text []ftsRow

	var tx *sql.Tx
	var stmt *sql.Stmt
	n, inTx := 0, 0
	commit := func() error {
		if tx == nil {
			return nil
		}
		stmt.Close()
		for _, r := range text {
			if _, err := tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, text, author) VALUES (?, ?, ?)`, r.id, r.text, r.author); err != nil {
				return fmt.Errorf("index text: %w", err)
			}
		}
		text = text[:0]
		err := tx.Commit()
		tx, inTx = nil, 0
		return err
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	err = inbox.ReadJSONL(f, flag.Arg(0), func(line int, m inbox.Message, lerr *inbox.LineError) error {
		if lerr != nil {
			return lerr
		}
		if tx == nil {
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				return err
			}
			if stmt, err = tx.PrepareContext(ctx, insert); err != nil {
				return err
			}
		}
		var a inbox.Author
		if m.Author != nil {
			a = *m.Author
		}
		if _, err := stmt.ExecContext(ctx, m.Channel, m.Account, m.ID, m.Conversation, string(m.Kind), string(m.Direction),
			a.ID, a.Handle, a.Name, m.Agent, m.Text, m.Subject, m.URL, m.InReplyTo, m.CreatedAt.UnixMilli()); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		n++
		if *fts {
			text = append(text, ftsRow{int64(n), m.Text, a.Name + " " + a.Handle})
		}
		if inTx++; inTx >= *batch {
			return commit()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	what := "bare insert"
	if *fts {
		what = "bare insert with full text"
	}
	fmt.Printf("%s: %d messages in %.3f s, %.0f msgs/s\n", what, n, secs, float64(n)/secs)
	return nil
}
