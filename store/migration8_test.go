package store

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A database at version 7 has its full-text rows keyed by message id. Migration 8 keys
// them by conversation and message, with the same author words, and a search through
// the migrated index finds what it found before: by a word of the text, by the
// contact's name or handle, by the agent who replied.
func TestSQLiteMigration8KeysFullTextByConversation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	old := openAtVersion(t, path, 7)
	for _, q := range []string{
		`INSERT INTO accounts (id, channel, handle) VALUES (1, 'x', '@acme')`,
		`INSERT INTO contacts (id, channel, ext_id, handle, name) VALUES (1, 'x', 'u1', '@ana', 'Ana Lima'), (2, 'x', 'u2', '@bo', '')`,
		`INSERT INTO conversations (id, account_id, ext_key, channel, kind, since_at, last_at, created_at)
			VALUES (7, 1, 'post:1', 'x', 'comment', 1000, 2000, 1000), (9, 1, 'post:2', 'x', 'comment', 1500, 1500, 1500)`,
		`INSERT INTO messages (id, conversation_id, account_id, channel, ext_id, kind, direction, contact_id, agent, text, created_at)
			VALUES (10, 7, 1, 'x', 'a', 'comment', 'in', 1, '', 'I want a refund', 1000),
			(11, 7, 1, 'x', 'triage:k1', 'comment', 'out', NULL, 'sam', 'Sorry to hear that', 2000),
			(12, 9, 1, 'x', 'b', 'comment', 'in', 2, '', 'Where is my parcel?', 1500)`,
		`INSERT INTO messages_fts (rowid, text, author) VALUES (10, 'I want a refund', 'Ana Lima @ana'),
			(11, 'Sorry to hear that', 'sam'), (12, 'Where is my parcel?', '@bo')`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for match, want := range map[string][][2]int64{
		"refund":          {{7, 10}},
		"ana":             {{7, 10}},
		"lima":            {{7, 10}},
		"sam":             {{7, 11}},
		"bo":              {{9, 12}},
		"parcel":          {{9, 12}},
		"sorry OR parcel": {{7, 11}, {9, 12}},
	} {
		rows, err := db.sql.Query(`SELECT rowid >> 32, rowid & 4294967295 FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid`, match)
		if err != nil {
			t.Fatal(err)
		}
		var got [][2]int64
		for rows.Next() {
			var r [2]int64
			if err := rows.Scan(&r[0], &r[1]); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		rows.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q finds (conversation, message) %v, want %v", match, got, want)
		}
	}
	n, err := db.QueueCount(ctx, nil, Text{Query: "refund"}, Env{}, 0)
	if err != nil || n != 1 {
		t.Errorf("conversations with refund = %d, %v; want 1", n, err)
	}
	var idx int
	db.sql.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'msg_conv_of'`).Scan(&idx)
	if idx != 0 {
		t.Errorf("msg_conv_of still exists after migration 8")
	}
}

// Replying indexes the reply under its conversation, and withdrawing it takes it out of
// the index again.
func TestReplyTextKeyedByConversation(t *testing.T) { forEngines(t, testReplyTextKeyedByConversation) }

func testReplyTextKeyedByConversation(t *testing.T, e engine) {
	ctx := context.Background()
	db, err := Open(ctx, dsnOn(t, e))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var conv, id int64
	err = db.Tx(ctx, func(tx *Tx) error {
		in, err := tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: "1", ConvKey: "post:1", Kind: "comment",
			Direction: "in", AuthorHandle: "@ana", Text: "hello there", CreatedAt: 1000})
		if err != nil {
			return err
		}
		conv = in.ConversationID
		id, err = tx.AddReply(ctx, Reply{ConversationID: conv, Agent: "sam", Text: "We shipped your kettle", Key: "k1", At: 2000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var key int64
	kettle := db.d.ftsQuery([]textUnit{{s: "kettle"}})
	if err := db.sql.QueryRow(`SELECT rowid FROM messages_fts WHERE `+db.d.ftsMatch(), kettle).Scan(&key); err != nil {
		t.Fatalf("reply not found in the index: %v", err)
	}
	if key != conv<<32|id {
		t.Fatalf("reply indexed under %d, want conversation %d message %d (%d)", key, conv, id, conv<<32|id)
	}
	if err := db.Tx(ctx, func(tx *Tx) error { _, _, err := tx.WithdrawReply(ctx, id); return err }); err != nil {
		t.Fatal(err)
	}
	var n int
	db.sql.QueryRow(`SELECT count(*) FROM messages_fts WHERE `+db.d.ftsMatch(), kettle).Scan(&n)
	if n != 0 {
		t.Fatalf("withdrawn reply still found %d times", n)
	}
}

// An inbox whose first import lost the planner statistics of its indexes (a bulk load
// before they were kept) gets them back from migration 9; rows still there, such as
// ones ANALYZE measured, are left alone.
func TestSQLiteMigration9RestoresPlannerStats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "triage.db")
	old := openAtVersion(t, path, 8)
	for _, q := range []string{
		`DELETE FROM sqlite_stat1 WHERE idx <> 'conv_contact'`,
		`UPDATE sqlite_stat1 SET stat = '12 6' WHERE idx = 'conv_contact'`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := plannerStats(t, db)
	for _, want := range []string{
		"messages msg_created 1000000 500000 2 2 2 2 2 2 2 2 1 1",
		"messages msg_unanswered 30000 1 1",
		"conversations conv_queue_action 350000 175000 60000 2 1 1",
		"conversations conv_contact 12 6",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("planner statistics lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "conv_contact 350000") || strings.Contains(got, "msg_conv_of") {
		t.Errorf("migration 9 wrote a row it should not have:\n%s", got)
	}
}

// Opening a database an older triage wrote says so before migrating (some migrations
// take seconds at a million messages); a new or current database says nothing.
func TestSQLiteOpenSaysWhenUpgrading(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old := openAtVersion(t, filepath.Join(dir, "old.db"), 7)
	old.Close()
	var heard [][2]int
	o := Options{Upgrading: func(from, to int) { heard = append(heard, [2]int{from, to}) }}
	for _, name := range []string{"old.db", "old.db", "new.db"} {
		db, err := OpenWith(ctx, filepath.Join(dir, name), o)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	if want := [][2]int{{7, SchemaVersion()}}; !reflect.DeepEqual(heard, want) {
		t.Errorf("heard %v, want %v (once, for the old database)", heard, want)
	}
}
