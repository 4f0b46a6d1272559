-- 0001: the whole first schema. Times are Unix milliseconds (UTC).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per channel account we listen on (e.g. instagram @acme).
CREATE TABLE accounts (
    id      INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    handle  TEXT NOT NULL,
    UNIQUE (channel, handle)
) STRICT;

-- Authors of inbound messages, per channel.
CREATE TABLE contacts (
    id      INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    ext_id  TEXT NOT NULL,
    handle  TEXT NOT NULL DEFAULT '',
    name    TEXT NOT NULL DEFAULT '',
    UNIQUE (channel, ext_id)
) STRICT;
CREATE INDEX contacts_handle ON contacts (handle);

-- A thread: a post's comments, a DM thread, an email thread.
-- prio_rank, due_at and since_at are the queue's sort key, kept current by the store
-- whenever a message, reply or state change touches the conversation.
CREATE TABLE conversations (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    ext_key        TEXT NOT NULL,
    channel        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    contact_id     INTEGER REFERENCES contacts (id),
    state          TEXT NOT NULL DEFAULT 'new'
                   CHECK (state IN ('new','open','waiting','snoozed','done','escalated','spam')),
    snooze_until   INTEGER,
    priority       INTEGER NOT NULL DEFAULT 1,
    prio_rank      INTEGER GENERATED ALWAYS AS (-priority) STORED,
    assignee       TEXT NOT NULL DEFAULT '',
    unanswered     INTEGER NOT NULL DEFAULT 0,
    due_at         INTEGER NOT NULL DEFAULT 9223372036854775807,
    since_at       INTEGER NOT NULL,
    last_inbound_id INTEGER,
    last_at        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    needs_action   INTEGER GENERATED ALWAYS AS (state IN ('new','open')) STORED,
    UNIQUE (account_id, ext_key)
) STRICT;
CREATE INDEX conv_queue_all    ON conversations (prio_rank, due_at, since_at, id);
CREATE INDEX conv_queue_action ON conversations (needs_action, prio_rank, due_at, since_at, id);
CREATE INDEX conv_queue_state  ON conversations (state, prio_rank, due_at, since_at, id);
CREATE INDEX conv_assignee     ON conversations (assignee, state);
CREATE INDEX conv_contact      ON conversations (contact_id);
CREATE INDEX conv_snooze       ON conversations (snooze_until) WHERE state = 'snoozed';

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    channel         TEXT NOT NULL,
    ext_id          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('comment','mention','dm','review','email')),
    direction       TEXT NOT NULL CHECK (direction IN ('in','out')),
    contact_id      INTEGER REFERENCES contacts (id),
    agent           TEXT NOT NULL DEFAULT '',
    text            TEXT NOT NULL,
    url             TEXT NOT NULL DEFAULT '',
    in_reply_to     TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sentiment       REAL NOT NULL DEFAULT 0,
    priority        INTEGER NOT NULL DEFAULT 1,
    spam            INTEGER NOT NULL DEFAULT 0,
    -- For inbound messages: the first outbound message of the conversation at or after
    -- this one. A stored time of a stored reply, not a frozen figure.
    answered_by     INTEGER REFERENCES messages (id),
    answered_at     INTEGER,
    -- Set when the conversation was closed while this message had no reply.
    closed_at       INTEGER,
    -- SLA due time under the current targets; recomputed when targets change.
    due_at          INTEGER,
    UNIQUE (channel, account_id, ext_id)
) STRICT;
CREATE INDEX msg_conv       ON messages (conversation_id, created_at);
CREATE INDEX msg_created    ON messages (direction, created_at);
CREATE INDEX msg_all_created ON messages (created_at);
CREATE INDEX msg_contact    ON messages (contact_id);
CREATE INDEX msg_answered_by ON messages (answered_by);
-- The inbound messages still waiting for a first reply: small, and what the queue's
-- counts and due times are computed from.
CREATE INDEX msg_unanswered ON messages (conversation_id, created_at)
    WHERE direction = 'in' AND answered_at IS NULL AND closed_at IS NULL AND spam = 0;

-- Full text of message bodies and their authors' names and handles.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    text, author, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;

CREATE TABLE conversation_tags (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    tag_id          INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (conversation_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX conversation_tags_tag ON conversation_tags (tag_id, conversation_id);

CREATE TABLE notes (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    agent           TEXT NOT NULL,
    text            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notes_conv ON notes (conversation_id, created_at);

CREATE TABLE escalations (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    reason          TEXT NOT NULL,
    priority        INTEGER NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    agent           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved','cancelled')),
    arrived_at      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER,
    external_ref    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX escalations_conv ON escalations (conversation_id, created_at);
CREATE INDEX escalations_created ON escalations (created_at);

CREATE TABLE canned_replies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE canned_variants (
    canned_id INTEGER NOT NULL REFERENCES canned_replies (id) ON DELETE CASCADE,
    channel   TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (canned_id, channel)
) STRICT;

CREATE TABLE drafts (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id),
    body            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

-- Replies waiting to be sent. A reply is written here and to messages in one transaction.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending','sending','sent','failed','unknown','cancelled')),
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    remote_id       TEXT NOT NULL DEFAULT '',
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE sync_cursors (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    cursor     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Every change a person (or the system) makes: who, when, what, from, to.
-- batch groups the events of one action (a bulk tag) so undo reverses them together.
CREATE TABLE audit (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    conversation_id INTEGER REFERENCES conversations (id),
    from_value      TEXT NOT NULL DEFAULT '',
    to_value        TEXT NOT NULL DEFAULT '',
    ref_id          INTEGER,
    batch           INTEGER NOT NULL,
    undone          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_conv ON audit (conversation_id, id);
CREATE INDEX audit_batch ON audit (batch);
