package store

import (
	"context"
	"path/filepath"
	"testing"
)

// A draft written before drafts had owners is kept by migration 13 with no agent: the
// first person to open the conversation reads it, and their next save keeps it as
// theirs, so nobody's words are lost in the upgrade.
func TestSQLiteMigration13KeepsDraftsWithoutOwner(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	old := openAtVersion(t, path, 12)
	for _, q := range []string{
		`INSERT INTO accounts (id, channel, handle) VALUES (1, 'mastodon', '@acme')`,
		`INSERT INTO conversations (id, account_id, ext_key, channel, kind, since_at, last_at, created_at)
			VALUES (7, 1, 'msg:100', 'mastodon', 'mention', 1000, 2000, 1000)`,
		`INSERT INTO drafts (conversation_id, body, updated_at) VALUES (7, 'Hi Ana, half written', 1500)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", firstLine(q), err)
		}
	}
	old.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Draft(ctx, 7, "maria"); err != nil || got != "Hi Ana, half written" {
		t.Fatalf("maria reads %q, %v; want the draft from before the upgrade", got, err)
	}
	if err := db.SaveDraft(ctx, 7, "maria", "Hi Ana, now whole", 2000); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Draft(ctx, 7, "dev"); got != "" {
		t.Errorf("dev reads %q: maria's draft is hers once she saved it", got)
	}
	if got, _ := db.Draft(ctx, 7, "maria"); got != "Hi Ana, now whole" {
		t.Errorf("maria reads %q", got)
	}
}
