-- 0010: replies that arrived before the message they answer. A message stored without a
-- conversation of its own whose in_reply_to names a message not stored yet starts a
-- conversation of its own and waits here; when the parent arrives, ingest moves the
-- orphan's conversation into the parent's (store/ingest_merge.go) and the row goes. Only
-- waiting orphans are kept, so the table stays small, and ingest asks it one indexed
-- question per message, or none while it is empty.
CREATE TABLE orphans (
    message_id    INTEGER PRIMARY KEY REFERENCES messages (id),
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    channel       TEXT NOT NULL,
    parent_ext_id TEXT NOT NULL
) STRICT;
CREATE INDEX orphans_parent ON orphans (account_id, channel, parent_ext_id);
