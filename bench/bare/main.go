// Command bare is the baseline for `triage import`: it reads the same JSON Lines with the
// same parser and inserts every message as one row of one plain table (no index beyond
// the rowid, no FTS, no rules) with the same driver (modernc.org/sqlite) and the same
// pragmas as store.Open, in batched transactions, then prints messages per second.
// It talks to the driver directly on purpose: it measures what the driver alone costs.
//
//	go run ./bench/bare -db bare.db [-batch 10000] FILE.jsonl
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

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run() error {
	dbPath := flag.String("db", "bare.db", "database `path` (must not exist)")
	batch := flag.Int("batch", 10_000, "rows per transaction")
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

	var tx *sql.Tx
	var stmt *sql.Stmt
	n, inTx := 0, 0
	commit := func() error {
		if tx == nil {
			return nil
		}
		stmt.Close()
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
	fmt.Printf("bare insert: %d messages in %.3f s, %.0f msgs/s\n", n, secs, float64(n)/secs)
	return nil
}
