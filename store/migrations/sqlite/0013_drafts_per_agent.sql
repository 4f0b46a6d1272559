-- 0013: a draft belongs to the person writing it. Under `triage team` several agents may
-- write in one conversation at once; with one draft per conversation, each one's saves
-- overwrote the other's text and one opened the other's half-written reply. A draft is
-- now keyed by conversation and agent. Drafts written before this migration have no
-- agent (''): whoever opens the conversation first gets them, and keeps them under their
-- own name from the next save on.
CREATE TABLE drafts_by_agent (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    agent           TEXT NOT NULL,
    body            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, agent)
) STRICT, WITHOUT ROWID;
INSERT INTO drafts_by_agent (conversation_id, agent, body, updated_at)
    SELECT conversation_id, '', body, updated_at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_by_agent RENAME TO drafts;
