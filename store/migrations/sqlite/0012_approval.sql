-- 0012: replies that wait for a lead. A reply by an agent whose replies need approval is
-- written as 'awaiting_approval': in the conversation, not sent, not an answer. A lead
-- approves it (it becomes 'pending' and leaves like any reply) or sends it back
-- ('returned', with the lead's note in last_error, for its author to edit or send again).
-- Two outbox statuses rather than a table of their own, because an outbox status is
-- already what says whether a reply answers and whether the sender may take it. SQLite
-- cannot change a CHECK, so the table is rebuilt as in 0003; nothing references outbox.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply','escalation')),
    message_id      INTEGER UNIQUE REFERENCES messages (id),
    escalation_id   INTEGER UNIQUE REFERENCES escalations (id),
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending','sending','sent','failed','unknown','cancelled','awaiting_approval','returned')),
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    remote_id       TEXT NOT NULL DEFAULT '',
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK ((message_id IS NULL) <> (escalation_id IS NULL)),
    CHECK ((kind = 'reply') = (message_id IS NOT NULL)),
    -- Approval is for replies only: an escalation never waits for a lead.
    CHECK (kind = 'reply' OR status NOT IN ('awaiting_approval','returned'))
) STRICT;

INSERT INTO outbox_new (id, kind, message_id, escalation_id, conversation_id, status, idempotency_key, attempts,
    last_error, remote_id, next_attempt_at, created_at, updated_at)
SELECT id, kind, message_id, escalation_id, conversation_id, status, idempotency_key, attempts,
    last_error, remote_id, next_attempt_at, created_at, updated_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_due ON outbox (kind, status, next_attempt_at);
