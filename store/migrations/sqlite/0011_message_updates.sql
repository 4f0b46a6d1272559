-- 0011: news from a channel about a message already delivered (see store/update.go).
-- An edit keeps every earlier text in message_versions (nothing a person wrote is lost:
-- the customer's first words may matter in a dispute) and puts the new one in
-- messages.text, which the full-text index follows. A removal or a hide keeps the message
-- and marks it. hidden_at orders hides and unhides that arrive out of order. All three
-- columns are NULL or 0 on every message older than this migration, so adding them
-- rewrites no row.
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN removed_at INTEGER;
ALTER TABLE messages ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN hidden_at INTEGER;

-- The texts a message had before its edits: written_at is when that text was written
-- (the message's own time for the first), so the original is the earliest row.
CREATE TABLE message_versions (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    written_at INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (message_id, written_at)
) STRICT, WITHOUT ROWID;

-- Updates for a message not stored yet (an edit delivered before the message, a status
-- before the reply's channel id is recorded): ingest applies them when the message
-- arrives, and they are forgotten after seven days. Keyed by the channel's names, so an
-- update for an account never seen creates no account. has_text/hidden -1 say "no such
-- part", so that UNIQUE, which treats NULLs as distinct, makes a repeated delivery one row.
CREATE TABLE pending_updates (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    account     TEXT NOT NULL,
    ext_id      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    has_text    INTEGER NOT NULL DEFAULT 0,
    text        TEXT NOT NULL DEFAULT '',
    removed     INTEGER NOT NULL DEFAULT 0,
    hidden      INTEGER NOT NULL DEFAULT -1,
    failed      TEXT NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    UNIQUE (channel, account, ext_id, at, has_text, text, removed, hidden, failed)
) STRICT;
CREATE INDEX pending_updates_received ON pending_updates (received_at);
