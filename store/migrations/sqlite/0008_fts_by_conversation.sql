-- 0008: full-text rows keyed by conversation. A row's rowid is
-- (conversation id << 32) | message id (see ftsKey), so a search finds the conversations
-- of its matches from the rowids alone: "refund" at a million messages matches 70,000
-- messages, and looking each one's conversation up through msg_conv_of (0006) was 65 ms
-- of every keystroke. Message ids stay below 2^32 (ftsKey refuses more), so the message
-- id is the rowid's low 32 bits. The index is contentless, so it is rebuilt from the
-- messages with the author it was written with: the contact's name and handle for an
-- inbound message, the agent for a reply.
INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');
INSERT INTO messages_fts (rowid, text, author)
    SELECT (m.conversation_id << 32) | m.id, m.text,
        CASE WHEN m.direction = 'out' THEN m.agent
             ELSE trim(coalesce(ct.name, '') || ' ' || coalesce(ct.handle, '')) END
    FROM messages m LEFT JOIN contacts ct ON ct.id = m.contact_id
    -- In key order: FTS5 writes out a segment whenever a rowid is lower than the last.
    ORDER BY 1;
-- Nothing else needed a message's conversation by its id alone.
DROP INDEX msg_conv_of;
