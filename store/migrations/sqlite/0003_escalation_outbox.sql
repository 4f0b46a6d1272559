-- 0003: the outbox carries escalations to customer service as well as replies.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt: create, copy, drop, rename,
-- and recreate its index. Nothing references outbox, so dropping it is safe with foreign
-- keys on; the whole migration runs in one transaction.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply','escalation')),
    message_id      INTEGER UNIQUE REFERENCES messages (id),
    escalation_id   INTEGER UNIQUE REFERENCES escalations (id),
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending','sending','sent','failed','unknown','cancelled')),
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    remote_id       TEXT NOT NULL DEFAULT '',
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- Exactly one of the two is set, and kind says which.
    CHECK ((message_id IS NULL) <> (escalation_id IS NULL)),
    CHECK ((kind = 'reply') = (message_id IS NOT NULL))
) STRICT;

INSERT INTO outbox_new (id, kind, message_id, escalation_id, conversation_id, status, idempotency_key, attempts,
    last_error, remote_id, next_attempt_at, created_at, updated_at)
SELECT id, 'reply', message_id, NULL, conversation_id, status, idempotency_key, attempts,
    last_error, remote_id, next_attempt_at, created_at, updated_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

-- The sender's question: what of this kind is due? (kind, status) first serves both kinds.
CREATE INDEX outbox_due ON outbox (kind, status, next_attempt_at);
