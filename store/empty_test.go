package store

import (
	"context"
	"testing"
)

// Empty takes every row of triage's tables and nothing of another program's in the same
// database; the schema stays, and ids start again from 1.
func TestEmptyKeepsOtherTablesAndTheSchema(t *testing.T) {
	ctx := context.Background()
	db := openOn(t, onPostgres)
	must(t, db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: "1", ConvKey: "post:1", Kind: "mention",
			Direction: "in", AuthorID: "u1", Text: "hello", CreatedAt: 1000, Priority: 1, Tags: []string{"vip"}})
		return err
	}))
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE other_app (note text); INSERT INTO other_app VALUES ('keep me')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Empty(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"messages", "conversations", "contacts", "tags", "accounts", "messages_fts"} {
		var n int
		if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s holds %d rows after Empty (%v)", table, n, err)
		}
	}
	var note string
	if err := db.sql.QueryRowContext(ctx, `SELECT note FROM other_app`).Scan(&note); err != nil || note != "keep me" {
		t.Errorf("another program's table: %q, %v", note, err)
	}
	if v, err := db.d.schemaVersion(ctx, db.sql); err != nil || v != SchemaVersion() {
		t.Errorf("schema version after Empty = %d, %v", v, err)
	}
	var in Ingested
	must(t, db.Tx(ctx, func(tx *Tx) (err error) {
		in, err = tx.Ingest(ctx, NewMessage{Channel: "x", Account: "@acme", ExtID: "1", ConvKey: "post:1", Kind: "mention",
			Direction: "in", AuthorID: "u1", Text: "hello again", CreatedAt: 2000, Priority: 1})
		return err
	}))
	if !in.New || in.ConversationID != 1 || in.MessageID != 1 {
		t.Errorf("after Empty the same message is stored as %+v, want new, conversation 1, message 1", in)
	}
}
